/**
 * `spiremesh check`: the static form of what `istioctl multicluster check` verifies on live
 * clusters ("Validate your multicluster setup" in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/),
 * plus mistakes users report in istio/istio and istio/ztunnel issues (cited where each check is made).
 * It reads what synthesis is about to write (istiod and ztunnel values, Namespace labels, Gateways)
 * and the mesh certificates, so a mistake is found before anything reaches a cluster. Errors stop
 * synthesis; warnings are printed.
 */
import { IstioReleases } from '../istio/istio';
import { federationFindings } from './check-federation';
import { IstiodEnv } from '../istio/values';
import { CertificateInfo, chainProblem, daysLeft } from '../pki';
import { ClusterModel, DataplaneMode, ISTIO_NAMESPACE, IstioDistribution, MeshModel, NETWORK_LABEL, formatFinding } from '../spec';
import { SPIRE_CONFIG_KEYS, SPIRE_NAMES } from '../spire/names';
import { EASTWEST_GATEWAY_NAME, REMOTE_GATEWAY_CLASS, REMOTE_PEER_GATEWAY_PREFIX, TRUST_DOMAIN_ANNOTATION } from '../multicluster';
import { CheckFinding, CheckFindingInput, checkFinding } from './check-finding';
import { checkCertManager } from './check-cert-manager';
import { checkUpstreamMultiNetwork, isUpstreamMultiNetwork } from './check-upstream-multinetwork';
import { ChartRelease } from '../core/delivery';
import { checkGlooOperator } from './check-gloo-operator';

export type { CheckFinding } from './check-finding';

/** What the check reads of one cluster. */
export interface ClusterCheckInput {
  readonly cluster: ClusterModel;
  /** Rendered objects of the cluster (JSON). */
  readonly manifests: readonly any[];
  /**
   * The Istio releases delivered to the cluster, with their typed values.
   * @default - no Istio component in the cluster
   */
  readonly istio?: IstioReleases;
  /**
   * Every release delivered to the cluster (`MeshCluster.delivery.releases`), for the checks of releases other
   * components deliver (upstream multi-network: the east-west gateway).
   * @default - those checks are skipped
   */
  readonly releases?: readonly ChartRelease[];
}

/** The mesh certificates (public only), when the mesh has a local CA. */
export interface CheckCertificates {
  readonly root: CertificateInfo;
  readonly clusters: Readonly<
    Record<
      string,
      { readonly spireIntermediate: CertificateInfo; readonly istioIntermediate: CertificateInfo; readonly rootInBundle?: CertificateInfo }
    >
  >;
}

export interface CheckInput {
  readonly mesh: MeshModel;
  readonly clusters: readonly ClusterCheckInput[];
  /** @default - certificate checks are skipped (cert-manager issues the intermediates at run time) */
  readonly certificates?: CheckCertificates;
  /** @default - now */
  readonly now?: Date;
  /** @default 30 */
  readonly expiryWarningDays?: number;
}

/** Upstream issues behind the different-trust-domain warning: istiod stamps its local trust domain on remote workloads. */
export const TRUST_DOMAIN_ISSUES =
  'istio/istio#61608 (open; fix PR #61610), istio/ztunnel#1671, and trust-domain aliases ignored for ambient (#58511)';

/** `trust_domain` of the SPIRE server config the cluster renders (ConfigMap spire-server, key server.conf). */
function spireTrustDomain(manifests: readonly any[]): string | undefined {
  const config = manifests.find(
    (m) => m.kind === 'ConfigMap' && m.metadata?.name === SPIRE_NAMES.server && m.metadata?.namespace === SPIRE_NAMES.namespace,
  );
  const text = config?.data?.[SPIRE_CONFIG_KEYS.server];
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text)?.server?.trust_domain;
  } catch {
    return undefined;
  }
}

