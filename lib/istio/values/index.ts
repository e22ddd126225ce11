// Typed values of the Istio charts (the interfaces are the schema) and their derivation from the spec.
export type { BaseValues } from './base';
export type { CniValues } from './cni';
export type { ExtraValues, GlobalImageValues, IstioProfile, ProxyValues } from './common';
export {
  CLUSTER_DOMAIN,
  baseValues,
  cniValues,
  gatewayValues,
  ingressGatewaySelectorLabels,
  istiodValues,
  peersUseOtherTrustDomains,
  ztunnelValues,
} from './derive';
export type { GatewayPodAnnotationsValues, GatewayServicePortValues, GatewayServiceValues, GatewayValues } from './gateway';
export type { IstiodEnv, IstiodGlobalValues, IstiodValues, LicenseValues, MeshConfigValues, SidecarInjectorWebhookValues } from './istiod';
export { leafPaths, mergeValues } from './merge';
export {
  GATEWAY_INJECTION_TEMPLATES,
  GATEWAY_SPIRE_TEMPLATE,
  INJECT_TEMPLATES_ANNOTATION,
  ISTIO_GATEWAY_TEMPLATE_NAME,
  ISTIO_SIDECAR_TEMPLATE_NAME,
  NATIVE_SIDECAR_EXPRESSION,
  SIDECAR_DEFAULT_TEMPLATES,
  SIDECAR_SPIRE_TEMPLATE,
  SPIRE_GATEWAY_TEMPLATE_NAME,
  SPIRE_INJECTION_TEMPLATES,
  SPIRE_SIDECAR_TEMPLATE_NAME,
  WORKLOAD_SOCKET_FILE,
  WORKLOAD_SOCKET_MOUNT_PATH,
  WORKLOAD_SOCKET_PATH,
  WORKLOAD_SOCKET_VOLUME,
} from './spire-injection';
export type { ZtunnelEnv, ZtunnelValues } from './ztunnel';
