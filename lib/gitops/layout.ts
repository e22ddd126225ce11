/**
 * Where each object goes in `dist/<cluster>/` and in which order it is applied.
 *
 * Layout (compare Tanka's one-file-per-object `tk export`, grafana/tanka docs/src/content/docs/exporting.md, and Holos'
 * per-component folders, holos-run/holos doc/md/concepts.md): `<component>/<kind>_<namespace>_<name>.yaml`, or
 * `<component>/<kind>_<name>.yaml` for cluster-scoped objects. `_` cannot appear in
 * Kubernetes names or kinds, so the name is unambiguous and stable across runs.
 */
import { APPLY_STAGE_ANNOTATION } from '../delivery/names';

/** One Kubernetes object rendered for a cluster. */
export interface RenderedObject {
  /** Cluster directory the object is written to. */
  readonly cluster: string;
  /** Component folder (see MeshComponent). */
  readonly component: string;
  /** Construct path, so that errors point at the code that made the object. */
  readonly constructPath: string;
  /** The object as JSON (cdk8s `ApiObject.toJson()`). */
  readonly manifest: any;
}

/** `apps/v1 Deployment spire-server/spire-server`: how messages name an object. */
export function describeObject(manifest: any): string {
  const ns = manifest?.metadata?.namespace;
  const name = manifest?.metadata?.name ?? '(no name)';
  return `${manifest?.apiVersion ?? '(no apiVersion)'} ${manifest?.kind ?? '(no kind)'} ${ns ? `${ns}/${name}` : name}`;
}

/**
 * The apply stage of an object (`spiremesh.dev/apply-stage`, set by the delivery's first-sync order,
 * lib/delivery/first-sync.ts), or undefined for the cluster directory itself.
 */
export function applyStageOf(manifest: any): string | undefined {
  const stage = manifest?.metadata?.annotations?.[APPLY_STAGE_ANNOTATION];
  return typeof stage === 'string' && stage !== '' ? stage : undefined;
}

/**
 * Folder of an apply stage inside the cluster directory: `_<stage>` (e.g. `_after-crds`). Component folders are DNS-1123
 * labels (MeshComponent), which never contain `_`, so a stage folder never collides with a component.
 */
export function stageDirectory(stage: string): string {
  return `_${stage}`;
}

/**
 * Path of an object's file inside its cluster directory: `<component>/<file>`, or `_<stage>/<file>` for an object
 * of a later apply stage (one flat folder with its own kustomization: kustomize only loads files below the
 * kustomization's folder). Either way the first path segment and the object give back the same path.
 */
export function objectFilePath(component: string, manifest: any): string {
  const kind = String(manifest.kind).toLowerCase();
  const ns = manifest.metadata?.namespace;
  const name = manifest.metadata?.name;
  const stage = applyStageOf(manifest);
  return `${stage ? stageDirectory(stage) : component}/${ns ? `${kind}_${ns}_${name}` : `${kind}_${name}`}.yaml`;
}

/**
 * Apply order by kind: namespaces and CRDs first, then what pods need (accounts, config,
 * RBAC), then services and workloads, then admission webhooks, then custom resources, whose
 * CRDs and controllers must exist first. Kubernetes has no native ordering; this matches the
 * order Helm and kustomize ("legacy" sort) use for the built-in kinds.
 */
const KIND_ORDER = [
  'Namespace',
  'CustomResourceDefinition',
  'ResourceQuota',
  'LimitRange',
  'PriorityClass',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CSIDriver',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

/** Rank of a kind in the apply order; kinds not listed (custom resources) come last. */
export function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** A stable, total order: by kind rank, then file path (which holds component, kind, namespace, name). */
export function compareForApply(a: { kind: string; path: string }, b: { kind: string; path: string }): number {
  return kindRank(a.kind) - kindRank(b.kind) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}