export function checkMesh(input: CheckInput): CheckFinding[] {
  const { mesh } = input;
  const findings: CheckFinding[] = [];
  const add = (f: CheckFindingInput) => findings.push(checkFinding(f));
  const peered = (c: ClusterModel) => mesh.isPeered(c);
  const byName = new Map(input.clusters.map((c) => [c.cluster.name, c]));

  // gloo-operator: the operator receives the ServiceMeshController and gloo-extensions-config, never istiod values
  // (lib/app/check-gloo-operator.ts checks those instead).
  const operator = mesh.chartDelivery.kind === 'gloo-operator';
  if (operator) findings.push(...input.clusters.flatMap((ci) => checkGlooOperator(ci, spireTrustDomain(ci.manifests))).map(checkFinding));

  // Trust Domain Check: istiod must use the trust domain SPIRE issues identities in.
  for (const ci of input.clusters) {
    if (operator) continue;
    const istiodTrustDomain = ci.istio?.istiod.values.meshConfig.trustDomain;
    const spire = spireTrustDomain(ci.manifests);
    if (istiodTrustDomain !== undefined && spire !== undefined && istiodTrustDomain !== spire) {
      add({
        severity: 'error',
        check: 'Trust Domain Check',
        cluster: ci.cluster.name,
        subject: `istiod values of ${ci.cluster.name}: meshConfig.trustDomain`,
        message: `is '${istiodTrustDomain}' but SPIRE's server.conf trust_domain is '${spire}': workloads would get identities istiod does not trust`,
        fix: `set clusters[].trustDomain once; both are derived from it`,
      });
    }
  }

  for (const ci of input.clusters) {
    const { cluster } = ci;
    // Upstream Istio links clusters without Solo peering: checkUpstreamMultiNetwork checks them.
    if (!peered(cluster) || isUpstreamMultiNetwork(mesh, cluster)) continue;
    const istiod = ci.istio?.istiod.values;
    const ztunnel = ci.istio?.ztunnel?.values;
    // The istiod chart copies `.Values.pilot` to the top level, so `pilot.env` counts as `env`
    // (istio/istio manifests/charts/istio-control/istio-discovery/templates/zzy_descope_legacy.yaml, 1.29).
    const env = (name: keyof IstiodEnv): string | undefined => istiod?.env[name] ?? istiod?.pilot?.env?.[name];
    const at = `istiod values of ${cluster.name}`;

    // Incompatible Environment Variable Check.
    if (operator) {
      // The operator derives istiod's values itself: nothing of them is in the output to check.
    } else if (!istiod) {
      add({
        severity: 'error',
        check: 'Incompatible Environment Variable Check',
        cluster: cluster.name,
        subject: 'istiod release',
        message: 'no istiod release is delivered to this peered cluster',
        fix: 'keep the Istio component in the cluster',
      });
    } else {
      const peering = istiod.platforms?.peering.enabled === true || env('ENABLE_PEERING_DISCOVERY') === 'true';
      if (!peering || env('ENABLE_PEERING_DISCOVERY') === 'false') {
        add({
          severity: 'error',
          check: 'Incompatible Environment Variable Check',
          cluster: cluster.name,
          subject: `${at}: platforms.peering.enabled / ENABLE_PEERING_DISCOVERY`,
          message: 'peering discovery is not enabled on istiod',
          fix: 'set platforms.peering.enabled: true (it sets ENABLE_PEERING_DISCOVERY=true) and remove any ENABLE_PEERING_DISCOVERY override',
        });
      }
      if (env('DISABLE_LEGACY_MULTICLUSTER') !== 'true') {
        add({
          severity: 'error',
          check: 'Incompatible Environment Variable Check',
          cluster: cluster.name,
          subject: `${at}: env.DISABLE_LEGACY_MULTICLUSTER`,
          message: `legacy multicluster is not disabled (DISABLE_LEGACY_MULTICLUSTER is ${JSON.stringify(env('DISABLE_LEGACY_MULTICLUSTER') ?? null)})`,
          fix: 'set env.DISABLE_LEGACY_MULTICLUSTER: "true" so cross-cluster discovery goes only through peering',
        });
      }
      if (env('K8S_SELECT_WORKLOAD_ENTRIES') === 'false') {
        add({
          severity: 'error',
          check: 'Incompatible Environment Variable Check',
          cluster: cluster.name,
          subject: `${at}: env.K8S_SELECT_WORKLOAD_ENTRIES`,
          message: 'K8S_SELECT_WORKLOAD_ENTRIES=false is incompatible with peering',
          fix: 'remove the K8S_SELECT_WORKLOAD_ENTRIES override',
        });
      }
      // License Check: multicluster needs a Solo Enterprise license, by Secret reference.
      if (cluster.istio.distribution === IstioDistribution.SOLO) {
        if (!istiod.license?.secretRef?.name) {
          add({
            severity: 'error',
            check: 'License Check',
            cluster: cluster.name,
            subject: `${at}: license.secretRef`,
            message: istiod.license?.value
              ? 'the license is inline in committed values, not a Secret reference'
              : 'no license is configured for istiod',
            fix: "set istio.license to IstioLicense.fromSecret('<secret>', 'istio-system') (YAML: istio.license.secretName/secretNamespace) and manage that Secret outside dist/",
          });
        }
      }
    }

    // Network Configuration Check: one network value everywhere it appears.
    const expected = cluster.network;
    const namespace = ci.manifests.find((m) => m.kind === 'Namespace' && m.metadata?.name === ISTIO_NAMESPACE);
    const places: [string, unknown, string][] = [
      [
        `Namespace ${ISTIO_NAMESPACE} label ${NETWORK_LABEL}`,
        namespace?.metadata?.labels?.[NETWORK_LABEL],
        `label the ${ISTIO_NAMESPACE} Namespace ${NETWORK_LABEL}=${expected}`,
      ],
      ...(operator
        ? []
        : [
            [`${at}: global.network`, istiod?.global.network, `set global.network: ${expected}`] as [string, unknown, string],
            ...(ztunnel
              ? [[`ztunnel values of ${cluster.name}: network`, ztunnel.network, `set network: ${expected}`] as [string, unknown, string]]
              : []),
          ]),
    ];
    const eastWest = ci.manifests.find((m) => m.kind === 'Gateway' && m.metadata?.name === EASTWEST_GATEWAY_NAME);
    places.push([
      `Gateway ${eastWest?.metadata?.namespace ?? 'istio-eastwest'}/${EASTWEST_GATEWAY_NAME} label ${NETWORK_LABEL}`,
      eastWest?.metadata?.labels?.[NETWORK_LABEL],
      `label the east-west Gateway ${NETWORK_LABEL}=${expected}`,
    ]);
    for (const [subject, value, fix] of places) {
      if (value !== expected) {
        add({
          severity: 'error',
          check: 'Network Configuration Check',
          cluster: cluster.name,
          subject,
          message:
            value === undefined
              ? `missing; the cluster's network is '${expected}'`
              : `is '${String(value)}' but the cluster's network is '${expected}'`,
          fix,
        });
      }
    }
  }

  // Networks must be unique across peered clusters (no flat network).
  const networks = new Map<string, string>();
  for (const ci of input.clusters.filter((c) => peered(c.cluster))) {
    const other = networks.get(ci.cluster.network);
    if (other)
      add({
        severity: 'error',
        check: 'Network Configuration Check',
        cluster: ci.cluster.name,
        subject: `network '${ci.cluster.network}'`,
        message: `is also the network of cluster ${other}; peered clusters need unique networks`,
        fix: 'give each cluster its own network name',
      });
    else networks.set(ci.cluster.network, ci.cluster.name);
  }

  // Remote peer gateways: network, trust domain and address of the cluster they stand for.
  for (const ci of input.clusters) {
    for (const gw of ci.manifests.filter((m) => m.kind === 'Gateway' && m.spec?.gatewayClassName === REMOTE_GATEWAY_CLASS)) {
      const name = String(gw.metadata?.name);
      const subject = `Gateway ${gw.metadata?.namespace}/${name}`;
      const remoteName = gw.metadata?.labels?.['topology.istio.io/cluster'] ?? name.slice(REMOTE_PEER_GATEWAY_PREFIX.length);
      const remote = byName.get(remoteName)?.cluster;
      if (!remote) {
        add({
          severity: 'error',
          check: 'Peers Check',
          cluster: ci.cluster.name,
          subject,
          message: `points at cluster '${remoteName}', which is not in the mesh`,
          fix: 'remove the gateway or declare the cluster',
        });
        continue;
      }
      if (gw.metadata?.labels?.[NETWORK_LABEL] !== remote.network) {
        add({
          severity: 'error',
          check: 'Network Configuration Check',
          cluster: ci.cluster.name,
          subject,
          message: `references network '${gw.metadata?.labels?.[NETWORK_LABEL]}' but cluster ${remote.name} is on '${remote.network}'`,
          fix: `label it ${NETWORK_LABEL}=${remote.network}`,
        });
      }
      if (gw.metadata?.annotations?.[TRUST_DOMAIN_ANNOTATION] !== remote.trustDomain) {
        add({
          severity: 'error',
          check: 'Trust Domain Check',
          cluster: ci.cluster.name,
          subject,
          message: `annotation ${TRUST_DOMAIN_ANNOTATION} is '${gw.metadata?.annotations?.[TRUST_DOMAIN_ANNOTATION]}' but cluster ${remote.name}'s trust domain is '${remote.trustDomain}'`,
          fix: `set it to '${remote.trustDomain}' (the remote meshConfig.trustDomain)`,
        });
      }
      const addresses = gw.spec?.addresses ?? [];
      if (addresses.length === 0 || addresses.some((a: any) => !a.value)) {
        add({
          severity: 'error',
          check: 'Peers Check',
          cluster: ci.cluster.name,
          subject,
          message: 'has no address (istiod rejects istio-remote Gateways without spec.addresses)',
          fix: `set eastWestAddress of cluster ${remote.name}`,
        });
      }
    }
  }

  // Trust domains that differ between peers: validation must be skipped on both ends, and the
  // setup is a known upstream problem for ambient multi-network.
  const differing = mesh.links.filter(
    (l) => l.from.trustDomain !== l.to.trustDomain && !isUpstreamMultiNetwork(mesh, l.from) && !isUpstreamMultiNetwork(mesh, l.to),
  );
  if (differing.length > 0) {
    const pairs = [...new Set(differing.map((l) => [l.from.name, l.to.name].sort().join(' <-> ')))];
    add({
      severity: 'warning',
      check: 'Trust Domain Check',
      subject: `trust domains of ${pairs.join(', ')}`,
      message: `peered clusters use different trust domains, a known upstream problem for ambient multi-network ("peer did not present the expected SAN"): ${TRUST_DOMAIN_ISSUES}`,
      fix: 'prefer one trust domain for all clusters (they already share one root of trust)',
    });
    for (const c of new Set(differing.flatMap((l) => [l.from, l.to]))) {
      const ci = byName.get(c.name);
      if (operator) continue;
      const istiod = ci?.istio?.istiod.values;
      const ztunnel = ci?.istio?.ztunnel?.values;
      if (istiod && (istiod.env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN ?? istiod.pilot?.env?.PILOT_SKIP_VALIDATE_TRUST_DOMAIN) !== 'true') {
        add({
          severity: 'error',
          check: 'Trust Domain Check',
          cluster: c.name,
          subject: `istiod values of ${c.name}: env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN`,
          message: 'trust domains differ between peers but istiod still validates them',
          fix: 'set env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN: "true"',
        });
      }
      if (ztunnel && ztunnel.env.SKIP_VALIDATE_TRUST_DOMAIN !== 'true') {
        add({
          severity: 'error',
          check: 'Trust Domain Check',
          cluster: c.name,
          subject: `ztunnel values of ${c.name}: env.SKIP_VALIDATE_TRUST_DOMAIN`,
          message: 'trust domains differ between peers but ztunnel still validates them',
          fix: 'set env.SKIP_VALIDATE_TRUST_DOMAIN: "true" (Solo requires it when each cluster has its own trust domain)',
        });
      }
    }
  }

  // Sidecars in a peered ambient multi-network mesh get east-west gateway endpoints and fail
  // with 503 (istio/istio#57878, open).
  for (const c of mesh.clusters.filter((x) => peered(x) && x.dataplaneMode === DataplaneMode.SIDECAR && !isUpstreamMultiNetwork(mesh, x))) {
    add({
      severity: 'warning',
      check: 'Peers Check',
      cluster: c.name,
      subject: `dataplaneMode of ${c.name}`,
      message:
        'sidecar workloads in a peered multi-network mesh receive east-west gateway endpoints and fail with 503 (istio/istio#57878, open)',
      fix: 'run peered clusters in ambient mode, or keep sidecar clusters out of the links',
    });
  }

  // Topology: a peered cluster that can reach none of the others.
  if (mesh.isMulticluster) {
    for (const c of mesh.clusters) {
      const out = mesh.linksFrom(c).length;
      const inbound = mesh.linksTo(c).length;
      if (out === 0 && inbound > 0) {
        add({
          severity: 'warning',
          check: 'Peers Check',
          cluster: c.name,
          subject: `links of ${c.name}`,
          message: `cluster ${c.name} can reach no other cluster (only ${mesh
            .linksTo(c)
            .map((l) => l.from.name)
            .join(', ')} reach it)`,
          fix: `add a link from ${c.name} if its workloads must call other clusters`,
        });
      } else if (out === 0 && inbound === 0) {
        add({
          severity: 'warning',
          check: 'Peers Check',
          cluster: c.name,
          subject: `links of ${c.name}`,
          message: `cluster ${c.name} is linked to no other cluster`,
          fix: 'add links, or move it to a mesh of its own',
        });
      }
    }
  }

  // Upstream multi-primary on different networks (lib/app/check-upstream-multinetwork.ts).
  findings.push(...checkUpstreamMultiNetwork(input).map(checkFinding));
  findings.push(...(input.mesh.pki.delivery.kind === 'cert-manager' ? checkCertManager(input) : certificateFindings(input)));
  // SPIFFE federation between the mesh's trust domains (lib/app/check-federation.ts).
  findings.push(...federationFindings(input));
  return findings;
}

