/**
 * The mesh check for upstream (community) Istio's multi-network sidecar mesh: multi-primary on different networks
 * (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/). Upstream istioctl has no
 * `multicluster check` (istio/istio 1.29.1 istioctl/pkg/multicluster/ holds only create-remote-secret), so this is the
 * static form of what that guide sets up, read from what synthesis is about to write: istiod's multi-network values,
 * the network label of istio-system, the east-west gateway release, the `cross-network-gateway`, the remote secrets and
 * the trust between linked trust domains. In such a mesh it stands in for the Solo peering checks of check.ts.
 *
 * This module does not import check.ts (check.ts calls it): its input and findings have the shapes of `CheckInput` and
 * the check's finding input.
 */
import { CheckFindingInput } from './check-finding';
import { ChartRelease } from '../core/delivery';
import { IstiodValues } from '../istio/values';
import {
  CROSS_NETWORK_GATEWAY_NAME,
  CROSS_NETWORK_SERVER,
  MULTICLUSTER_SECRET_LABEL,
  REMOTE_CLUSTER_ANNOTATION,
  UPSTREAM_EASTWEST_GATEWAY_LABELS,
  UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID,
  createRemoteSecretCommand,
  remoteSecretName,
} from '../multicluster';
import {
  ClusterModel,
  CROSS_NETWORK_GATEWAY_PORT,
  EastWestServiceType,
  ISTIO_NAMESPACE,
  IstioDistribution,
  MeshModel,
  NETWORK_LABEL,
} from '../spec';

/** What the check reads of one cluster (the shape of check.ts `ClusterCheckInput`). */
export interface UpstreamCheckCluster {
  readonly cluster: ClusterModel;
  /** Rendered objects of the cluster (JSON). */
  readonly manifests: readonly any[];
  readonly istio?: { readonly istiod: { readonly values: IstiodValues } };
  /** @default - the east-west gateway release is not checked */
  readonly releases?: readonly ChartRelease[];
}

export interface UpstreamCheckInput {
  readonly mesh: MeshModel;
  readonly clusters: readonly UpstreamCheckCluster[];
}

/** A finding of this check, before `checkFinding` gives it its subject. */
export type UpstreamCheckFinding = CheckFindingInput;

/** True for a cluster this module checks: peered, upstream distribution. */
export function isUpstreamMultiNetwork(mesh: MeshModel, cluster: ClusterModel): boolean {
  return cluster.istio.distribution === IstioDistribution.UPSTREAM && mesh.isPeered(cluster);
}

const NETWORK_CHECK = 'Network Configuration Check';
const GATEWAY_CHECK = 'East-West Gateway Check';
const REMOTE_SECRET_CHECK = 'Remote Secret Check';
const TRUST_CHECK = 'Trust Domain Check';

