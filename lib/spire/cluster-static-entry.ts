/**
 * ClusterStaticEntry: one registration entry kept in SPIRE by the controller manager; the GitOps form of
 * `spire-server entry create` ("Option 2: Manual Registration" of https://istio.io/latest/docs/ops/integrations/spire/).
 */
import { Construct, IConstruct } from 'constructs';
import { ClusterStaticEntry as ClusterStaticEntryResource } from '../../imports/spire-clusterstaticentry-spire.spiffe.io';
import { MeshCluster } from '../core/cluster';
import { Finding } from '../spec';
import { SPIRE_AGENT_ID_PATH_PREFIX, SPIRE_CLASS_NAME, spireServerId } from './names';
import { Spire } from './spire';
import { durationProblem, federatesWithProblems, objectNameProblem, spiffeIdProblem, spireFinding, throwIfFindings } from './validation';

export interface ClusterStaticEntryProps {
  /** Object name (cluster-scoped). */
  readonly name: string;
  /** SPIFFE ID of the entry (`-spiffeID`). */
  readonly spiffeId: string;
  /**
   * SPIFFE ID of the parent (`-parentID`): an agent as this SPIRE attests it,
   * `spiffe://<trust domain>/spire/agent/k8s_psat/<cluster>/<node UID>`; the server,
   * `spiffe://<trust domain>/spire/server`, for node entries (aliases); or a node alias declared
   * before this entry (a ClusterStaticEntry whose parent is the server).
   */
  readonly parentId: string;
  /** Workload selectors in `type:value` form, e.g. 'k8s:ns:istio-system' (`-selector`). At least one. */
  readonly selectors: readonly string[];
  /**
   * DNS SANs of the X509-SVID (`-dns`).
   * @default - none
   */
  readonly dnsNames?: readonly string[];
  /**
   * Trust domains whose bundles the workload receives (`-federatesWith`).
   * @default - none
   */
  readonly federatesWith?: readonly string[];
  /**
   * X509-SVID TTL (Go duration).
   * @default - the server's default_x509_svid_ttl
   */
  readonly x509SvidTtl?: string;
  /**
   * JWT-SVID TTL (Go duration).
   * @default - the server's default_jwt_svid_ttl
   */
  readonly jwtSvidTtl?: string;
  /**
   * Hint for workloads that receive several SVIDs.
   * @default - none
   */
  readonly hint?: string;
  /**
   * Admin entry.
   * @default false
   */
  readonly admin?: boolean;
  /**
   * Downstream (nested SPIRE server) entry.
   * @default false
   */
  readonly downstream?: boolean;
  /**
   * Store the SVID with an SVIDStore plugin instead of serving it.
   * @default false
   */
  readonly storeSvid?: boolean;
}

/** A ClusterStaticEntry of the controller manager's class. */
export class ClusterStaticEntry extends Construct {
  /** The ClusterStaticEntry object. */
  public readonly resource: ClusterStaticEntryResource;
  public readonly name: string;
  public readonly spiffeId: string;
  public readonly parentId: string;
  public readonly className: string = SPIRE_CLASS_NAME;

  public constructor(scope: Construct, id: string, props: ClusterStaticEntryProps) {
    super(scope, id);
    const spiffeIdBad = spiffeIdProblem('spiffeId', props.spiffeId, { requirePath: true });
    const parentIdBad = spiffeIdProblem('parentId', props.parentId);
    throwIfFindings(`ClusterStaticEntry '${props.name}' (${this.node.path})`, [
      objectNameProblem('name', props.name),
      spiffeIdBad,
      parentIdBad,
      ...(spiffeIdBad || parentIdBad ? [] : identityProblems(this, props)),
      props.selectors.length === 0
        ? spireFinding(
            'selectors',
            'empty, but an entry needs at least one selector',
            "add selectors such as 'k8s:ns:default' and 'k8s:sa:sleep'",
          )
        : undefined,
      ...props.selectors.map((s, i) =>
        /^[^:\s]+:\S.*$/.test(s)
          ? undefined
          : spireFinding(
              `selectors[${i}]`,
              `'${s}' is not of the form 'type:value'`,
              "write it as e.g. 'k8s:ns:default' or 'k8s:sa:sleep'",
            ),
      ),
      federatesWithProblems('federatesWith', props.federatesWith),
      durationProblem('x509SvidTtl', props.x509SvidTtl),
      durationProblem('jwtSvidTtl', props.jwtSvidTtl),
    ]);

    this.name = props.name;
    this.spiffeId = props.spiffeId;
    this.parentId = props.parentId;
    this.resource = new ClusterStaticEntryResource(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        // The controller manager (`watchClassless: false`) silently ignores objects of another class or none.
        className: this.className,
        spiffeId: props.spiffeId,
        parentId: props.parentId,
        selectors: [...props.selectors],
        dnsNames: props.dnsNames ? [...props.dnsNames] : undefined,
        federatesWith: props.federatesWith ? [...props.federatesWith] : undefined,
        x509Svidttl: props.x509SvidTtl,
        jwtSvidttl: props.jwtSvidTtl,
        hint: props.hint,
        admin: props.admin,
        downstream: props.downstream,
        storeSvid: props.storeSvid,
      },
    });
  }
}

