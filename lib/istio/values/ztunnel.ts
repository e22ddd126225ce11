import { IstioProfile } from './common';

/** ztunnel container environment (`env` map; rendered as container env vars). */
export interface ZtunnelEnv {
  /**
   * Solo ztunnel builds only (not in istio/ztunnel's src/): L7 telemetry/processing in ztunnel, set as in
   * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/.
   */
  readonly L7_ENABLED?: 'true' | 'false';
  /**
   * Solo ztunnel builds only: skip peer trust-domain checks. https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/
   * sets it "when a unique trust domain is set for each cluster".
   */
  readonly SKIP_VALIDATE_TRUST_DOMAIN?: 'true' | 'false';
}

/**
 * Values of the `ztunnel` chart. The chart flattens `global.*` into the top level (`if true` under "Flatten globals"
 * in templates/zzz_profile.yaml, istio/istio manifests/charts/ztunnel, 1.29.1), so image and network keys are top-level here.
 */
export interface ZtunnelValues {
  readonly profile: IstioProfile;
  readonly hub: string;
  readonly tag: string;
  /** Image variant (upstream). */
  readonly variant: string;
  readonly env: ZtunnelEnv;
  /** Namespace of istiod, for the xDS and CA addresses (upstream). */
  readonly istioNamespace: string;
  /** `multiCluster.clusterName` becomes ISTIO_META_CLUSTER_ID (upstream). */
  readonly multiCluster?: { readonly clusterName: string };
  /** Network of this cluster (upstream since 1.27; becomes env NETWORK). */
  readonly network?: string;
  /**
   * Solo-only: ztunnel gets workload certificates from the node's SPIRE agent over the
   * Delegated Identity API: the Solo chart then sets `CA_ADDRESS=unix:///var/run/spire/admin.sock` and mounts
   * `adminSockHostPath` at /var/run/spire (templates/daemonset.yaml of the Solo ztunnel chart, 1.29.0-solo snapshot of
   * PetrMc/istio-petrmc-upstream-fork @bb9338f5).
   */
  readonly spire: {
    readonly enabled: boolean;
    /** Host folder of the SPIRE agent's admin socket (Solo-only; default `/run/spire/agent/sockets/csi.spiffe.io/admin`). */
    readonly adminSockHostPath?: string;
  };
  /**
   * Drain time = this value minus 1 second (istio/istio ztunnel values.yaml, 1.29.1: default 30;
   * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ uses 29).
   */
  readonly terminationGracePeriodSeconds: number;
  /** Istio revision (upstream). */
  readonly revision?: string;
}
