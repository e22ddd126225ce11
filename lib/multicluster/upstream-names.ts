/**
 * Names of upstream (community) Istio's multi-network sidecar mesh, defined once: the classic east-west gateway on port
 * 15443, the `cross-network-gateway` that exposes the services through it, and the remote secrets istiod reads other
 * clusters with. Sources (istio/istio at tag 1.29.1, commit 6991a379): samples/multicluster/gen-eastwest-gateway.sh,
 * samples/multicluster/expose-services.yaml, manifests/charts/gateway, istioctl/pkg/multicluster/remote_secret.go, and
 * "Install Multi-Primary on different networks" (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).
 */
import { CROSS_NETWORK_GATEWAY_PORT, UPSTREAM_EASTWEST_GATEWAY_NAME } from '../spec';

export { UPSTREAM_EASTWEST_GATEWAY_NAME };

/** The `gateway` chart of upstream Istio's Helm repository (manifests/charts/gateway). */
export const GATEWAY_CHART = 'gateway';

/**
 * The selector labels the gateway chart gives the east-west gateway's pods and Service: `app: <name>` and `istio: <name
 * without "istio-">` (`gateway.selectorLabels`, _helpers.tpl), i.e. the labels gen-eastwest-gateway.sh sets
 * (`istio: eastwestgateway`, `app: istio-eastwestgateway`). The `cross-network-gateway` selects the pods by `istio`.
 */
export const UPSTREAM_EASTWEST_GATEWAY_LABELS = {
  app: UPSTREAM_EASTWEST_GATEWAY_NAME,
  istio: UPSTREAM_EASTWEST_GATEWAY_NAME.replace(/^istio-/, ''),
} as const;

/** Name of the Istio Gateway that exposes every `*.local` service on the east-west gateway (expose-services.yaml). */
export const CROSS_NETWORK_GATEWAY_NAME = 'cross-network-gateway';

/** Its server: `tls` on 15443, protocol TLS, AUTO_PASSTHROUGH for hosts `*.local` (expose-services.yaml). */
export const CROSS_NETWORK_SERVER = {
  portName: 'tls',
  port: CROSS_NETWORK_GATEWAY_PORT,
  protocol: 'TLS',
  hosts: ['*.local'],
} as const;

/**
 * The Service ports the gateway chart renders when `networkGateway` is set, in order (templates/service.yaml): the
 * same list gen-eastwest-gateway.sh writes. The chart ignores `service.ports` then, so these are facts, not values.
 */
export const UPSTREAM_EASTWEST_SERVICE_PORTS = [
  { name: 'status-port', port: 15021, targetPort: 15021 },
  { name: 'tls', port: CROSS_NETWORK_GATEWAY_PORT, targetPort: CROSS_NETWORK_GATEWAY_PORT },
  { name: 'tls-istiod', port: 15012, targetPort: 15012 },
  { name: 'tls-webhook', port: 15017, targetPort: 15017 },
] as const;

/**
 * The proxy environment variable the chart sets to the network with `networkGateway` (templates/deployment.yaml): traffic
 * through the gateway is routed inside that network (gen-eastwest-gateway.sh).
 */
export const REQUESTED_NETWORK_VIEW_ENV = 'ISTIO_META_REQUESTED_NETWORK_VIEW';

/**
 * Service annotation that makes istiod use node addresses and node ports for a NodePort network gateway: a JSON map of
 * node labels, `{}` for every node (istio.io/api annotation `traffic.istio.io/nodeSelector`; read by
 * `getNodeSelectorsForService` and `isNodePortGatewayService` in pilot/pkg/serviceregistry/kube/controller/util.go).
 * Only nodes with an ExternalIP address are used.
 */
export const NODE_SELECTOR_ANNOTATION = 'traffic.istio.io/nodeSelector';

/** Prefix of the remote secret of cluster `c`: `istio-remote-secret-<c>` (`remoteSecretPrefix`, remote_secret.go). */
export const REMOTE_SECRET_PREFIX = 'istio-remote-secret-';

/** Name of the Secret that holds the kubeconfig of `remoteCluster`. */
export function remoteSecretName(remoteCluster: string): string {
  return `${REMOTE_SECRET_PREFIX}${remoteCluster}`;
}

/** Label istiod selects remote secrets by (`MultiClusterSecretLabel`, istio/istio pkg/kube/multicluster/secretcontroller.go). */
export const MULTICLUSTER_SECRET_LABEL = 'istio/multiCluster';

/** Annotation naming the remote cluster on its secret (`clusterNameAnnotationKey`, istioctl/pkg/multicluster/options.go). */
export const REMOTE_CLUSTER_ANNOTATION = 'networking.istio.io/cluster';

/** Secret (in the store) that holds the kubeconfig of a cluster: `<prefix>/<cluster>/istio-remote-secret`. */
export const REMOTE_SECRET_STORE_SECRET = 'istio-remote-secret';

/** Property of that store secret that holds the kubeconfig. */
export const REMOTE_SECRET_STORE_PROPERTY = 'kubeconfig';
