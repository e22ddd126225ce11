/**
 * Names shared by the east-west and remote peer Gateways, defined once. Values are those of
 * Solo's `istioctl multicluster expose` / `link`, read in Solo's Istio fork PetrMc/istio-petrmc-upstream-fork @bb9338f5
 * (the files named below are in it): `makeExposeGateway` in istioctl/pkg/peer/expose.go and `makeLinkGateway` in
 * istioctl/pkg/peer/link.go. The namespace and the topology labels come from lib/spec/names.ts.
 */
import { GatewaySpecListeners, GatewaySpecListenersTlsMode } from '../../imports/gatewayapi-gateway-gateway.networking.k8s.io';

/**
 * Name of the east-west Gateway, and of the Deployment, Service and ServiceAccount its class deploys (expose.go;
 * `disableNameSuffix` in pilot/pkg/config/kube/gateway/deploymentcontroller.go).
 */
export const EASTWEST_GATEWAY_NAME = 'istio-eastwest';

/**
 * Solo's east-west class (no hyphen; upstream's `istio-east-west`, istio/istio pkg/config/constants/constants.go, is a
 * different gateway).
 */
export const EASTWEST_GATEWAY_CLASS = 'istio-eastwest';

/**
 * Class of the Gateways that stand for a peered cluster (istiod rejects any other class: ValidatePeerGateway in
 * platform/discovery/peering/watcher.go).
 */
export const REMOTE_GATEWAY_CLASS = 'istio-remote';

/** Prefix of remote peer Gateway names: `istio-remote-peer-<remote cluster>` (link.go; builds of mid-2025 used the network). */
export const REMOTE_PEER_GATEWAY_PREFIX = 'istio-remote-peer-';

/** Name of the Gateway, in the source cluster, that stands for `remoteCluster`. */
export function remotePeerGatewayName(remoteCluster: string): string {
  return `${REMOTE_PEER_GATEWAY_PREFIX}${remoteCluster}`;
}

/** Cross-network HBONE listener (data plane; expose.go, link.go). */
export const HBONE_LISTENER_NAME = 'cross-network';
export const HBONE_PORT = 15008;
export const HBONE_PROTOCOL = 'HBONE';

/** istiod xDS listener; istiod reads the peer's xDS port from the listener of this name (TranslatePeerGateway, watcher.go). */
export const XDS_LISTENER_NAME = 'xds-tls';
export const XDS_PORT = 15012;
export const XDS_PROTOCOL = 'TLS';

/** Label that makes the east-west gateway expose istiod; `link` finds the remote gateway by it (`findGateway`, link.go). */
export const EXPOSE_ISTIOD_LABEL = 'istio.io/expose-istiod';

/** Standard topology labels: locality of the gateways (expose.go, link.go). */
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Service type of the gateway's Service (the eastwest class defaults to LoadBalancer, deploymentcontroller.go). */
export const SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';
/** On the east-west Gateway: istiod advertises the HBONE NodePort (pkg/config/constants/solo.go, releasenotes/solo/3475.yaml). */
export const DATA_PLANE_SERVICE_TYPE_ANNOTATION = 'peering.solo.io/data-plane-service-type';
/** On a remote peer Gateway: reach that peer through its NodePort (pkg/config/constants/solo.go, releasenotes/solo/3475.yaml). */
export const PREFERRED_DATA_PLANE_SERVICE_TYPE_ANNOTATION = 'peering.solo.io/preferred-data-plane-service-type';

/** Service account of the remote east-west gateway, i.e. its Service name (link.go). */
export const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
/** Trust domain of the remote cluster: its `meshConfig.trustDomain` (`fetchTrustDomain`, link.go). */
export const TRUST_DOMAIN_ANNOTATION = 'gateway.istio.io/trust-domain';

/**
 * The two listeners that both `expose` and `link` write, in this order (expose.go, link.go). No
 * `allowedRoutes`: neither writes one, and the API server fills in its default.
 */
export function peeringListeners(): GatewaySpecListeners[] {
  return [
    { name: HBONE_LISTENER_NAME, port: HBONE_PORT, protocol: HBONE_PROTOCOL, tls: { mode: GatewaySpecListenersTlsMode.PASSTHROUGH } },
    { name: XDS_LISTENER_NAME, port: XDS_PORT, protocol: XDS_PROTOCOL, tls: { mode: GatewaySpecListenersTlsMode.PASSTHROUGH } },
  ];
}

/** Region and zone labels of a cluster, only those the spec gives (expose.go writes them only if detected or set). */
export function localityLabels(cluster: { readonly region?: string; readonly zone?: string }): Record<string, string> {
  const labels: Record<string, string> = {};
  if (cluster.region !== undefined) labels[REGION_LABEL] = cluster.region;
  if (cluster.zone !== undefined) labels[ZONE_LABEL] = cluster.zone;
  return labels;
}
