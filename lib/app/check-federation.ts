/**
 * Federation findings of `spiremesh check`: what SPIFFE federation between the mesh's trust domains needs before a
 * single bundle can be fetched. They read the declared relations (the model) and what synthesis is about to write
 * (server.conf, agent.conf, ClusterFederatedTrustDomains, ClusterSPIFFEIDs), like the rest of the check.
 */
import { CheckFinding, CheckFindingInput, checkFinding } from './check-finding';
import { meshTrustMaterial } from '../core/trust-material';
import { ClusterModel, GatewayServiceType, MeshModel, goDurationSeconds } from '../spec';
import { FEDERATED_SDS } from '../spire/agent';
import { bundleEndpointUrl } from '../spire/federation';
import { SPIRE_API_GROUP, SPIRE_CONFIG_KEYS, SPIRE_NAMES, SPIRE_PORTS, spireServerId } from '../spire/names';
import { bundleHoldsCertificate, readSpiffeBundle } from '../spire/spiffe-bundle';

/** The name of these findings' check. */
export const FEDERATION_CHECK = 'SPIRE Federation Check';

/** A federation finding: the shape of the check's findings (`check`, and `cluster` when it concerns one). */
export type FederationFinding = CheckFinding;

/** What the federation findings read: the mesh, and per cluster the objects it renders (JSON). */
export interface FederationCheckInput {
  readonly mesh: MeshModel;
  readonly clusters: ReadonlyArray<{ readonly cluster: ClusterModel; readonly manifests: readonly any[] }>;
}

type FindingInput = Omit<CheckFindingInput, 'check'>;

function finding(f: FindingInput): FederationFinding {
  return checkFinding({ ...f, check: FEDERATION_CHECK });
}

