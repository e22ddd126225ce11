// The spec layer: typed props and choices, the YAML document and its schema, validation, the
// resolved model, shared names and defaults, and the finding type every layer reports with.
export { canonicalJson, sortKeysDeep } from './canonical-json';
export {
  CaDelivery,
  CaDeliveryMode,
  ChartDelivery,
  ChartDeliveryMode,
  Choice,
  DataplaneMode,
  EastWestServiceType,
  GatewayServiceType,
  IssuerKind,
  IstioDistribution,
  KeyAlgorithm,
  type ArgoCdDeliveryModel,
  type ArgoCdDeliveryOptions,
  type CaDeliveryModel,
  type CertManagerCaDeliveryModel,
  type CertManagerDeliveryOptions,
  DEFAULT_ISTIOD_CA_DURATION,
  type ChartDeliveryModel,
  type ExternalSecretsCaDeliveryModel,
  type ExternalSecretsDeliveryOptions,
  type FluxDeliveryModel,
  type GlooOperatorDeliveryModel,
  type HelmTemplateDeliveryModel,
  type HelmTemplateDeliveryOptions,
  type KubectlCaDeliveryModel,
} from './choices';
export {
  DEFAULT_ARGO_CD_NAMESPACE,
  DEFAULT_ARGO_CD_PROJECT,
  DEFAULT_BUNDLE_REFRESH_HINT,
  DEFAULT_INGRESS_NAMESPACE,
  DEFAULT_SPIRE_CA_TTL,
  GATEWAY_DEFAULT_PORTS,
  GATEWAY_STATUS_PORT,
  DEFAULT_CERTIFICATE_DIRECTORY,
  DEFAULT_CHART_CACHE_DIRECTORY,
  DEFAULT_HELM_EXECUTABLE,
  DEFAULT_KEY_DIRECTORY,
  DEFAULT_SECRETS_DIRECTORY,
  defaultRemoteKeyPrefix,
} from './defaults';
export type {
  CaDeliveryDocument,
  ChartDeliveryDocument,
  ClusterDocument,
  FederationDocument,
  FederationRelationDocument,
  GatewayPortDocument,
  IngressGatewayDocument,
  IstioDocument,
  LicenseDocument,
  LinkDocument,
  MeshSpecDocument,
  PkiDocument,
  SpireDocument,
} from './document';
export { SpecValidationError, formatSpecPath, type SpecPath, type SpecProblem } from './errors';
export {
  ArgoCdTopology,
  DEFAULT_GITOPS_PATH_PREFIX,
  DEFAULT_GITOPS_REVISION,
  GitOpsEngine,
  GitOpsModel,
  type ArgoCdDestinationModel,
  type ArgoCdDestinationProps,
  type GitOpsProps,
} from './gitops';
export type { ArgoCdDestinationDocument, GitOpsDocument } from './document';
export { repositoryUrlProblem } from './validate-gitops';
export { SpiremeshError, countOf, formatFinding, type Finding, type FindingLayout, type FindingSeverity } from './finding';
export { loadMeshSpecFile, parseMeshSpecYaml } from './load';
export {
  ClusterModel,
  IstioRelease,
  MeshModel,
  resolveMeshProps,
  resolveMeshSpec,
  type FederationModel,
  type FederationRelationModel,
  type GatewayPortModel,
  type IngressGatewayModel,
  type LinkModel,
  type PkiModel,
  type RemoteSecretStoreModel,
  type SpireVersions,
} from './model';
export {
  CLUSTER_LABEL,
  CROSS_NETWORK_GATEWAY_PORT,
  GATEWAY_API_CRD_PATH,
  GATEWAY_API_REPOSITORY,
  UPSTREAM_EASTWEST_GATEWAY_NAME,
  EASTWEST_NAMESPACE,
  ISTIO_NAMESPACE,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  NETWORK_LABEL,
  SPIRE_NAMESPACE,
  ZTUNNEL_SERVICE_ACCOUNT,
} from './names';
export { containsPrivateKey, redactPrivateKeys } from './pem';
export {
  IstioLicense,
  federateBothWays,
  linkBothWays,
  meshPropsFromDocument,
  toMeshSpecDocument,
  type ClusterProps,
  type FederationProps,
  type FederationRelationProps,
  type GatewayPortProps,
  type IngressGatewayProps,
  type IstioProps,
  type LicenseModel,
  type LinkProps,
  type MeshSpec,
  type PkiProps,
  type SpireProps,
} from './props';
export { MESH_SPEC_SCHEMA } from './schema';
export {
  addressProblem,
  addressType,
  editDistance,
  goDurationProblem,
  goDurationSeconds,
  isDns1123Label,
  isDns1123Subdomain,
  labelValueProblem,
  trustDomainProblem,
} from './syntax';
export { validateMeshSpec } from './validate';
