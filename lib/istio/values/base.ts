import { IstioProfile } from './common';

/** Values of the `base` chart (CRDs and cluster roles). */
export interface BaseValues {
  /**
   * Revision that the default validating webhook points at; "" leaves the default
   * revision's webhook to istiod: the base chart then skips defaultrevision-validatingwebhookconfiguration.yaml
   * (istio/istio manifests/charts/base, 1.29.1). https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ sets "".
   */
  readonly defaultRevision: string;
  /** Chart profile (upstream): `ambient` on ambient clusters, none on sidecar clusters. */
  readonly profile?: IstioProfile;
}