/** `spiffe://<td>/...` → `<td>` (for IDs spiffeIdProblem accepted). */
function trustDomainOf(id: string): string {
  return id.slice('spiffe://'.length).split('/')[0];
}

/** A Kubernetes object UID: the UUID the API server assigns (RFC 4122 text form). */
const KUBERNETES_UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The MeshCluster around `construct`, if any (the identity constructs also work in a bare chart). */
function enclosingCluster(construct: IConstruct): MeshCluster | undefined {
  try {
    return MeshCluster.enclosing(construct);
  } catch {
    return undefined;
  }
}

/**
 * The entry's IDs against the IDs this SPIRE issues. SPIRE only serves an entry to the agent named by its parent
 * (or to agents a node alias parent covers), so a parent ID of another form gives an entry no workload ever receives:
 * Istio's manual registration (https://istio.io/latest/docs/ops/integrations/spire/) uses
 * `spiffe://example.org/ns/spire/sa/spire-agent`, the ID of the node entry (an alias) its previous step registers for the
 * agents, not an agent ID.
 */
function identityProblems(entry: ClusterStaticEntry, props: ClusterStaticEntryProps): Finding[] {
  const meshCluster = enclosingCluster(entry);
  // Inside a mesh: the cluster's trust domain and k8s_psat cluster name; alone: the entry's own trust domain.
  const trustDomain = meshCluster?.cluster.trustDomain ?? trustDomainOf(props.spiffeId);
  const clusterName = meshCluster ? (Spire.of(meshCluster)?.server.clusterName ?? meshCluster.cluster.name) : undefined;
  const server = spireServerId(trustDomain);
  const agentPrefix = `spiffe://${trustDomain}${SPIRE_AGENT_ID_PATH_PREFIX}/`;
  const agentForm = `${agentPrefix}${clusterName ?? '<cluster>'}/<node UID>`;
  const findings: Finding[] = [];
  if (meshCluster && trustDomainOf(props.spiffeId) !== trustDomain) {
    findings.push(
      spireFinding(
        'spiffeId',
        `'${props.spiffeId}' is not in the trust domain '${trustDomain}' of cluster '${meshCluster.cluster.name}': SPIRE registers IDs of its own trust domain only`,
        `use an ID of the form 'spiffe://${trustDomain}/ns/<namespace>/sa/<service account>'`,
      ),
    );
  }
  const parent = props.parentId;
  if (parent === server) return findings;
  if (parent.startsWith(agentPrefix)) {
    const [cluster, uid, ...rest] = parent.slice(agentPrefix.length).split('/');
    if (rest.length > 0 || uid === undefined || !KUBERNETES_UID.test(uid)) {
      findings.push(
        spireFinding(
          'parentId',
          `'${parent}' is not an agent ID of this SPIRE: k8s_psat agents are '${agentForm}', where the last segment is the node's metadata.uid (a UUID)`,
          `use '${agentPrefix}${cluster}/<the node's uid from kubectl get node <node> -o jsonpath='{.metadata.uid}'>', or the server ID '${server}' for a node entry`,
        ),
      );
    } else if (clusterName !== undefined && cluster !== clusterName) {
      findings.push(
        spireFinding(
          'parentId',
          `'${parent}' names k8s_psat cluster '${cluster}', but the agents of this cluster attest as '${clusterName}'`,
          `use '${agentPrefix}${clusterName}/${uid}'`,
        ),
      );
    }
    return findings;
  }
  // A node alias declared before this entry: an entry of the same cluster (or app) whose parent is the server.
  const where = meshCluster ?? entry.node.root;
  const alias = where.node
    .findAll()
    .find((c): c is ClusterStaticEntry => c instanceof ClusterStaticEntry && c !== entry && c.spiffeId === parent && c.parentId === server);
  if (alias) return findings;
  findings.push(
    spireFinding(
      'parentId',
      `'${parent}' is not an ID this SPIRE issues: agents are '${agentForm}' (k8s_psat), the server is '${server}', and no node alias with this ID is declared before this entry`,
      `use the agent ID '${agentForm}', or declare a node alias first: a ClusterStaticEntry with spiffeId '${parent}', parentId '${server}' and selectors such as 'k8s_psat:cluster:${clusterName ?? '<cluster>'}'`,
    ),
  );
  return findings;
}