export function checkUpstreamMultiNetwork(input: UpstreamCheckInput): UpstreamCheckFinding[] {
  const { mesh } = input;
  const findings: UpstreamCheckFinding[] = [];
  const add = (f: UpstreamCheckFinding) => findings.push(f);
  const checked = input.clusters.filter((ci) => isUpstreamMultiNetwork(mesh, ci.cluster));

  for (const ci of checked) {
    const { cluster } = ci;
    const istiod = ci.istio?.istiod.values;
    const at = `istiod values of ${cluster.name}`;
    const expect = (check: string, subject: string, actual: unknown, expected: string, why: string, fix: string) => {
      if (actual === expected) return;
      add({
        severity: 'error',
        check,
        cluster: cluster.name,
        subject,
        message: `${actual === undefined ? 'is missing' : `is '${String(actual)}'`}; expected '${expected}': ${why}`,
        fix,
      });
    };

    // Network Configuration Check: one network value in the namespace label, istiod and the gateway release; the
    // cluster ID other clusters' remote secrets name; one mesh ID.
    const namespace = ci.manifests.find((m) => m.kind === 'Namespace' && m.metadata?.name === ISTIO_NAMESPACE);
    expect(
      NETWORK_CHECK,
      `Namespace ${ISTIO_NAMESPACE} label ${NETWORK_LABEL}`,
      namespace?.metadata?.labels?.[NETWORK_LABEL],
      cluster.network,
      "istiod reads the network of the cluster's workloads from it",
      `label the ${ISTIO_NAMESPACE} Namespace ${NETWORK_LABEL}=${cluster.network}`,
    );
    if (!istiod) {
      add({
        severity: 'error',
        check: NETWORK_CHECK,
        cluster: cluster.name,
        subject: 'istiod release',
        message: 'no istiod release is delivered to this linked cluster',
        fix: 'keep the Istio component in the cluster',
      });
    } else {
      expect(
        NETWORK_CHECK,
        `${at}: global.network`,
        istiod.global.network,
        cluster.network,
        'the network of its workloads',
        `set global.network: ${cluster.network}`,
      );
      expect(
        NETWORK_CHECK,
        `${at}: global.multiCluster.clusterName`,
        istiod.global.multiCluster?.clusterName,
        cluster.name,
        "istiod's cluster ID, the key other clusters' remote secrets use for this cluster",
        `set global.multiCluster.clusterName: ${cluster.name}`,
      );
      expect(
        NETWORK_CHECK,
        `${at}: global.meshID`,
        istiod.global.meshID,
        mesh.name,
        'every cluster of a multi-primary mesh needs the same mesh ID (istiod defaults it to the trust domain)',
        `set global.meshID: ${mesh.name} (the mesh name) in every cluster`,
      );
    }

    // East-West Gateway Check: the release with networkGateway, and the Gateway that exposes the services on it.
    if (ci.releases) {
      const release = ci.releases.find((r) => r.id === UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID);
      if (!release) {
        add({
          severity: 'error',
          check: GATEWAY_CHECK,
          cluster: cluster.name,
          subject: `release ${UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID}`,
          message: 'no east-west gateway is delivered, so no other network can reach this cluster',
          fix: 'keep the Multicluster component in the cluster',
        });
      } else {
        expect(
          GATEWAY_CHECK,
          `release ${release.id}: networkGateway`,
          (release.values as { networkGateway?: unknown }).networkGateway,
          cluster.network,
          'the gateway chart labels the gateway with this network and opens port 15443 only with it',
          `set networkGateway: ${cluster.network}`,
        );
      }
    }
    const gateway = ci.manifests.find(
      (m) =>
        m.apiVersion?.startsWith('networking.istio.io/') &&
        m.kind === 'Gateway' &&
        m.metadata?.name === CROSS_NETWORK_GATEWAY_NAME &&
        m.metadata?.namespace === ISTIO_NAMESPACE,
    );
    const subject = `Gateway ${ISTIO_NAMESPACE}/${CROSS_NETWORK_GATEWAY_NAME}`;
    if (!gateway) {
      add({
        severity: 'error',
        check: GATEWAY_CHECK,
        cluster: cluster.name,
        subject,
        message: "is missing: the east-west gateway does not expose the cluster's services to other networks",
        fix: 'keep the Multicluster component in the cluster',
      });
    } else {
      if (gateway.spec?.selector?.istio !== UPSTREAM_EASTWEST_GATEWAY_LABELS.istio) {
        add({
          severity: 'error',
          check: GATEWAY_CHECK,
          cluster: cluster.name,
          subject: `${subject} selector`,
          message: `selects ${JSON.stringify(gateway.spec?.selector ?? {})}, not the east-west gateway's pods (istio: ${UPSTREAM_EASTWEST_GATEWAY_LABELS.istio})`,
          fix: `set spec.selector to {istio: ${UPSTREAM_EASTWEST_GATEWAY_LABELS.istio}}`,
        });
      }
      const servers: any[] = gateway.spec?.servers ?? [];
      const passthrough = servers.some(
        (s) =>
          s.port?.number === CROSS_NETWORK_GATEWAY_PORT &&
          s.port?.protocol === CROSS_NETWORK_SERVER.protocol &&
          s.tls?.mode === 'AUTO_PASSTHROUGH' &&
          CROSS_NETWORK_SERVER.hosts.every((h) => (s.hosts ?? []).includes(h)),
      );
      if (!passthrough) {
        add({
          severity: 'error',
          check: GATEWAY_CHECK,
          cluster: cluster.name,
          subject: `${subject} servers`,
          message: `has no server on port ${CROSS_NETWORK_GATEWAY_PORT} (TLS, AUTO_PASSTHROUGH, hosts ${CROSS_NETWORK_SERVER.hosts.join(', ')}): sidecars of other networks send their mTLS there`,
          fix: 'render it as samples/multicluster/expose-services.yaml does (the CrossNetworkGateway construct)',
        });
      }
    }

    // The cluster's ExternalSecrets in istio-system by name (the first of a name, as a search in object order finds it),
    // read once for all its links.
    const externalSecrets = new Map<string, any>();
    for (const m of ci.manifests) {
      if (m.kind !== 'ExternalSecret' || m.metadata?.namespace !== ISTIO_NAMESPACE) continue;
      if (!externalSecrets.has(m.metadata?.name)) externalSecrets.set(m.metadata?.name, m);
    }
    for (const { to } of mesh.linksFrom(cluster)) {
      // Remote Secret Check: a present ExternalSecret must build the Secret istiod selects and reads.
      const name = remoteSecretName(to.name);
      const externalSecret = externalSecrets.get(name);
      const esSubject = `ExternalSecret ${ISTIO_NAMESPACE}/${name}`;
      if (!externalSecret) {
        if (mesh.remoteSecrets) {
          add({
            severity: 'error',
            check: REMOTE_SECRET_CHECK,
            cluster: cluster.name,
            subject: esSubject,
            message: `is missing, so istiod of ${cluster.name} cannot discover the endpoints of ${to.name}`,
            fix: 'keep the Multicluster component in the cluster',
          });
        }
        // Without a store the Secret is applied by hand; synthesis warns with the command (Multicluster).
      } else {
        const template = externalSecret.spec?.target?.template?.metadata ?? {};
        const keys: string[] = (externalSecret.spec?.data ?? []).map((d: any) => d.secretKey);
        const problems = [
          template.labels?.[MULTICLUSTER_SECRET_LABEL] === 'true'
            ? undefined
            : `label ${MULTICLUSTER_SECRET_LABEL}: "true" (istiod selects remote secrets by it)`,
          template.annotations?.[REMOTE_CLUSTER_ANNOTATION] === to.name ? undefined : `annotation ${REMOTE_CLUSTER_ANNOTATION}: ${to.name}`,
          keys.length === 1 && keys[0] === to.name
            ? undefined
            : `exactly one data key, '${to.name}' (istiod reads each key as a cluster ID)`,
        ].filter((p): p is string => p !== undefined);
        if (problems.length > 0) {
          add({
            severity: 'error',
            check: REMOTE_SECRET_CHECK,
            cluster: cluster.name,
            subject: esSubject,
            message: `the Secret it builds lacks ${problems.join('; ')}`,
            fix: `build it as istioctl does: ${createRemoteSecretCommand(cluster, to)}`,
          });
        }
      }

      // The meshNetworks fallback must name the remote's declared gateway address.
      if (istiod && to.eastWestAddress !== undefined && to.eastWestServiceType === EastWestServiceType.LOAD_BALANCER) {
        const gateways = istiod.global.meshNetworks?.[to.network]?.gateways ?? [];
        if (!gateways.some((g) => g.address === to.eastWestAddress && g.port === CROSS_NETWORK_GATEWAY_PORT)) {
          add({
            severity: 'error',
            check: NETWORK_CHECK,
            cluster: cluster.name,
            subject: `${at}: global.meshNetworks.${to.network}.gateways`,
            message: `do not name ${to.name}'s east-west gateway ${to.eastWestAddress}:${CROSS_NETWORK_GATEWAY_PORT} (${JSON.stringify(gateways)})`,
            fix: `list {address: ${to.eastWestAddress}, port: ${CROSS_NETWORK_GATEWAY_PORT}}, or correct clusters[].eastWestAddress of ${to.name}`,
          });
        }
      }
    }
  }

  // Trust Domain Check, aliases: istiod names the SPIFFE IDs a sidecar expects of a peer with its own trust domain
  // (`SecureNamingSAN`, pilot/pkg/serviceregistry/kube/conversion.go) and adds each of `meshConfig.trustDomainAliases`
  // (`initServiceAccounts`, pilot/pkg/model/push_context.go, istio/istio 1.29.1), so both ends of a link need the other's
  // trust domain among their aliases.
  const byName = new Map(input.clusters.map((ci) => [ci.cluster.name, ci]));
  // Each cluster's aliases as a set, made once (a cluster takes part in up to 2·(N−1) links).
  const aliasSets = new Map<IstiodValues, ReadonlySet<string>>();
  const aliasesOf = (values: IstiodValues): ReadonlySet<string> => {
    let set = aliasSets.get(values);
    if (!set) {
      set = new Set(values.meshConfig.trustDomainAliases ?? []);
      aliasSets.set(values, set);
    }
    return set;
  };
  const reported = new Set<string>();
  for (const ci of checked) {
    for (const { from, to } of mesh.linksFrom(ci.cluster)) {
      if (from.trustDomain === to.trustDomain) continue;
      for (const [self, other] of [
        [from, to],
        [to, from],
      ]) {
        const values = byName.get(self.name)?.istio?.istiod.values;
        const key = `${self.name}\0${other.trustDomain}`;
        if (!values || reported.has(key) || aliasesOf(values).has(other.trustDomain)) continue;
        reported.add(key);
        add({
          severity: 'error',
          check: TRUST_CHECK,
          cluster: self.name,
          subject: `istiod values of ${self.name}: meshConfig.trustDomainAliases`,
          message: `do not name ${other.trustDomain}, the trust domain of linked cluster ${other.name}: ${self.name}'s sidecars expect spiffe://${self.trustDomain}/... of ${other.name}'s workloads and refuse their spiffe://${other.trustDomain}/... certificates`,
          fix: `add '${other.trustDomain}' to meshConfig.trustDomainAliases of ${self.name}, or give the linked clusters one trust domain`,
        });
      }
    }
  }

  // Trust Domain Check, bundles: SPIRE's agent hands Envoy only the bundles of its own and of federated trust domains
  // (agent SDS, spiffe/spire pkg/agent/endpoints/sdsv3), so on a call over a link each trust domain must federate with
  // the other (one finding per missing relation, naming the links that need it).
  const missing = new Map<string, { td: string; other: string; links: string[] }>();
  const federates = new Set((mesh.federation?.relations ?? []).map((r) => `${r.trustDomain}\0${r.federatesWith}`));
  for (const ci of checked) {
    for (const { from, to } of mesh.linksFrom(ci.cluster)) {
      if (from.trustDomain === to.trustDomain) continue;
      for (const [td, other] of [
        [from.trustDomain, to.trustDomain],
        [to.trustDomain, from.trustDomain],
      ]) {
        const key = `${td}\0${other}`;
        if (federates.has(key)) continue;
        const entry = missing.get(key) ?? { td, other, links: [] };
        entry.links.push(`${from.name} -> ${to.name}`);
        missing.set(key, entry);
      }
    }
  }
  for (const { td, other, links } of missing.values()) {
    add({
      severity: 'error',
      check: TRUST_CHECK,
      subject: `trust domain ${td}`,
      message: `does not federate with ${other}, so its workloads reject the certificates of ${other} on calls over ${links.length === 1 ? 'link' : 'links'} ${links.join(', ')}`,
      fix: `declare federation between ${td} and ${other} (federation.relations, or federateBothWays), or give the linked clusters one trust domain`,
    });
  }
  return findings;
}
