import { IstioProfile, ProxyValues } from './common';

/** ztunnel container environment (`env` map; rendered as container env vars). */
export interface ZtunnelEnv {
  /** Solo ztunnel builds only: L7 telemetry/processing in ztunnel (seed 001). */
  readonly L7_ENABLED?: 'true' | 'false';
  /** Solo ztunnel builds only: skip peer trust-domain checks; seed 001 sets it when each cluster has its own trust domain. */
  readonly SKIP_VALIDATE_TRUST_DOMAIN?: 'true' | 'false';
}

/**
 * Values of the `ztunnel` chart. The chart flattens `global.*` into the top level
 * (istio-ambient.md §3), so image and network keys are top-level here.
 */
export interface ZtunnelValues {
  readonly profile: IstioProfile;
  readonly hub: string;
  readonly tag: string;
  /** Image variant (upstream). */
  readonly variant: string;
  /** Validate the rendered config at install (upstream). */
  readonly configValidation: boolean;
  /** Render the DaemonSet (upstream). */
  readonly enabled: boolean;
  readonly env: ZtunnelEnv;
  /** Namespace of istiod, for the xDS and CA addresses (upstream). */
  readonly istioNamespace: string;
  /** Namespace ztunnel is installed into (upstream). */
  readonly namespace: string;
  readonly proxy: ProxyValues;
  /** `multiCluster.clusterName` becomes ISTIO_META_CLUSTER_ID (upstream). */
  readonly multiCluster?: { readonly clusterName: string };
  /** Network of this cluster (upstream since 1.27; becomes env NETWORK). */
  readonly network?: string;
  /**
   * Solo-only: ztunnel gets workload certificates from the node's SPIRE agent over the
   * Delegated Identity API (admin socket under `adminSockHostPath`, istio-ambient.md §4).
   */
  readonly spire: {
    readonly enabled: boolean;
    /** Host folder of the SPIRE agent's admin socket (Solo-only; default `/run/spire/agent/sockets/csi.spiffe.io/admin`). */
    readonly adminSockHostPath?: string;
  };
  /** Drain time = this value minus 1 second (upstream; seed 001 uses 29). */
  readonly terminationGracePeriodSeconds: number;
  /** Istio revision (upstream). */
  readonly revision?: string;
}