/** `<value>` of a rendered ConfigMap `spire-server/<name>` key `<key>`, parsed as JSON. */
function spireConfig(manifests: readonly any[], name: string, key: string): any {
  const config = manifests.find(
    (m) => m.kind === 'ConfigMap' && m.metadata?.name === name && m.metadata?.namespace === SPIRE_NAMES.namespace,
  );
  const text = config?.data?.[key];
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isSpireKind = (m: any, kind: string) =>
  m.kind === kind && typeof m.apiVersion === 'string' && m.apiVersion.startsWith(`${SPIRE_API_GROUP}/`);

/** Whether spiremesh holds the mesh root in this CA mode (so it can compute bootstrap bundles). */
function holdsMeshRoot(mesh: MeshModel): boolean {
  const delivery = mesh.pki.delivery;
  return delivery.kind !== 'cert-manager' || delivery.rootSecretStore !== undefined;
}

/** Whole seconds in Go's duration form, for messages ('1h30m', '15m', '45s'). */
function formatSeconds(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${rest || s === 0 ? `${rest}s` : ''}`;
}

/** Every federation finding of the mesh; none without `federation`. */
export function federationFindings(input: FederationCheckInput): FederationFinding[] {
  const { mesh } = input;
  const federation = mesh.federation;
  if (!federation) return [];
  const findings: FederationFinding[] = [];
  const add = (f: FindingInput) => findings.push(finding(f));

  // 1. mTLS is mutual: each side of a connection verifies the other's X509-SVID with the bundle it holds for the
  //    peer's trust domain, so a relation without its reverse fails the handshake in the direction that lacks it.
  const declared = new Set(federation.relations.map((r) => `${r.trustDomain}\0${r.federatesWith}`));
  for (const r of federation.relations) {
    if (declared.has(`${r.federatesWith}\0${r.trustDomain}`)) continue;
    add({
      severity: 'error',
      subject: `federation.relations: ${r.trustDomain} -> ${r.federatesWith}`,
      message: `trust domain '${r.trustDomain}' federates with '${r.federatesWith}', but '${r.federatesWith}' does not federate with '${r.trustDomain}': mTLS is mutual, so workloads of '${r.federatesWith}' reject the X509-SVIDs of '${r.trustDomain}' and no call between them succeeds`,
      fix: `add the relation { trustDomain: '${r.federatesWith}', federatesWith: '${r.trustDomain}' }, or declare the pair with federateBothWays('${r.trustDomain}', '${r.federatesWith}')`,
    });
  }

  // 2. A trust domain others federate with must say where its bundle endpoint is reached.
  const unreachable = new Set<string>();
  // Who federates with each trust domain, in relation order.
  const trustedBy = new Map<string, string[]>();
  for (const r of federation.relations) {
    const list = trustedBy.get(r.federatesWith);
    if (list) list.push(r.trustDomain);
    else trustedBy.set(r.federatesWith, [r.trustDomain]);
  }
  for (const td of [...trustedBy.keys()].sort()) {
    if (bundleEndpointUrl(mesh, td) !== undefined) continue;
    unreachable.add(td);
    const clusters = mesh.clustersOf(td).map((c) => c.name);
    const trusting = (trustedBy.get(td) ?? []).map((t) => `'${t}'`);
    add({
      severity: 'error',
      cluster: clusters.length === 1 ? clusters[0] : undefined,
      subject: `clusters[].spireBundleEndpointAddress of ${clusters.join(', ')}`,
      message: `trust domain '${td}' is federated with by ${trusting.join(', ')}, but none of its clusters (${clusters.join(', ')}) sets spireBundleEndpointAddress: their SPIRE servers cannot fetch its bundle, so no ClusterFederatedTrustDomain for '${td}' is rendered`,
      fix: `set spireBundleEndpointAddress of cluster ${clusters[0]} to the address of its Service ${SPIRE_NAMES.namespace}/${SPIRE_NAMES.federationService} (port ${SPIRE_PORTS.bundleEndpoint})`,
    });
  }
  if (federation.bundleEndpointServiceType === GatewayServiceType.NODE_PORT) {
    add({
      severity: 'warning',
      subject: 'federation.bundleEndpointServiceType',
      message: `is NodePort, but the bundle endpoint URLs name port ${SPIRE_PORTS.bundleEndpoint}: a NodePort Service listens on a port of the node port range (30000-32767 by default), not on ${SPIRE_PORTS.bundleEndpoint}`,
      fix: `make spireBundleEndpointAddress an address that forwards port ${SPIRE_PORTS.bundleEndpoint} to the node port (a load balancer or proxy), or use LoadBalancer`,
    });
  }

  const material = meshTrustMaterial(mesh);
  for (const ci of input.clusters) {
    const { cluster, manifests } = ci;
    const at = cluster.name;
    const remotes = mesh.federatesWith(cluster.trustDomain);

    // 3. One ClusterFederatedTrustDomain per declared relation, naming the remote endpoint as the model derives it.
    const ftds = manifests.filter((m) => isSpireKind(m, 'ClusterFederatedTrustDomain'));
    // The first ClusterFederatedTrustDomain of each trust domain, as a search in object order finds it.
    const ftdOf = new Map<unknown, any>();
    for (const m of ftds) if (!ftdOf.has(m.spec?.trustDomain)) ftdOf.set(m.spec?.trustDomain, m);
    for (const remote of remotes.filter((td) => !unreachable.has(td))) {
      const url = bundleEndpointUrl(mesh, remote);
      const endpointId = spireServerId(remote);
      const ftd = ftdOf.get(remote);
      if (!ftd) {
        add({
          severity: 'error',
          cluster: at,
          subject: `ClusterFederatedTrustDomain for '${remote}'`,
          message: `is missing, but trust domain '${cluster.trustDomain}' federates with '${remote}': SPIRE refuses entries that federate with a trust domain it holds no bundle for`,
          fix: 'keep the SPIRE component of the cluster (it renders one per relation), or remove the relation',
        });
        continue;
      }
      const subject = `ClusterFederatedTrustDomain ${ftd.metadata?.name}`;
      if (ftd.spec.bundleEndpointURL !== url || ftd.spec.bundleEndpointProfile?.endpointSPIFFEID !== endpointId) {
        add({
          severity: 'error',
          cluster: at,
          subject,
          message: `points at '${ftd.spec.bundleEndpointURL}' (endpoint ID '${ftd.spec.bundleEndpointProfile?.endpointSPIFFEID}'), but trust domain '${remote}' serves its bundle at '${url}' as '${endpointId}'`,
          fix: `set bundleEndpointURL '${url}' and endpointSPIFFEID '${endpointId}' (or let the SPIRE component render it)`,
        });
      }
    }

    // 4. Each ClusterFederatedTrustDomain bootstraps with a bundle that holds the remote root, since an `https_spiffe`
    //    endpoint is authenticated with the bundle already held for its trust domain.
    for (const ftd of ftds) {
      const subject = `ClusterFederatedTrustDomain ${ftd.metadata?.name}`;
      const remote = String(ftd.spec?.trustDomain);
      const text = ftd.spec?.trustDomainBundle;
      if (typeof text !== 'string') {
        const delivery = mesh.pki.delivery;
        if (!holdsMeshRoot(mesh) && delivery.kind === 'cert-manager') {
          add({
            severity: 'error',
            cluster: at,
            subject,
            message: `federation needs the remote root; spiremesh holds no root in this CA mode (pki.delivery cert-manager with the outside issuer '${delivery.issuerName}'), so '${remote}' gets no bootstrap bundle and this SPIRE cannot authenticate its bundle endpoint`,
            fix: `set pki.delivery.rootSecretStore, so that spiremesh keeps the mesh root and renders the issuer '${delivery.issuerName}' from it, or use the kubectl or external-secrets delivery`,
          });
        } else if (material === undefined) {
          add({
            severity: 'warning',
            cluster: at,
            subject,
            message: `has no bootstrap trustDomainBundle yet: the mesh root does not exist`,
            fix: 'synthesize (it generates the mesh PKI and renders the bundle from its root), or run spiremesh pki init',
          });
        } else {
          add({
            severity: 'error',
            cluster: at,
            subject,
            message: `has no trustDomainBundle, so this SPIRE cannot authenticate the bundle endpoint of '${remote}' (https_spiffe checks it against the bundle it already holds)`,
            fix: `render it with the SPIRE component, or set trustDomainBundle to the SPIFFE bundle of '${remote}'`,
          });
        }
        continue;
      }
      const reading = readSpiffeBundle(text);
      if (reading.problems) {
        add({
          severity: 'error',
          cluster: at,
          subject: `${subject}: trustDomainBundle`,
          message: `is not a SPIFFE bundle: ${reading.problems.join('; ')}`,
          fix: 'let the SPIRE component compute it from the mesh root, or paste the output of `spire-server bundle show -format spiffe` of the remote server',
        });
        continue;
      }
      if (material === undefined) {
        add({
          severity: 'warning',
          cluster: at,
          subject: `${subject}: trustDomainBundle`,
          message: `cannot be checked: spiremesh does not know the root of '${remote}' in this CA mode`,
          fix: `make sure it is the current output of \`spire-server bundle show -format spiffe\` of '${remote}'`,
        });
      } else if (!bundleHoldsCertificate(reading.bundle, material.rootCertificatePem)) {
        add({
          severity: 'error',
          cluster: at,
          subject: `${subject}: trustDomainBundle`,
          message: `does not contain the remote root (the mesh root, which every trust domain of the mesh chains to), so the bundle endpoint of '${remote}' fails authentication`,
          fix: 'let the SPIRE component compute the bundle from the mesh root (synthesize again)',
        });
      }
    }

    // 5. Workloads may only federate with trust domains whose bundle this SPIRE holds.
    const bundled = new Set(ftds.map((m) => m.spec?.trustDomain));
    for (const id of manifests.filter((m) => isSpireKind(m, 'ClusterSPIFFEID'))) {
      const missing = ((id.spec?.federatesWith ?? []) as string[])
        .map((td) => td.replace(/^spiffe:\/\//, ''))
        .filter((td) => !bundled.has(td) && !unreachable.has(td));
      if (missing.length === 0) continue;
      add({
        severity: 'error',
        cluster: at,
        subject: `ClusterSPIFFEID ${id.metadata?.name}: federatesWith`,
        message: `names ${missing.map((td) => `'${td}'`).join(', ')}, for which the cluster has no ClusterFederatedTrustDomain: SPIRE refuses entries that federate with a trust domain it holds no bundle for`,
        fix: `add the relation { trustDomain: '${cluster.trustDomain}', federatesWith: '${missing[0]}' } to federation.relations, or remove it from federatesWith`,
      });
    }

    // 6. Envoy receives the federated bundles only through the agent's all-bundles SDS resource named ROOTCA.
    const agent = spireConfig(manifests, SPIRE_NAMES.agent, SPIRE_CONFIG_KEYS.agent);
    if (remotes.length > 0 && agent && agent.agent?.sds?.default_all_bundles_name !== FEDERATED_SDS.default_all_bundles_name) {
      add({
        severity: 'error',
        cluster: at,
        subject: `agent.conf sds`,
        message: `does not name the all-bundles resource '${FEDERATED_SDS.default_all_bundles_name}' (it is ${JSON.stringify(agent.agent?.sds ?? null)}): Envoy asks SDS for '${FEDERATED_SDS.default_all_bundles_name}' and would get the local bundle only, so calls from '${remotes.join("', '")}' fail`,
        fix: 'keep the agent default (federatedSds), which sets default_bundle_name "null" and default_all_bundles_name "ROOTCA"',
      });
    }

    // 7. The server's CA must outlive three refresh hints: federated servers must hold its next key before it signs.
    const server = spireConfig(manifests, SPIRE_NAMES.server, SPIRE_CONFIG_KEYS.server)?.server;
    const endpoint = server?.federation?.bundle_endpoint;
    if (typeof server?.ca_ttl === 'string' && typeof endpoint?.refresh_hint === 'string') {
      const ttl = goDurationSeconds(server.ca_ttl);
      const hint = goDurationSeconds(endpoint.refresh_hint);
      if (ttl < 3 * hint) {
        add({
          severity: 'error',
          cluster: at,
          subject: 'server.conf ca_ttl',
          message: `'${server.ca_ttl}' is shorter than three bundle refresh hints (3 x '${endpoint.refresh_hint}' = ${formatSeconds(Math.ceil(3 * hint))}): the SPIRE chart requires a CA TTL of 3-5x the refresh hint so that federated servers load the new public keys before this server rotates its key (spiffe/helm-charts-hardened charts/spire/charts/spire-server/values.yaml federation.bundleEndpoint.refreshHint, 0.24.2)`,
          fix: `raise spire.caTtl to at least ${formatSeconds(Math.ceil(3 * hint))}, or lower federation.bundleRefreshHint to at most ${formatSeconds(Math.floor(ttl / 3))}`,
        });
      }
    }
  }
  return findings;
}
