import { GlobalImageValues, IstioProfile } from './common';

/** Values of the `cni` chart (istio-cni node agent). */
export interface CniValues {
  /** `ambient` on ambient clusters; none on sidecar clusters (the chart's defaults: ambient redirection off). */
  readonly profile?: IstioProfile;
  /** The cni chart does not flatten `global` (`if false` under "Flatten globals" in its templates/zzz_profile.yaml, 1.29.1). */
  readonly global: GlobalImageValues;
  /** Ambient clusters only. */
  readonly ambient?: {
    /**
     * DNS capture for ambient pods (upstream; default true since 1.25, set explicitly as in
     * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
     */
    readonly dnsCapture: boolean;
  };
  /**
   * Namespaces the CNI plugin never touches (upstream; default `[kube-system]`). Set on ambient clusters as in
   * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/; sidecar clusters keep the chart default, since an injected
   * pod whose traffic the plugin skipped fails its `istio-validation` init container.
   */
  readonly excludeNamespaces?: readonly string[];
  /** Istio revision (upstream). */
  readonly revision?: string;
}
