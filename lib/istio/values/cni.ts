import { GlobalImageValues, IstioProfile } from './common';

/** Values of the `cni` chart (istio-cni node agent). */
export interface CniValues {
  readonly profile: IstioProfile;
  /** The cni chart does not flatten `global` (`if false` under "Flatten globals" in its templates/zzz_profile.yaml, 1.29.1). */
  readonly global: GlobalImageValues;
  readonly ambient?: {
    /**
     * DNS capture for ambient pods (upstream; default true since 1.25, set explicitly as in
     * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
     */
    readonly dnsCapture: boolean;
  };
  /** Namespaces the CNI plugin never touches (upstream; default `[kube-system]`). */
  readonly excludeNamespaces: readonly string[];
  /** Istio revision (upstream). */
  readonly revision?: string;
}
