// Istio for one cluster: the component that delivers the Istio charts, its escape hatch, and the typed values.
export { ModelOwnedValueError, screenExtraValues, type ExtraValuesResult, type IstioChartKey } from './escape-hatch';
export {
  GATEWAY_API_CRD_PATH,
  GATEWAY_API_REPOSITORY,
  INGRESS_GATEWAY_CHART,
  IngressGatewayNameError,
  Istio,
  type IngressGatewayRelease,
  type IstioComponentProps,
  type IstioExtraValues,
  type IstioReleases,
} from './istio';
export * from './values';
