/**
 * What the chart-delivery mechanism delivers: Helm chart releases and plain manifest sources,
 * in order. Components declare them (SPIRE: the spire-crds chart; Istio: base, istiod, cni,
 * ztunnel; the Gateway API CRDs); the delivery construct of the mesh's `chartDelivery` mode
 * turns them into Argo CD Applications, Flux objects, rendered `helm template` output or the
 * Gloo Operator's objects.
 */

/** Where a chart is pulled from. */
export interface ChartRepository {
  /** `oci://host/path` for OCI registries, `https://...` for classic Helm repositories. */
  readonly url: string;
}

/** True for OCI registries (`oci://`). */
export function isOciRepository(repo: ChartRepository): boolean {
  return repo.url.startsWith('oci://');
}

/** One Helm release to deliver. */
export interface ChartRelease {
  /** Stable id: object names derive from it (e.g. 'istiod', 'istio-cni'). */
  readonly id: string;
  /** Chart name inside the repository (e.g. 'istiod', 'cni', 'spire-crds'). */
  readonly chart: string;
  readonly repository: ChartRepository;
  /** Exact chart version (pinned; no ranges). */
  readonly version: string;
  /** Helm release name (seed 001: istio-base, istiod, istio-cni, ztunnel). */
  readonly releaseName: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  /** The typed values, as plain data. */
  readonly values: Record<string, unknown>;
  /**
   * Dotted paths of values that came through the untyped escape hatch, listed on the delivered
   * object (annotation `spiremesh.dev/extra-values`) so that reviewers see them.
   * @default - none
   */
  readonly extraValueKeys?: readonly string[];
  /** Apply order across everything delivered: lower first (Argo CD sync wave, Flux dependsOn chain). */
  readonly order: number;
}

/** Plain manifests from a git repository path (e.g. the Gateway API standard CRDs). */
export interface ManifestSource {
  readonly id: string;
  /** https URL of the git repository. */
  readonly gitUrl: string;
  /** Path inside the repository. */
  readonly path: string;
  /** Pinned tag or commit. */
  readonly revision: string;
  readonly order: number;
}

/** Order slots: CRDs first, then SPIRE (rendered natively, wave 0), then Istio in seed 001's order. */
export const DELIVERY_ORDER = {
  crds: -1,
  spire: 0,
  istioBase: 1,
  istiod: 2,
  istioCni: 3,
  ztunnel: 4,
} as const;