/** Intermediate Certs Compatibility Check: every intermediate chains to the one root; expiry. */
function certificateFindings(input: CheckInput): CheckFinding[] {
  const certs = input.certificates;
  if (!certs) return [];
  const now = input.now ?? new Date();
  const warnDays = input.expiryWarningDays ?? 30;
  const findings: CheckFinding[] = [];
  const add = (f: CheckFindingInput) => findings.push(checkFinding(f));
  const expiry = (cluster: string | undefined, subject: string, info: CertificateInfo) => {
    const days = daysLeft(info.notAfter, now);
    if (days < 0)
      add({
        severity: 'error',
        check: 'Intermediate Certs Compatibility Check',
        cluster,
        subject,
        message: `expired on ${info.notAfter.toISOString().slice(0, 10)}`,
        fix: cluster ? `spiremesh pki rotate --cluster ${cluster}` : 'replace the root (a trust-domain migration)',
      });
    else if (days < warnDays)
      add({
        severity: 'warning',
        check: 'Intermediate Certs Compatibility Check',
        cluster,
        subject,
        message: `expires on ${info.notAfter.toISOString().slice(0, 10)}, within ${warnDays} days`,
        fix: cluster ? `spiremesh pki rotate --cluster ${cluster}` : 'plan the root replacement',
      });
  };
  expiry(undefined, `root CA ${certs.root.subject}`, certs.root);
  for (const ci of input.clusters) {
    const own = certs.clusters[ci.cluster.name];
    if (!own) {
      add({
        severity: 'error',
        check: 'Intermediate Certs Compatibility Check',
        cluster: ci.cluster.name,
        subject: 'cacerts / spiffe-upstream-ca',
        message: 'the cluster has no intermediate certificates',
        fix: 'spiremesh pki init',
      });
      continue;
    }
    for (const [what, info] of [
      ['SPIRE upstream intermediate', own.spireIntermediate],
      ['istiod intermediate (cacerts ca-cert.pem)', own.istioIntermediate],
    ] as const) {
      const problem = chainProblem(info, certs.root);
      if (problem) {
        add({
          severity: 'error',
          check: 'Intermediate Certs Compatibility Check',
          cluster: ci.cluster.name,
          subject: `${what} ${info.subject}`,
          message: `does not chain to the mesh root ${certs.root.subject}: ${problem} Cross-cluster HBONE needs one shared root (istio/istio#61719)`,
          fix: `issue it from the mesh root: spiremesh pki rotate --cluster ${ci.cluster.name}`,
        });
      }
      expiry(ci.cluster.name, `${what} ${info.subject}`, info);
    }
  }
  return findings;
}

/** One line per finding, for terminals and the review page. */
export function formatCheckFinding(f: CheckFinding): string {
  return formatFinding(f, { inline: true });
}
