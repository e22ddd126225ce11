/**
 * Values of Istio's `gateway` chart (istio/istio manifests/charts/gateway, 1.29.1; the Solo snapshot ships the same
 * chart under the same name). It is the only Istio chart with a values.schema.json (its `$defs.values`, which refuses
 * unknown top-level keys); these interfaces are the subset spiremesh sets, each key declared there.
 */

/** One Service port, in the form of the chart's default `service.ports` (values.yaml, 1.29.1). */
export interface GatewayServicePortValues {
  /** Port name; Istio reads the protocol from its prefix (`http2-`, `https-`, `tls-`, `tcp-`). */
  readonly name: string;
  readonly port: number;
  /** `TCP`, as every default port of the chart. */
  readonly protocol: 'TCP';
  readonly targetPort: number;
}

/** `service` of the gateway chart. */
export interface GatewayServiceValues {
  /** Service type (`LoadBalancer` is the chart's default). */
  readonly type: string;
  /**
   * The Service ports, replacing the chart's list (Helm replaces lists). The chart renders them as given unless
   * `networkGateway` is set (templates/service.yaml).
   */
  readonly ports: readonly GatewayServicePortValues[];
}

/**
 * Pod annotations of the gateway chart: merged key by key over the chart's defaults (`prometheus.io/*`,
 * `inject.istio.io/templates: gateway`, `sidecar.istio.io/inject: "true"`; values.yaml), since Helm merges maps.
 */
export interface GatewayPodAnnotationsValues {
  /** The injection templates of the gateway pod (istio.io/api annotation `inject.istio.io/templates`). */
  readonly 'inject.istio.io/templates': string;
}

/** Values of the `gateway` chart. */
export interface GatewayValues {
  readonly service: GatewayServiceValues;
  /** Sidecar clusters only: selects the SPIRE template next to `gateway` (see `GATEWAY_INJECTION_TEMPLATES`). */
  readonly podAnnotations?: GatewayPodAnnotationsValues;
  /**
   * Istio revision of the gateway: the chart then labels the pod `istio.io/rev: <revision>` (templates/_helpers.tpl
   * `gateway.sidecarInjectionLabels`), which the revision's injection webhook selects.
   */
  readonly revision?: string;
}
