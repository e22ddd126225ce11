/**
 * SPIRE as typed cdk8s constructs: server (+ controller manager), agent, CSI driver, the
 * identity custom resources, and the `Spire` component that composes them for one cluster.
 * Checks, renderers and RBAC helpers stay private to lib/spire.
 */
export {
  SPIRE_RELEASE,
  SPIRE_CLASS_NAME,
  SPIRE_NAMES,
  SPIRE_CONFIG_KEYS,
  SPIRE_LABELS,
  SPIRE_PATHS,
  SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH,
  SPIRE_PORTS,
  SPIRE_PSAT_AUDIENCE,
  SPIRE_AGENT_ID_PATH_PREFIX,
  SPIRE_SERVER_ID_PATH,
  spireServerId,
} from './names';
export * from './choices';
export type {
  SpirePlugin,
  SpireHealthChecks,
  SpireCaSubjectEntry,
  SpireServerSection,
  SpireBundleEndpointProfile,
  SpireBundleEndpointSection,
  SpireServerFederationSection,
  SpireAgentSdsSection,
  SqlDataStoreData,
  K8sPsatClusterData,
  K8sPsatServerData,
  DiskKeyManagerData,
  K8sBundleNotifierData,
  DiskUpstreamAuthorityData,
  CertManagerUpstreamAuthorityData,
  UpstreamAuthorityPlugins,
  SpireServerPlugins,
  SpireServerConfig,
  SpireAgentSection,
  K8sPsatAgentData,
  K8sWorkloadAttestorData,
  SpireAgentPlugins,
  SpireAgentConfig,
  ControllerManagerConfig,
} from './config';
export { SPIRE_IMAGE_REPOSITORIES, SPIRE_INIT_BASH_IMAGE } from './images';
export type { SpireImages } from './images';
export { SpireConfigError } from './validation';
export type { SpireLabelSelector, SpireLabelSelectorRequirement } from './validation';
export * from './upstream-authority';
export * from './server-config';
export * from './controller-manager';
export * from './server';
export * from './agent';
export * from './csi-driver';
export * from './cluster-spiffe-id';
export * from './cluster-federated-trust-domain';
export * from './cluster-static-entry';
export * from './federation';
export { spiffeBundleFromRoots, readSpiffeBundle, bundleHoldsCertificate } from './spiffe-bundle';
export type {
  SpiffeBundleDocument,
  SpiffeBundleX509Key,
  SpiffeBundleOptions,
  ParsedSpiffeBundle,
  SpiffeBundleReading,
} from './spiffe-bundle';
export * from './spire';
