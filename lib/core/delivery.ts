/**
 * The delivery contract: what a cluster's components hand to the GitOps machinery. Helm chart
 * releases and plain manifest sources, each with an apply order. Every `MeshCluster` creates
 * its delivery first (`MeshCluster.delivery`), so any component, spiremesh's own or a user's,
 * calls `cluster.delivery.addRelease(...)` at any time and the Argo CD Application, Flux
 * HelmRelease, rendered chart or operator object exists at once; ordering between releases
 * (sync waves, `dependsOn`) is resolved when the objects are rendered.
 */
import { IConstruct } from 'constructs';
import { ChartDeliveryMode } from '../spec';

/** Where a chart is pulled from. */
export interface ChartRepository {
  /** `oci://host/path` for OCI registries, `https://...` for classic Helm repositories. */
  readonly url: string;
}

/** True for OCI registries (`oci://`). */
export function isOciRepository(repo: ChartRepository): boolean {
  return repo.url.startsWith('oci://');
}

/** Chart values as plain data; typed releases narrow it (e.g. `ChartRelease<IstiodValues>`). */
export type ChartValues = object;

/** One Helm release to deliver. */
export interface ChartRelease<V extends ChartValues = ChartValues> {
  /** Stable id: object names derive from it (e.g. 'istiod', 'istio-cni'). */
  readonly id: string;
  /** Chart name inside the repository (e.g. 'istiod', 'cni', 'spire-crds'). */
  readonly chart: string;
  readonly repository: ChartRepository;
  /** Exact chart version (pinned; no ranges). */
  readonly version: string;
  /** Helm release name, e.g. `istio-base` (the name `helm install` gets). */
  readonly releaseName: string;
  /** Namespace the release is installed into. */
  readonly namespace: string;
  /** The values, typed until they are rendered. */
  readonly values: V;
  /**
   * Dotted paths of values that came through an untyped escape hatch, listed on the delivered
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

/**
 * Order slots: CRDs first, then SPIRE (rendered natively, wave 0), then Istio in the order its
 * charts depend on each other (base holds the CRDs istiod needs; cni and ztunnel need istiod),
 * then the gateways: their pods carry `image: auto` and need istiod's injection webhook.
 */
export const DELIVERY_ORDER = {
  crds: -1,
  spire: 0,
  istioBase: 1,
  istiod: 2,
  istioCni: 3,
  ztunnel: 4,
  ingressGateways: 5,
} as const;

/** The delivery of one cluster: components add releases and manifest sources to it. */
export interface IClusterDelivery extends IConstruct {
  /** The chart-delivery mode of the mesh. */
  readonly mode: ChartDeliveryMode;
  /** Delivers a chart release; its objects exist as soon as this returns. Ids are unique per cluster. */
  addRelease(release: ChartRelease): void;
  /** Delivers plain manifests from git; ids share one namespace with releases. */
  addManifestSource(source: ManifestSource): void;
  /** The releases added so far, in apply order (then by id). */
  readonly releases: readonly ChartRelease[];
  /** The manifest sources added so far, in apply order (then by id). */
  readonly manifestSources: readonly ManifestSource[];
  /** The release with this id, if one was added. */
  release(id: string): ChartRelease | undefined;
}
