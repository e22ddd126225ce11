/**
 * Istio chart values derived from the mesh spec: the values of
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ for the single-cluster and multicluster shapes,
 * with trust domain, cluster name and network taken from the spec so that they agree with SPIRE
 * and the gateways by construction.
 */
import {
  CROSS_NETWORK_GATEWAY_PORT,
  ClusterModel,
  DataplaneMode,
  EastWestServiceType,
  ISTIO_NAMESPACE,
  IngressGatewayModel,
  IstioDistribution,
  LicenseModel,
  MeshModel,
} from '../../spec';
import { SPIRE_PATHS } from '../../spire/names';
import { BaseValues } from './base';
import { CniValues } from './cni';
import { GatewayValues } from './gateway';
import { IstiodEnv, IstiodGlobalValues, IstiodValues, LicenseValues, MeshNetworkValues } from './istiod';
import {
  GATEWAY_INJECTION_TEMPLATES,
  INJECT_TEMPLATES_ANNOTATION,
  SIDECAR_DEFAULT_TEMPLATES,
  SPIRE_INJECTION_TEMPLATES,
} from './spire-injection';
import { ZtunnelValues } from './ztunnel';

/** Cluster DNS suffix used by proxies (`proxy.clusterDomain` in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** True when the clusters that peer with `cluster` use a different trust domain than it does. */
export function peersUseOtherTrustDomains(mesh: MeshModel, cluster: ClusterModel): boolean {
  return mesh.linksOf(cluster).some((l) => l.from.trustDomain !== l.to.trustDomain);
}

export function baseValues(cluster: ClusterModel): BaseValues {
  // `defaultRevision: ""` and the ambient profile, as in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/;
  // sidecar clusters select no profile (there is no `default` one, see IstioProfile).
  return { defaultRevision: '', ...(cluster.dataplaneMode === DataplaneMode.AMBIENT ? { profile: 'ambient' as const } : {}) };
}

/**
 * Sidecars treat `spiffe://<alias>/ns/<ns>/sa/<sa>` as the identity `spiffe://<trust domain>/ns/<ns>/sa/<sa>`
 * only for the mesh's `trustDomainAliases` ("Any service with the identity td1/ns/foo/sa/a-service-account,
 * td2/ns/foo/sa/a-service-account, or td3/ns/foo/sa/a-service-account will be treated the same in the Istio
 * mesh", https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-trust_domain_aliases):
 * the trust domains a cluster federates with, and those of the clusters it is linked with, are its aliases.
 * (Ambient and Solo clusters also skip the check: PILOT_SKIP_VALIDATE_TRUST_DOMAIN.)
 */
function trustDomainAliasesOf(mesh: MeshModel, cluster: ClusterModel): { trustDomainAliases?: string[] } {
  const others = new Set([
    ...mesh.federatesWith(cluster.trustDomain),
    ...mesh.linksOf(cluster).flatMap((l) => [l.from.trustDomain, l.to.trustDomain]),
  ]);
  others.delete(cluster.trustDomain);
  return others.size > 0 ? { trustDomainAliases: [...others].sort() } : {};
}

