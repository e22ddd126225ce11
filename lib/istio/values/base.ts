import { IstioProfile } from './common';

/** Values of the `base` chart (CRDs and cluster roles). */
export interface BaseValues {
  /**
   * Revision that the default validating webhook points at; "" leaves the default
   * revision's webhook to istiod (seed 001; upstream).
   */
  readonly defaultRevision: string;
  /** Chart profile (upstream). */
  readonly profile: IstioProfile;
}
