/**
 * Names that several components and clusters must agree on. Each is defined once here;
 * constructs import them instead of repeating string literals.
 */

/**
 * Namespace of istiod, ztunnel and istio-cni (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ installs
 * every Istio chart there).
 */
export const ISTIO_NAMESPACE = 'istio-system';

/**
 * Service account of the ztunnel DaemonSet; part of the SPIRE delegate ID `spiffe://<td>/ns/istio-system/sa/ztunnel`
 * (`spire-agent.authorizedDelegates` in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
 */
export const ZTUNNEL_SERVICE_ACCOUNT = 'ztunnel';

/**
 * Namespace of the SPIRE server, agent and CSI driver (`helm upgrade -i spire spire/spire --namespace spire-server` in
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
 */
export const SPIRE_NAMESPACE = 'spire-server';

/**
 * Namespace of the east-west gateway (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/: "Create an
 * east-west gateway in the istio-eastwest namespace").
 */
export const EASTWEST_NAMESPACE = 'istio-eastwest';

/** Label that carries a cluster's network on the istio-system namespace and on gateways. */
export const NETWORK_LABEL = 'topology.istio.io/network';

/**
 * Port of upstream Istio's classic east-west gateway for cross-network traffic (sidecar multi-network): istiod's
 * default network gateway port (`DefaultNetworkGatewayPort`, istio/istio pilot/pkg/serviceregistry/kube/controller/controller.go,
 * 1.29.1), the `tls` port the gateway chart opens with `networkGateway` and the AUTO_PASSTHROUGH server of
 * samples/multicluster/expose-services.yaml. The east-west gateway, the `cross-network-gateway` and istiod's
 * `meshNetworks` use this one value.
 */
export const CROSS_NETWORK_GATEWAY_PORT = 15443;

/**
 * Gateway API standard CRDs, pinned to the release matching the Istio minor (the Istio ambient
 * install applies its standard-install.yaml first: https://istio.io/latest/docs/ambient/install/helm/);
 * Istio delivers them, and the first-sync ordering knows which kinds they bring.
 */
export const GATEWAY_API_REPOSITORY = 'https://github.com/kubernetes-sigs/gateway-api.git';
export const GATEWAY_API_CRD_PATH = 'config/crd/standard';

/**
 * Helm release (and chart `name`) of community Istio's east-west gateway: `helm install istio-eastwestgateway istio/gateway -n
 * istio-system --set name=istio-eastwestgateway --set networkGateway=<network>` (the Helm tab of
 * https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/). The chart names the Deployment,
 * Service and ServiceAccount after it (`gateway.name` in manifests/charts/gateway/templates/_helpers.tpl, istio/istio 1.29.1).
 * Ingress gateways may not take this name.
 */
export const UPSTREAM_EASTWEST_GATEWAY_NAME = 'istio-eastwestgateway';

/** Label that carries the cluster name on east-west and remote peer gateways. */
export const CLUSTER_LABEL = 'topology.istio.io/cluster';

/** Standard Kubernetes label that spiremesh puts on every object it renders. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'spiremesh';

/**
 * The key of the Solo license Secret istiod reads: Solo istiod finds the Secret through `SOLO_LICENSE_SECRET=<ns>/<name>`
 * (the istiod chart's templates/deployment.yaml sets it from `license.secretRef`, 1.29.0-solo-snapshot in
 * ../shared/charts/solo-snapshot) and reads its `license-key` (then `gloo-mesh-license-key`, `gloo-trial-license-key`;
 * `getLicense` in pkg/licensing/license.go of Solo's Istio fork, PetrMc/istio-petrmc-upstream-fork).
 */
export const SOLO_LICENSE_SECRET_KEY = 'license-key';

/** Name of the Solo license Secret that `IstioLicense.fromExternalSecret` builds when none is given. */
export const DEFAULT_LICENSE_SECRET_NAME = 'solo-istio-license';
