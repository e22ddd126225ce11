/**
 * The apply stages of a cluster directory and what the engine must wait for between them, derived from the
 * rendered objects and the first-sync facts (lib/delivery/crd-sources.ts), never from retyped names.
 *
 * A cluster directory `<cluster>/` is applied first; its `_after-crds/` folder (objects annotated
 * `spiremesh.dev/apply-stage: after-crds`, lib/gitops/layout.ts) once the CRDs of those objects exist and the
 * admission webhooks that check them are served (docs/first-sync.md).
 */
import { crdGroupsOfChart, crdGroupsOfGitPath } from '../../delivery/crd-sources';
import { RenderedObject, applyStageOf, stageDirectory } from '../layout';

/** One ordered part of a cluster directory that the engine applies. */
export interface FleetStage {
  /** Directory inside the output folder, e.g. 'cluster1' or 'cluster1/_after-crds'. */
  readonly directory: string;
  /** The apply stage (e.g. 'after-crds'); undefined for the cluster directory itself. */
  readonly stage?: string;
  /** The objects of this stage. */
  readonly objects: readonly RenderedObject[];
}

/** A Flux `healthChecks` entry (kustomize-controller v1.9 `NamespacedObjectKindReference`). */
export interface HealthCheck {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

/**
 * The stages of a cluster directory: the directory itself, then one per apply stage its objects carry (today only
 * `after-crds`), in the order the stages were first met.
 */
export function clusterStages(cluster: string, objects: readonly RenderedObject[]): FleetStage[] {
  const byStage = new Map<string | undefined, RenderedObject[]>([[undefined, []]]);
  for (const o of objects) {
    const stage = applyStageOf(o.manifest);
    const list = byStage.get(stage);
    if (list) list.push(o);
    else byStage.set(stage, [o]);
  }
  return [...byStage].map(([stage, list]) => ({
    directory: stage === undefined ? cluster : `${cluster}/${stageDirectory(stage)}`,
    ...(stage === undefined ? {} : { stage }),
    objects: list,
  }));
}

const group = (apiVersion: string): string => (String(apiVersion).includes('/') ? String(apiVersion).split('/')[0] : '');
const namespaceOf = (m: any): string | undefined => m?.metadata?.namespace;
const sameObject = (m: any, kind: string, name: string, namespace: string | undefined) =>
  m?.kind === kind && m?.metadata?.name === name && namespaceOf(m) === namespace;

function reference(m: any): HealthCheck {
  return { apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name, ...(namespaceOf(m) ? { namespace: namespaceOf(m) } : {}) };
}

/** The chart a Flux HelmRelease installs: `chart.spec.chart`, or the last path segment of its OCIRepository's url (`<registry>/<chart>`). */
function chartOfHelmRelease(release: any, manifests: readonly any[]): string | undefined {
  const named = release.spec?.chart?.spec?.chart;
  if (typeof named === 'string') return named;
  const ref = release.spec?.chartRef;
  if (ref?.kind !== 'OCIRepository') return undefined;
  const repo = manifests.find((m) => sameObject(m, 'OCIRepository', ref.name, ref.namespace ?? namespaceOf(release)));
  const url = repo?.spec?.url;
  return typeof url === 'string' ? url.replace(/\/+$/, '').split('/').pop() : undefined;
}

/** The API groups whose CRDs a Flux object of the directory installs (a HelmRelease of a CRD chart, a Kustomization of a CRD source). */
function crdGroupsDeliveredBy(m: any, manifests: readonly any[]): readonly string[] {
  if (m?.kind === 'HelmRelease' && group(m.apiVersion) === 'helm.toolkit.fluxcd.io') {
    const chart = chartOfHelmRelease(m, manifests);
    return chart ? crdGroupsOfChart(chart) : [];
  }
  if (m?.kind === 'Kustomization' && group(m.apiVersion) === 'kustomize.toolkit.fluxcd.io') {
    const ref = m.spec?.sourceRef;
    if (ref?.kind !== 'GitRepository') return [];
    const repo = manifests.find((x) => sameObject(x, 'GitRepository', ref.name, ref.namespace ?? namespaceOf(m)));
    return typeof repo?.spec?.url === 'string' ? crdGroupsOfGitPath(repo.spec.url, String(m.spec?.path ?? '')) : [];
  }
  return [];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** True when every label of `selector` is among `labels`. */
function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels?.[k] === v);
}

/**
 * The workloads that serve an admission webhook whose rules match an API group of `laterGroups`: the webhook's
 * `clientConfig.service` → that Service's selector → the Deployments, StatefulSets and DaemonSets of its namespace
 * whose pod template it selects. For SPIRE: the controller manager's ValidatingWebhookConfiguration (rules on
 * spire.spiffe.io) → Service `spire-controller-manager-webhook` → StatefulSet `spire-server`, where the controller
 * manager runs beside the server.
 */
function webhookWorkloads(manifests: readonly any[], laterGroups: ReadonlySet<string>): any[] {
  const found: any[] = [];
  for (const config of manifests) {
    if (config?.kind !== 'ValidatingWebhookConfiguration' && config?.kind !== 'MutatingWebhookConfiguration') continue;
    for (const webhook of Array.isArray(config.webhooks) ? config.webhooks : []) {
      const groups: string[] = (webhook.rules ?? []).flatMap((r: any) => r.apiGroups ?? []);
      if (!groups.some((g) => g === '*' || laterGroups.has(g))) continue;
      const ref = webhook.clientConfig?.service;
      if (!ref) continue;
      const service = manifests.find((m) => sameObject(m, 'Service', ref.name, ref.namespace));
      for (const w of manifests) {
        if (!WORKLOAD_KINDS.has(w?.kind) || namespaceOf(w) !== ref.namespace) continue;
        if (selects(service?.spec?.selector, w.spec?.template?.metadata?.labels) && !found.includes(w)) found.push(w);
      }
    }
  }
  return found;
}

const order = (a: HealthCheck, b: HealthCheck) => {
  const ka = `${a.kind}/${a.namespace ?? ''}/${a.name}`;
  const kb = `${b.kind}/${b.namespace ?? ''}/${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * What the stage after the cluster directory must wait for, as Flux health checks of the first Kustomization:
 * - every object of the directory that delivers CRDs through the engine (HelmReleases of CRD charts, the
 *   Kustomizations of CRD manifest sources; Ready once installed or, with `wait`, once the CRDs are Established).
 *   CRDs rendered into the directory (helm-template) need no check: kustomize-controller applies CRDs first and
 *   waits for them before the rest (fluxcd/pkg ssa `ApplyAllStaged`);
 * - every workload that serves an admission webhook for a group of the later stages' objects, so that the webhook
 *   checks their first apply instead of being unreachable (with `failurePolicy: Fail` the apply would be refused,
 *   with `Ignore` the objects would pass unchecked).
 * Empty when there is no later stage.
 */
export function firstStageHealthChecks(stages: readonly FleetStage[]): HealthCheck[] {
  if (stages.length < 2) return [];
  const first = stages[0].objects.map((o) => o.manifest);
  const laterGroups = new Set(stages.slice(1).flatMap((s) => s.objects.map((o) => group(o.manifest?.apiVersion))));
  const deliverers = first.filter((m) => crdGroupsDeliveredBy(m, first).length > 0).map(reference);
  const workloads = webhookWorkloads(first, laterGroups).map(reference);
  return [...deliverers.sort(order), ...workloads.sort(order)];
}