export function istiodValues(mesh: MeshModel, cluster: ClusterModel): IstiodValues {
  const license = mesh.license;
  const peered = mesh.isPeered(cluster);
  const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
  const env: IstiodEnv = {
    PILOT_ENABLE_IP_AUTOALLOCATE: 'true',
    // "Required when meshConfig.trustDomain is set" (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/),
    // for every cluster of the Solo distribution. Community sidecars keep the peer trust-domain check, as
    // Istio's SPIRE integration installs them (https://istio.io/latest/docs/ops/integrations/spire/ sets no
    // such variable); federated and linked trust domains are accepted through `meshConfig.trustDomainAliases`.
    ...(ambient || cluster.istio.distribution === IstioDistribution.SOLO ? { PILOT_SKIP_VALIDATE_TRUST_DOMAIN: 'true' as const } : {}),
    // Solo-only: peering replaces remote-secret discovery. Upstream multi-network discovers through remote secrets.
    ...(peered && cluster.istio.distribution === IstioDistribution.SOLO ? { DISABLE_LEGACY_MULTICLUSTER: 'true' as const } : {}),
  };
  return {
    ...(ambient ? { profile: 'ambient' as const } : {}),
    global: {
      hub: cluster.istio.hub,
      tag: cluster.istio.tag,
      proxy: { clusterDomain: CLUSTER_DOMAIN },
      ...(peered ? { multiCluster: { clusterName: cluster.name }, network: cluster.network } : {}),
      ...(peered && cluster.istio.distribution === IstioDistribution.UPSTREAM ? upstreamMultiNetworkGlobals(mesh, cluster) : {}),
    },
    meshConfig: {
      accessLogFile: '/dev/stdout',
      // The Solo guide also sets ISTIO_META_DNS_AUTO_ALLOCATE, deprecated since 1.25 (istio/istio
      // pkg/config/validation/agent/validation.go warns; PILOT_ENABLE_IP_AUTOALLOCATE replaces it), so it is left out.
      defaultConfig: { proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } },
      // Must equal the SPIRE trust domain: workload identities are issued by SPIRE.
      trustDomain: cluster.trustDomain,
      ...(ambient ? {} : trustDomainAliasesOf(mesh, cluster)),
    },
    env,
    pilot: { cni: { enabled: cluster.istioCni } },
    ...(cluster.istio.distribution === IstioDistribution.SOLO
      ? {
          gateways: { spire: { workloads: true } },
          ...(peered ? { platforms: { peering: { enabled: true } } } : {}),
          ...(license ? { license: licenseValues(license) } : {}),
        }
      : {}),
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
    // Sidecar clusters: every injected pod gets the `spire` template after Istio's `sidecar` one, so its proxy reads
    // SVIDs from the SPIRE agent (https://istio.io/latest/docs/ops/integrations/spire/). Seed 004 selects the template
    // per pod (`inject.istio.io/templates: sidecar,spire`); `defaultTemplates` is the documented way to make it the default
    // (values.yaml of the istiod chart, 1.29.1). Istio's SPIRE integration needs no other istiod or proxy setting: the
    // seed's IstioOperator sets only `meshConfig.trustDomain` and the template (its `profile: default` is no Helm profile).
    ...(ambient
      ? {}
      : { sidecarInjectorWebhook: { templates: { ...SPIRE_INJECTION_TEMPLATES }, defaultTemplates: [...SIDECAR_DEFAULT_TEMPLATES] } }),
  };
}

/**
 * Upstream multi-primary on different networks (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/:
 * `--set global.meshID=mesh1 --set global.multiCluster.clusterName=cluster1 --set global.network=network1`). The mesh
 * ID is the mesh name, the same in every cluster: istiod defaults it to the trust domain (values.yaml of the istiod chart,
 * 1.29.1), which differs per cluster in federated meshes. `meshNetworks` names, for each cluster this one reads, the
 * gateway address the spec gives (`eastWestAddress`, port 15443), as a fallback: istiod prefers the gateways it
 * discovers from the remote `istio-eastwestgateway` Service (LoadBalancer status, or node addresses for NodePort) for
 * the endpoint's network and cluster and uses meshNetworks gateways, which carry no cluster, only when it finds none
 * (`selectNetworkGateways` in istio/istio pilot/pkg/xds/endpoints/ep_filters.go and `NetworkManager.reload` in
 * pilot/pkg/model/network.go, 1.29.1; host names are resolved by istiod, RESOLVE_HOSTNAME_GATEWAYS defaults to true).
 * NodePort gateways get no entry: their node port is not known at synth.
 */
function upstreamMultiNetworkGlobals(mesh: MeshModel, cluster: ClusterModel): Pick<IstiodGlobalValues, 'meshID' | 'meshNetworks'> {
  const meshNetworks: Record<string, MeshNetworkValues> = {};
  for (const { to } of mesh.linksFrom(cluster)) {
    if (to.eastWestAddress === undefined || to.eastWestServiceType !== EastWestServiceType.LOAD_BALANCER) continue;
    meshNetworks[to.network] = {
      endpoints: [{ fromRegistry: to.name }],
      gateways: [{ address: to.eastWestAddress, port: CROSS_NETWORK_GATEWAY_PORT }],
    };
  }
  return { meshID: mesh.name, ...(Object.keys(meshNetworks).length > 0 ? { meshNetworks } : {}) };
}

