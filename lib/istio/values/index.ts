// Typed values of the four Istio charts (the interfaces are the schema) and their derivation from the spec.
export type { BaseValues } from './base';
export type { CniValues } from './cni';
export type { ExtraValues, GlobalImageValues, IstioProfile, ProxyValues } from './common';
export {
  CLUSTER_DOMAIN,
  SIDECAR_SPIRE_TEMPLATE,
  WORKLOAD_SOCKET_MOUNT_PATH,
  baseValues,
  cniValues,
  istiodValues,
  peersUseOtherTrustDomains,
  ztunnelValues,
} from './derive';
export type { IstiodEnv, IstiodGlobalValues, IstiodValues, LicenseValues, MeshConfigValues } from './istiod';
export { leafPaths, mergeValues } from './merge';
export type { ZtunnelEnv, ZtunnelValues } from './ztunnel';
