// Istio for one cluster: the component that delivers the four charts, its escape hatch, and the typed values.
export { ModelOwnedValueError, screenExtraValues, type ExtraValuesResult, type IstioChartKey } from './escape-hatch';
export {
  GATEWAY_API_CRD_PATH,
  GATEWAY_API_REPOSITORY,
  Istio,
  type IstioComponentProps,
  type IstioExtraValues,
  type IstioReleases,
} from './istio';
export * from './values';
