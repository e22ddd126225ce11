/**
 * Shared pieces of the Istio chart values models. No Istio chart spiremesh renders ships a values schema (in
 * istio/istio 1.29.1 only manifests/charts/gateway has a values.schema.json), so these interfaces are the schema:
 * an unknown key is a compile error. Keys that spiremesh does not model go through the
 * visible `ExtraValues` escape hatch (see `IstioChartValues`).
 */

/** Values that spiremesh does not model, merged last and recorded in review (see ChartRelease.extraValueKeys). */
export type ExtraValues = { readonly [key: string]: unknown };

/**
 * `profile`: selects the chart's built-in profile, the file `files/profile-<profile>.yaml` (upstream; read by
 * templates/zzz_profile.yaml, not declared in values.yaml). spiremesh selects `ambient` for ambient clusters and no profile
 * for sidecar clusters: Helm has no `default` profile (zzz_profile.yaml fails with "unknown profile default", istio/istio
 * manifests/charts/*, 1.29.1); IstioOperator's `profile: default` (seed 004) is the charts' defaults, i.e. no profile.
 */
export type IstioProfile = 'ambient';

/** Image coordinates shared by istiod and istio-cni (`global.*`; these charts do not flatten `global`). */
export interface GlobalImageValues {
  /** Image repository (upstream). */
  readonly hub: string;
  /** Image tag, `<version>-solo` for Solo builds (upstream key). */
  readonly tag: string;
  /** `distroless` or `debug` image variant (upstream). */
  readonly variant?: string;
}

/** `proxy.clusterDomain` / `global.proxy.clusterDomain`: the cluster DNS suffix (upstream). */
export interface ProxyValues {
  readonly clusterDomain: string;
}
