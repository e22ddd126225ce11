/**
 * Names shared by the east-west and remote peer Gateways, defined once. Values are those of
 * Solo's `istioctl multicluster expose` / `link` (istio-ambient.md §1, §2); the namespace and
 * the topology labels come from lib/spec/names.ts.
 */
import { GatewaySpecListeners, GatewaySpecListenersTlsMode } from '../../imports/gatewayapi-gateway-gateway.networking.k8s.io';

/** Name of the east-west Gateway, and of the Deployment, Service and ServiceAccount its class deploys (§1). */
export const EASTWEST_GATEWAY_NAME = 'istio-eastwest';

/** Solo's east-west class (no hyphen; upstream's `istio-east-west` is a different gateway, §1). */
export const EASTWEST_GATEWAY_CLASS = 'istio-eastwest';

/** Class of the Gateways that stand for a peered cluster (§2; istiod rejects any other class). */
export const REMOTE_GATEWAY_CLASS = 'istio-remote';

/** Prefix of remote peer Gateway names: `istio-remote-peer-<remote cluster>` (§2, current builds). */
export const REMOTE_PEER_GATEWAY_PREFIX = 'istio-remote-peer-';

/** Name of the Gateway, in the source cluster, that stands for `remoteCluster`. */
export function remotePeerGatewayName(remoteCluster: string): string {
  return `${REMOTE_PEER_GATEWAY_PREFIX}${remoteCluster}`;
}

/** Cross-network HBONE listener (data plane, §1). */
export const HBONE_LISTENER_NAME = 'cross-network';
export const HBONE_PORT = 15008;
export const HBONE_PROTOCOL = 'HBONE';

/** istiod xDS listener; istiod reads the peer's xDS port from the listener of this name (§2). */
export const XDS_LISTENER_NAME = 'xds-tls';
export const XDS_PORT = 15012;
export const XDS_PROTOCOL = 'TLS';

/** Label that makes the east-west gateway expose istiod; `link` finds the remote gateway by it (§2). */
export const EXPOSE_ISTIOD_LABEL = 'istio.io/expose-istiod';

/** Standard topology labels: locality of the gateways (§1, §2). */
export const REGION_LABEL = 'topology.kubernetes.io/region';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Service type of the gateway's Service (the eastwest class defaults to LoadBalancer, §1). */
export const SERVICE_TYPE_ANNOTATION = 'networking.istio.io/service-type';
/** On the east-west Gateway: istiod advertises the HBONE NodePort (§1, NodePort option). */
export const DATA_PLANE_SERVICE_TYPE_ANNOTATION = 'peering.solo.io/data-plane-service-type';
/** On a remote peer Gateway: reach that peer through its NodePort (§1, NodePort option). */
export const PREFERRED_DATA_PLANE_SERVICE_TYPE_ANNOTATION = 'peering.solo.io/preferred-data-plane-service-type';

/** Service account of the remote east-west gateway, i.e. its Service name (§2). */
export const SERVICE_ACCOUNT_ANNOTATION = 'gateway.istio.io/service-account';
/** Trust domain of the remote cluster (§2). */
export const TRUST_DOMAIN_ANNOTATION = 'gateway.istio.io/trust-domain';

/**
 * The two listeners that both `expose` and `link` write, in this order (§1, §2). No
 * `allowedRoutes`: the API server fills in its default (§1).
 */
export function peeringListeners(): GatewaySpecListeners[] {
  return [
    { name: HBONE_LISTENER_NAME, port: HBONE_PORT, protocol: HBONE_PROTOCOL, tls: { mode: GatewaySpecListenersTlsMode.PASSTHROUGH } },
    { name: XDS_LISTENER_NAME, port: XDS_PORT, protocol: XDS_PROTOCOL, tls: { mode: GatewaySpecListenersTlsMode.PASSTHROUGH } },
  ];
}

/** Region and zone labels of a cluster, only those the spec gives (§1: "only if detected or set"). */
export function localityLabels(cluster: { readonly region?: string; readonly zone?: string }): Record<string, string> {
  const labels: Record<string, string> = {};
  if (cluster.region !== undefined) labels[REGION_LABEL] = cluster.region;
  if (cluster.zone !== undefined) labels[ZONE_LABEL] = cluster.zone;
  return labels;
}
