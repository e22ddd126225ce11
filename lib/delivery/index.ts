// How charts reach a cluster: the delivery component every MeshCluster creates first, and the
// construct of each mode. Input checks and message texts (`_checks.ts`) stay private.
export { ArgoCdDelivery, type ArgoCdDeliveryProps } from './argo-cd';
export type { IChartDelivery, OrderedReleases } from './chart-delivery';
export { ChartDeliveryComponent, chartDeliveryFor, type ChartDeliveryComponentProps } from './component';
export {
  CHART_CRD_FACTS,
  MANIFEST_CRD_FACTS,
  crdGroupsOfRelease,
  crdGroupsOfSource,
  type ChartCrdFact,
  type ManifestCrdFact,
} from './crd-sources';
export { crdOrigins, crdOriginsOf, orderForFirstSync, waveAfter, type CrdOrigin } from './first-sync';
export { FluxDelivery, type FluxDeliveryProps } from './flux';
export { GlooOperatorDelivery, glooIstiodValues, glooZtunnelValues, type GlooOperatorDeliveryProps } from './gloo-operator';
export { HelmTemplateDelivery, type HelmTemplateDeliveryProps } from './helm-template';
export {
  AFTER_CRDS_STAGE,
  APPLY_STAGE_ANNOTATION,
  ARGO_API_GROUP,
  ARGO_DEFAULT_SYNC_WAVE,
  ARGO_RESOURCES_FINALIZER,
  ARGO_SKIP_DRY_RUN_OPTION,
  ARGO_SYNC_OPTIONS_ANNOTATION,
  ARGO_SYNC_WAVE_ANNOTATION,
  DELIVERY_COMPONENT_NAME,
  EXTRA_VALUES_ANNOTATION,
  FLUX_NAMESPACE,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_NAMESPACE,
  GLOO_ZTUNNEL_VALUES_KEY,
  HELM_CHART_LAYER_MEDIA_TYPE,
  HELM_TEMPLATE_KUBE_VERSION,
} from './names';