function licenseValues(license: LicenseModel): LicenseValues {
  return license.kind === 'secret' ? { secretRef: { ...license.secretRef } } : { value: license.value };
}

/**
 * istio-cni: on ambient clusters the values of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/; on sidecar
 * clusters with `istioCni` the chart's defaults (the plugin then redirects the traffic of injected pods, replacing
 * istio-init: https://istio.io/latest/docs/setup/additional-setup/cni/), with the images and revision of the cluster.
 */
export function cniValues(cluster: ClusterModel): CniValues {
  const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
  return {
    ...(ambient ? { profile: 'ambient' as const } : {}),
    global: { hub: cluster.istio.hub, tag: cluster.istio.tag },
    ...(ambient ? { ambient: { dnsCapture: true }, excludeNamespaces: [ISTIO_NAMESPACE, 'kube-system'] } : {}),
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
  };
}

/**
 * The selector labels the gateway chart gives an ingress gateway's pods and Service: `app: <name>` and
 * `istio: <name without a leading "istio-">` (`gateway.selectorLabels` in templates/_helpers.tpl of istio/istio
 * manifests/charts/gateway, 1.29.1, with `labels.app`/`labels.istio` unset), so the release `istio-ingressgateway`
 * is selected by `istio: ingressgateway`, as in seed 004. Istio Gateway resources select the gateway with them.
 */
export function ingressGatewaySelectorLabels(gateway: IngressGatewayModel): { readonly app: string; readonly istio: string } {
  const prefix = 'istio-';
  return { app: gateway.name, istio: gateway.name.startsWith(prefix) ? gateway.name.slice(prefix.length) : gateway.name };
}

/**
 * An ingress gateway's `gateway` chart values: the declared Service; on sidecar clusters the pod annotation that adds
 * the SPIRE template to the `gateway` template (the annotation replaces the default templates, so it names both). The
 * chart names the Deployment, Service and ServiceAccount after the release (`gateway.name`), so the gateway's SPIFFE ID is
 * `spiffe://<trust domain>/ns/<namespace>/sa/<name>`.
 */
export function gatewayValues(cluster: ClusterModel, gateway: IngressGatewayModel): GatewayValues {
  return {
    service: {
      type: gateway.serviceType.value,
      ports: gateway.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP' as const, targetPort: p.targetPort })),
    },
    ...(cluster.dataplaneMode === DataplaneMode.SIDECAR
      ? { podAnnotations: { [INJECT_TEMPLATES_ANNOTATION]: GATEWAY_INJECTION_TEMPLATES.join(',') } }
      : {}),
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
    // The Solo guide's ztunnel values also set `configValidation`, `enabled`, `namespace` and
    // `proxy.clusterDomain`: the ztunnel chart declares none of them and no template reads them
    // (values.yaml and templates/ of istio/istio manifests/charts/ztunnel 1.29.1 and of the Solo
    // 1.29.0 snapshot; the namespace is `.Release.Namespace`), so they are left out.
    env: {
      L7_ENABLED: 'true',
      // "Required when a unique trust domain is set for each cluster" (multicluster values of
      // https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
      ...(peersUseOtherTrustDomains(mesh, cluster) ? { SKIP_VALIDATE_TRUST_DOMAIN: 'true' as const } : {}),
    },
    istioNamespace: ISTIO_NAMESPACE,
    ...(peered ? { multiCluster: { clusterName: cluster.name }, network: cluster.network } : {}),
    // The Solo ztunnel asks the node's SPIRE agent for workload certificates
    // (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/) over the
    // admin socket that SpireAgent mounts on the host: the path comes from the same constant.
    spire: { enabled: true, adminSockHostPath: SPIRE_PATHS.agentAdminSocketHostDir },
    terminationGracePeriodSeconds: 29,
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
  };
}
