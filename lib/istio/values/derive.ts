/**
 * Istio chart values derived from the mesh spec: the values of
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ for the single-cluster and multicluster shapes,
 * with trust domain, cluster name and network taken from the spec so that they agree with SPIRE
 * and the gateways by construction.
 */
import { Scalar, stringify } from 'yaml';
import { ClusterModel, DataplaneMode, ISTIO_NAMESPACE, IstioDistribution, LicenseModel, MeshModel } from '../../spec';
import { SPIRE_NAMES, SPIRE_PATHS } from '../../spire/names';
import { BaseValues } from './base';
import { CniValues } from './cni';
import { IstiodEnv, IstiodValues, LicenseValues } from './istiod';
import { ZtunnelValues } from './ztunnel';

/** Cluster DNS suffix used by proxies (`proxy.clusterDomain` in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** True when the clusters that peer with `cluster` use a different trust domain than it does. */
export function peersUseOtherTrustDomains(mesh: MeshModel, cluster: ClusterModel): boolean {
  return mesh.linksOf(cluster).some((l) => l.from.trustDomain !== l.to.trustDomain);
}

export function baseValues(): BaseValues {
  // `defaultRevision: ""` and the ambient profile, as in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/
  return { defaultRevision: '', profile: 'ambient' };
}

export function istiodValues(mesh: MeshModel, cluster: ClusterModel): IstiodValues {
  const license = mesh.license;
  const peered = mesh.isPeered(cluster);
  const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
  const env: IstiodEnv = {
    PILOT_ENABLE_IP_AUTOALLOCATE: 'true',
    // "Required when meshConfig.trustDomain is set" (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/);
    // spiremesh always sets it (to the SPIRE trust domain).
    PILOT_SKIP_VALIDATE_TRUST_DOMAIN: 'true',
    ...(peered ? { DISABLE_LEGACY_MULTICLUSTER: 'true' as const } : {}),
  };
  return {
    profile: ambient ? 'ambient' : 'default',
    global: {
      hub: cluster.istio.hub,
      tag: cluster.istio.tag,
      proxy: { clusterDomain: CLUSTER_DOMAIN },
      ...(peered ? { multiCluster: { clusterName: cluster.name }, network: cluster.network } : {}),
    },
    meshConfig: {
      accessLogFile: '/dev/stdout',
      // The Solo guide also sets ISTIO_META_DNS_AUTO_ALLOCATE, deprecated since 1.25 (istio/istio
      // pkg/config/validation/agent/validation.go warns; PILOT_ENABLE_IP_AUTOALLOCATE replaces it), so it is left out.
      defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } },
      // Must equal the SPIRE trust domain: workload identities are issued by SPIRE.
      trustDomain: cluster.trustDomain,
    },
    env,
    pilot: { cni: { enabled: true } },
    ...(cluster.istio.distribution === IstioDistribution.SOLO
      ? {
          gateways: { spire: { workloads: true } },
          ...(peered ? { platforms: { peering: { enabled: true } } } : {}),
          ...(license ? { license: licenseValues(license) } : {}),
        }
      : {}),
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
    ...(ambient ? {} : { sidecarInjectorWebhook: { templates: { spire: SIDECAR_SPIRE_TEMPLATE } } }),
  };
}

function licenseValues(license: LicenseModel): LicenseValues {
  return license.kind === 'secret' ? { secretRef: { ...license.secretRef } } : { value: license.value };
}

/** Where the `spire` injection template mounts the SPIFFE CSI volume in istio-proxy: Envoy's SDS reads `<dir>/socket`. */
export const WORKLOAD_SOCKET_MOUNT_PATH = '/run/secrets/workload-spiffe-uds';

/**
 * Sidecar clusters read SVIDs from the SPIRE agent's Workload API socket through the SPIFFE CSI
 * driver: the `spire` injection template mounts it read-only where Envoy's SDS expects it
 * (Istio's SPIRE integration, https://istio.io/latest/docs/ops/integrations/spire/). Built from
 * an object, so the YAML cannot be mis-indented; the driver name is the CSI driver's own.
 */
export const SIDECAR_SPIRE_TEMPLATE: string = (() => {
  const driver = new Scalar(SPIRE_NAMES.csiPluginName);
  driver.type = Scalar.QUOTE_DOUBLE;
  const template = {
    spec: {
      containers: [
        { name: 'istio-proxy', volumeMounts: [{ name: 'workload-socket', mountPath: WORKLOAD_SOCKET_MOUNT_PATH, readOnly: true }] },
      ],
      volumes: [{ name: 'workload-socket', csi: { driver, readOnly: true } }],
    },
  };
  return stringify(template, { indentSeq: false });
})();

export function cniValues(cluster: ClusterModel): CniValues {
  return {
    profile: cluster.dataplaneMode === DataplaneMode.AMBIENT ? 'ambient' : 'default',
    global: { hub: cluster.istio.hub, tag: cluster.istio.tag },
    ...(cluster.dataplaneMode === DataplaneMode.AMBIENT ? { ambient: { dnsCapture: true } } : {}),
    excludeNamespaces: [ISTIO_NAMESPACE, 'kube-system'],
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
  };
}

export function ztunnelValues(mesh: MeshModel, cluster: ClusterModel): ZtunnelValues {
  const peered = mesh.isPeered(cluster);
  return {
    profile: 'ambient',
    hub: cluster.istio.hub,
    tag: cluster.istio.tag,
    variant: 'distroless',
    configValidation: true,
    enabled: true,
    env: {
      L7_ENABLED: 'true',
      // "Required when a unique trust domain is set for each cluster" (multicluster values of
      // https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
      ...(peersUseOtherTrustDomains(mesh, cluster) ? { SKIP_VALIDATE_TRUST_DOMAIN: 'true' as const } : {}),
    },
    istioNamespace: ISTIO_NAMESPACE,
    namespace: ISTIO_NAMESPACE,
    proxy: { clusterDomain: CLUSTER_DOMAIN },
    ...(peered ? { multiCluster: { clusterName: cluster.name }, network: cluster.network } : {}),
    // The Solo ztunnel asks the node's SPIRE agent for workload certificates
    // (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/) over the
    // admin socket that SpireAgent mounts on the host: the path comes from the same constant.
    spire: { enabled: true, adminSockHostPath: SPIRE_PATHS.agentAdminSocketHostDir },
    terminationGracePeriodSeconds: 29,
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
  };
}
