/**
 * The public API of spiremesh, by layer: the spec (props, choices, model), the core constructs
 * and delivery contract, the components, the output machinery users call, and the app
 * (SpireMesh, synthesis, check, CLI). Everything not listed here is internal.
 */
export { DEFAULT_ISTIO_VERSION, SPIRE_DEFAULTS, SUPPORTED_ISTIO_MINORS } from './versions';
export {
  CaDelivery,
  CaDeliveryMode,
  ChartDelivery,
  ChartDeliveryMode,
  ClusterModel,
  DataplaneMode,
  EASTWEST_NAMESPACE,
  EastWestServiceType,
  ISTIO_NAMESPACE,
  IssuerKind,
  IstioDistribution,
  IstioLicense,
  KeyAlgorithm,
  MESH_SPEC_SCHEMA,
  MeshModel,
  SPIRE_NAMESPACE,
  SpecValidationError,
  SpiremeshError,
  formatFinding,
  formatSpecPath,
  linkBothWays,
  loadMeshSpecFile,
  parseMeshSpecYaml,
  resolveMeshProps,
  resolveMeshSpec,
  toMeshSpecDocument,
  validateMeshSpec,
  type ArgoCdDeliveryOptions,
  type CaDeliveryModel,
  type CertManagerDeliveryOptions,
  type ChartDeliveryModel,
  type ClusterProps,
  type ExternalSecretsDeliveryOptions,
  type Finding,
  type FindingSeverity,
  type HelmTemplateDeliveryOptions,
  type IstioProps,
  type LicenseModel,
  type LinkModel,
  type LinkProps,
  type MeshSpec,
  type MeshSpecDocument,
  type PkiProps,
  type SpecProblem,
  type SpireProps,
} from './spec';
export {
  DELIVERY_ORDER,
  MeshCluster,
  MeshComponent,
  MeshNamespaces,
  addSynthWarning,
  type ChartRelease,
  type ChartRepository,
  type ClusterDeliveryFactory,
  type IClusterDelivery,
  type ManifestSource,
  type MeshClusterProps,
  type MeshComponentProps,
} from './core';
export * from './pki';
export * from './spire';
export {
  Istio,
  ModelOwnedValueError,
  type BaseValues,
  type CniValues,
  type ExtraValues,
  type IstioComponentProps,
  type IstioExtraValues,
  type IstioReleases,
  type IstiodValues,
  type ZtunnelValues,
} from './istio';
export { EastWestGateway, Multicluster, RemotePeerGateway, type EastWestGatewayProps, type RemotePeerGatewayProps } from './multicluster';
export {
  ArgoCdDelivery,
  ChartDeliveryComponent,
  EXTRA_VALUES_ANNOTATION,
  FluxDelivery,
  GlooOperatorDelivery,
  HelmTemplateDelivery,
  chartDeliveryFor,
  type ArgoCdDeliveryProps,
  type ChartDeliveryComponentProps,
  type FluxDeliveryProps,
  type GlooOperatorDeliveryProps,
  type HelmTemplateDeliveryProps,
  type IChartDelivery,
} from './delivery';
export { OutputConflictError, collectObjects, type GateFinding } from './gitops';
export { SchemaRegistry, type SchemaViolation } from './validation';
export {
  SpireMesh,
  SynthesisError,
  checkMesh,
  formatCheckFinding,
  synthesize,
  type CheckFinding,
  type ClusterSummary,
  type MeshComponentsProps,
  type SpireMeshProps,
  type SynthesisResult,
  type SynthesizeOptions,
} from './app';
export { UsageError, runCli, synthMain, type CliArgs, type DeclareMesh } from './cli';
