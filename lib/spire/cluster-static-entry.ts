/**
 * ClusterStaticEntry: one registration entry kept in SPIRE by the controller manager; the GitOps form of
 * `spire-server entry create` ("Option 2: Manual Registration" of https://istio.io/latest/docs/ops/integrations/spire/).
 */
import { Construct } from 'constructs';
import { ClusterStaticEntry as ClusterStaticEntryResource } from '../../imports/spire-clusterstaticentry-spire.spiffe.io';
import { SPIRE_CLASS_NAME } from './names';
import { durationProblem, federatesWithProblems, objectNameProblem, spiffeIdProblem, spireFinding, throwIfFindings } from './validation';

export interface ClusterStaticEntryProps {
  /** Object name (cluster-scoped). */
  readonly name: string;
  /** SPIFFE ID of the entry (`-spiffeID`). */
  readonly spiffeId: string;
  /** SPIFFE ID of the parent: an agent, or the server for node entries (`-parentID`). */
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
  public readonly className: string = SPIRE_CLASS_NAME;

  public constructor(scope: Construct, id: string, props: ClusterStaticEntryProps) {
    super(scope, id);
    throwIfFindings(`ClusterStaticEntry '${props.name}' (${this.node.path})`, [
      objectNameProblem('name', props.name),
      spiffeIdProblem('spiffeId', props.spiffeId, { requirePath: true }),
      spiffeIdProblem('parentId', props.parentId),
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
