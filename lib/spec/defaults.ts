/**
 * Every default of the spec that names a place or an object, defined once: the model applies
 * them, the props document them, and commands that run without a model (the CLI) read them here.
 */

/** Git-ignored folder of the CA private keys (`pki.keyDirectory`). */
export const DEFAULT_KEY_DIRECTORY = '.spiremesh/keys';
/** Committed folder of the public CA certificates (`pki.certificateDirectory`). */
export const DEFAULT_CERTIFICATE_DIRECTORY = 'pki';
/** Git-ignored folder of the kubectl-delivery Secret manifests (`pki.delivery.outputDirectory`). */
export const DEFAULT_SECRETS_DIRECTORY = '.spiremesh/secrets';
/** Git-ignored folder of the chart archives that helm-template mode renders (`chartDelivery.chartCacheDirectory`). */
export const DEFAULT_CHART_CACHE_DIRECTORY = '.spiremesh/charts';
/** The helm binary of helm-template mode, looked up on PATH (`chartDelivery.helmExecutable`). */
export const DEFAULT_HELM_EXECUTABLE = 'helm';
/** Namespace of an ingress gateway (`clusters[].ingressGateways[].namespace`): the one of Istio's Helm install guide. */
export const DEFAULT_INGRESS_NAMESPACE = 'istio-ingress';
/** `refresh_hint` of the SPIRE bundle endpoint (`federation.bundleRefreshHint`). */
export const DEFAULT_BUNDLE_REFRESH_HINT = '5m';
/** `ca_ttl` of the SPIRE server (`spire.caTtl`): the spire chart's `caTTL` (charts/spire-server/values.yaml, 0.24.2). */
export const DEFAULT_SPIRE_CA_TTL = '24h';
/** The status port the gateway chart always exposes first (istio/istio manifests/charts/gateway/values.yaml, 1.29). */
export const GATEWAY_STATUS_PORT = { name: 'status-port', port: 15021, targetPort: 15021 } as const;
/** The gateway chart's default ports after the status port (same file). */
export const GATEWAY_DEFAULT_PORTS = [
  { name: 'http2', port: 80, targetPort: 80 },
  { name: 'https', port: 443, targetPort: 443 },
] as const;
/** Namespace of the Argo CD Applications: the namespace Argo CD's install manifests use. */
export const DEFAULT_ARGO_CD_NAMESPACE = 'argocd';
/** Argo CD project of the Applications: the project every Argo CD install has. */
export const DEFAULT_ARGO_CD_PROJECT = 'default';
/** Prefix of the External Secrets remote keys: `<prefix>/<cluster>/<secret>` (`pki.delivery.remoteKeyPrefix`). */
export function defaultRemoteKeyPrefix(meshName: string): string {
  return `spiremesh/${meshName}`;
}
