/**
 * The fleet bootstrap, `<out>/_fleet/`: the objects that make a GitOps engine sync each cluster
 * directory from the repository the spec's `gitops` section names, rendered beside the cluster
 * directories and written, indexed and pruned by the same plan.
 *
 * Layout (one folder per cluster, so each cluster's objects can be applied alone):
 *
 *   _fleet/kustomization.yaml                 hub Argo CD: every cluster folder (apply once, to the hub);
 *                                             in-cluster Argo CD and Flux: no resources (apply per cluster)
 *   _fleet/<cluster>/kustomization.yaml       the cluster's bootstrap objects
 *   _fleet/<cluster>/<kind>_<ns>_<name>.yaml  Argo CD Application(s), or Flux GitRepository + Kustomization(s):
 *                                             one per apply stage of the cluster directory (`<cluster>/`, then
 *                                             `<cluster>/_after-crds/` when it has one; ./stages.ts)
 *   _fleet/_argocd-cm/configmap_argocd_argocd-cm.yaml
 *                                             Argo CD only: the Application health check, a patch of the
 *                                             install's argocd-cm (never a resource: the ConfigMap is Argo CD's)
 *   _fleet/spiremesh-index.yaml               provenance and every file, as in a cluster directory
 *
 * Argo CD: one Application per cluster rather than an ApplicationSet. An in-cluster Argo CD must
 * receive only its own cluster's Application (one ApplicationSet per cluster would be an
 * Application with a template around it, and needs the ApplicationSet controller); Applications
 * are validated field by field against the Application CRD at synth, where an ApplicationSet's
 * template strings are not; and one file per cluster is what a pull request reviews and the
 * writer prunes when a cluster leaves the spec.
 */
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { Application, ApplicationSpecDestination, ApplicationSpecIgnoreDifferences } from '../../../imports/argocd-application-argoproj.io';
import { GitRepository, GitRepositorySpecRef } from '../../../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import {
  Kustomization,
  KustomizationSpecIgnore,
  KustomizationSpecSourceRefKind,
} from '../../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { ARGO_IN_CLUSTER_SERVER, DELIVERY_COMPONENT_NAME, FLUX_NAMESPACE } from '../../delivery/names';
import {
  ClusterModel,
  DEFAULT_ARGO_CD_NAMESPACE,
  DEFAULT_ARGO_CD_PROJECT,
  GitOpsEngine,
  GitOpsModel,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  MeshModel,
} from '../../spec';
import { SPIRE_NAMES } from '../../spire/names';
import { RenderedObject, describeObject, objectFilePath } from '../layout';
import { GENERATED_HEADER, INDEX_FILE, INDEX_FILE_HEADER, KUSTOMIZATION_FILE, KUSTOMIZE_API_VERSION } from '../output-names';
import { generatorInfo, sha256, specDigest } from '../provenance';
import {
  ARGOCD_APPLICATION_HEALTH_KEY,
  ARGOCD_APPLICATION_HEALTH_LUA,
  ARGOCD_CM_LABELS,
  ARGOCD_CM_NAME,
  ARGOCD_CM_PATCH_FOLDER,
  FLEET_DIRECTORY,
  FLUX_KUSTOMIZATION_INTERVAL,
  FLUX_KUSTOMIZATION_RETRY_INTERVAL,
  FLUX_KUSTOMIZATION_TIMEOUT,
  ARGO_RETRY,
  FLUX_SOURCE_INTERVAL,
  bootstrapName,
} from './names';
import { FleetStage, clusterStages, firstStageHealthChecks } from './stages';

/** A field that a controller in the cluster writes at run time, which the engines must neither report as drift nor reset. */
export interface RuntimePatchedField {
  /** API group ('' for the core group). */
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** Argo CD `jqPathExpressions` (lists by wildcard). */
  readonly jqPathExpressions?: readonly string[];
  /** RFC 6901 JSON pointers: Argo CD `jsonPointers` and Flux `ignore[].paths`. */
  readonly jsonPointers: readonly string[];
  /** Who writes it (for the review page). */
  readonly writer: string;
}

/** The bootstrap of one mesh: its objects (gated like every other) and the files of `_fleet/`. */
export interface FleetBootstrap {
  readonly mesh: MeshModel;
  readonly objects: readonly RenderedObject[];
  /** Every file of `_fleet/`, relative to it, including the kustomizations and the index. */
  readonly files: ReadonlyMap<string, string>;
  /** The argocd-cm patch file (Argo CD only), relative to `_fleet/`. */
  readonly argoCdConfigPatch?: string;
  /** What a person runs once, per engine and topology (review page, README). */
  readonly applySteps: readonly string[];
}

const ADMISSION_GROUP = 'admissionregistration.k8s.io';
/** The `app` label of the objects of Istio's istiod chart (istio/istio 1.29.1 istio-discovery templates). */
const ISTIOD_APP_LABEL = 'app';
const ISTIOD_APP = 'istiod';
const WEBHOOK_KINDS = new Set(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/**
 * The fields controllers patch in a cluster's objects:
 * - `webhooks[].clientConfig.caBundle` of every admission webhook configuration: the SPIRE controller
 *   manager fills the one it serves (spiffe/spire-controller-manager pkg/webhookmanager, by the name
 *   `SPIRE_NAMES.controllerManagerWebhook`), istiod fills its injector and validator (istio/istio
 *   pkg/webhooks/webhookpatch.go) when helm-template puts them in the cluster directory;
 * - `webhooks[].failurePolicy` of istiod's validator where the chart renders it fail-open (`Ignore`): istiod sets `Fail`;
 * - `data` of the `spire-bundle` ConfigMap, which SPIRE's k8sbundle notifier writes (key `bundle.crt`;
 *   spiffe/spire pkg/server/plugin/notifier/k8sbundle).
 */
export function runtimePatchedFields(objects: readonly RenderedObject[]): RuntimePatchedField[] {
  const fields: RuntimePatchedField[] = [];
  for (const { manifest } of objects) {
    const name = manifest?.metadata?.name;
    if (WEBHOOK_KINDS.has(manifest?.kind) && typeof name === 'string') {
      const webhooks: { failurePolicy?: string }[] = Array.isArray(manifest.webhooks) ? manifest.webhooks : [];
      // istiod's validation controller also turns `failurePolicy: Ignore` into `Fail` once its webhook
      // serves ("Fail open until the validation webhook is ready. The webhook controller will update this
      // to `Fail` and patch in the `caBundle`": istio/istio 1.29.1
      // manifests/charts/istio-control/istio-discovery/templates/validatingwebhookconfiguration.yaml).
      const failOpen =
        manifest.kind === 'ValidatingWebhookConfiguration' && manifest.metadata?.labels?.[ISTIOD_APP_LABEL] === ISTIOD_APP
          ? webhooks.flatMap((w, i) => (w?.failurePolicy === 'Ignore' ? [i] : []))
          : [];
      fields.push({
        group: ADMISSION_GROUP,
        kind: manifest.kind,
        name,
        jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', ...(failOpen.length > 0 ? ['.webhooks[]?.failurePolicy'] : [])],
        jsonPointers: [
          ...webhooks.map((_, i) => `/webhooks/${i}/clientConfig/caBundle`),
          ...failOpen.map((i) => `/webhooks/${i}/failurePolicy`),
        ],
        writer: name === SPIRE_NAMES.controllerManagerWebhook ? 'the SPIRE controller manager' : 'the webhook server (istiod)',
      });
    }
    if (manifest?.kind === 'ConfigMap' && name === SPIRE_NAMES.bundleConfigMap && manifest.metadata.namespace === SPIRE_NAMES.namespace) {
      fields.push({
        group: '',
        kind: 'ConfigMap',
        name,
        namespace: SPIRE_NAMES.namespace,
        jsonPointers: ['/data'],
        writer: "SPIRE's k8sbundle notifier",
      });
    }
  }
  return fields.sort((a, b) => (`${a.kind}/${a.name}` < `${b.kind}/${b.name}` ? -1 : 1));
}

/** Argo CD `ignoreDifferences` of the fields. */
function argoIgnoreDifferences(fields: readonly RuntimePatchedField[]): ApplicationSpecIgnoreDifferences[] {
  return fields.map((f) => ({
    group: f.group,
    kind: f.kind,
    name: f.name,
    ...(f.namespace ? { namespace: f.namespace } : {}),
    ...(f.jqPathExpressions ? { jqPathExpressions: [...f.jqPathExpressions] } : { jsonPointers: [...f.jsonPointers] }),
  }));
}

/** Flux `ignore` rules of the fields (JSON pointers; kustomize-controller v1.9 `spec.ignore`). */
function fluxIgnore(fields: readonly RuntimePatchedField[]): KustomizationSpecIgnore[] {
  return fields
    .filter((f) => f.jsonPointers.length > 0)
    .map((f) => ({
      paths: [...f.jsonPointers],
      target: { ...(f.group ? { group: f.group } : {}), kind: f.kind, name: f.name, ...(f.namespace ? { namespace: f.namespace } : {}) },
    }));
}

/** The Flux `ref` of a revision: a 40-hex commit, a full `refs/...` name, else a branch. */
function fluxRef(revision: string): GitRepositorySpecRef {
  if (/^[0-9a-f]{40}$/.test(revision)) return { commit: revision };
  if (revision.startsWith('refs/')) return { name: revision };
  return { branch: revision };
}

const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };

interface Made {
  readonly folder: string;
  readonly object: ApiObject;
}

/** The Argo CD destination of a cluster: the hub's registered cluster, else the cluster Argo CD runs in. */
function destinationOf(gitops: GitOpsModel, cluster: ClusterModel): ApplicationSpecDestination {
  if (!gitops.isArgoCdHub) return { server: ARGO_IN_CLUSTER_SERVER };
  const d = cluster.argoCdDestination;
  if (!d) throw new Error(`cluster '${cluster.name}' has no argoCdDestination: resolve specs with resolveMeshSpec or resolveMeshProps`);
  return d.server !== undefined ? { server: d.server } : { name: d.name };
}

function argoCdObjects(chart: Chart, mesh: MeshModel, gitops: GitOpsModel, stagesOf: ReadonlyMap<string, readonly FleetStage[]>): Made[] {
  const delivery = mesh.chartDelivery.kind === 'argocd' ? mesh.chartDelivery : undefined;
  const namespace = delivery?.namespace ?? DEFAULT_ARGO_CD_NAMESPACE;
  const project = delivery?.project ?? DEFAULT_ARGO_CD_PROJECT;
  // With a hub, the delivery Applications in <cluster>/delivery are Argo CD objects of the hub:
  // they are synced into the hub itself, and the rest of the directory into the cluster.
  const splitDelivery = gitops.isArgoCdHub && delivery !== undefined;
  const made: Made[] = [];
  for (const cluster of mesh.clusters) {
    const name = gitops.argoCdApplicationName(cluster.name, bootstrapName(mesh));
    const [first, ...later] = stagesOf.get(cluster.name) ?? clusterStages(cluster.name, []);
    const application = (
      id: string,
      appName: string,
      path: string,
      destination: ApplicationSpecDestination,
      extra: object,
      ignored: readonly RuntimePatchedField[],
    ) =>
      new Application(chart, `${cluster.name}-${id}`, {
        metadata: { name: appName, namespace, labels },
        spec: {
          project,
          source: { repoUrl: gitops.repository, targetRevision: gitops.revision, path, ...extra },
          destination,
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            // RespectIgnoreDifferences: a sync leaves the ignored fields as the controllers wrote them
            // (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#respect-ignore-difference-configs);
            // ServerSideApply: rendered charts (helm-template) carry CRDs larger than the
            // last-applied annotation allows.
            syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
            // A sync that fails (an object whose CRD another Application is still installing) is
            // retried without end, backing off as Argo CD's reference application.yaml shows
            // (https://argo-cd.readthedocs.io/en/stable/operator-manual/application.yaml: "unlimited number of
            // attempts if less than 0").
            retry: { limit: ARGO_RETRY.limit, backoff: { ...ARGO_RETRY.backoff } },
          },
          ...(ignored.length > 0 ? { ignoreDifferences: argoIgnoreDifferences(ignored) } : {}),
        },
      });
    const clusterPath = gitops.repositoryPath(cluster.name);
    made.push({
      folder: cluster.name,
      object: application(
        'cluster',
        name,
        clusterPath,
        destinationOf(gitops, cluster),
        // Argo CD's directory source with exclusions (https://argo-cd.readthedocs.io/en/stable/user-guide/directory/#including-excluding-files):
        // the kustomization would pull the delivery Applications into the remote cluster.
        splitDelivery
          ? { directory: { recurse: true, exclude: `{${KUSTOMIZATION_FILE},${INDEX_FILE},${DELIVERY_COMPONENT_NAME}/*}` } }
          : {},
        runtimePatchedFields(first.objects),
      ),
    });
    // The later stages of a directory that stages (helm-template, gloo-operator: `_after-crds/`), each one more
    // Application to the same destination. These are not children of one parent, so no wave orders them: the first
    // sync of a later stage fails while the CRDs of its objects do not exist yet ("no matches for kind"), and the
    // retry above applies it again until they do. chartDelivery argocd never stages (it orders by waves).
    for (const stage of later) {
      made.push({
        folder: cluster.name,
        object: application(
          `stage-${stage.stage}`,
          gitops.argoCdApplicationName(cluster.name, `${bootstrapName(mesh)}-${stage.stage}`),
          gitops.repositoryPath(stage.directory),
          destinationOf(gitops, cluster),
          {},
          runtimePatchedFields(stage.objects),
        ),
      });
    }
    if (splitDelivery) {
      made.push({
        folder: cluster.name,
        object: application(
          'delivery',
          `${name}-${DELIVERY_COMPONENT_NAME}`,
          `${clusterPath}/${DELIVERY_COMPONENT_NAME}`,
          { server: ARGO_IN_CLUSTER_SERVER, namespace },
          { directory: { recurse: false } },
          [],
        ),
      });
    }
  }
  made.push({
    folder: ARGOCD_CM_PATCH_FOLDER,
    object: new ApiObject(chart, 'argocd-cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: ARGOCD_CM_NAME, namespace, labels: { ...ARGOCD_CM_LABELS } },
      data: { [ARGOCD_APPLICATION_HEALTH_KEY]: ARGOCD_APPLICATION_HEALTH_LUA },
    }),
  });
  return made;
}

/**
 * Flux objects of one cluster: the GitRepository and one Kustomization per stage (./stages.ts), each after the one
 * before it (`dependsOn`: "applied only after the Kustomizations it depends on are Ready",
 * https://fluxcd.io/flux/components/kustomize/kustomizations/#dependencies).
 *
 * The first Kustomization (`<name>`, the cluster directory) is Ready once its `healthChecks` pass
 * (https://fluxcd.io/flux/components/kustomize/kustomizations/#health-checks): what delivers the CRDs of the later
 * stages and what serves their admission webhooks (`firstStageHealthChecks`). Not `wait: true`, which checks every
 * object it applied: an ExternalSecret is ready only once its secret store answers, which would hold the later
 * stages for something they do not need.
 *
 * A later Kustomization (`<name>-<stage>`, e.g. `-after-crds`) has no `wait` and no health checks: nothing depends
 * on it, so its readiness would order nothing, and the controllers of its objects report on them in their own
 * status (a Gateway's Programmed condition). It is Ready once applied; its `timeout` bounds that apply and a failed
 * one (an object refused by an admission webhook) is retried after `retryInterval`.
 */
export function fluxObjects(
  chart: Chart,
  mesh: MeshModel,
  gitops: GitOpsModel,
  cluster: ClusterModel,
  stages: readonly FleetStage[],
): Made[] {
  const name = bootstrapName(mesh);
  const made: Made[] = [
    {
      folder: cluster.name,
      object: new GitRepository(chart, `${cluster.name}-source`, {
        metadata: { name, namespace: FLUX_NAMESPACE, labels },
        spec: {
          url: gitops.repository,
          ref: fluxRef(gitops.revision),
          interval: FLUX_SOURCE_INTERVAL,
          ...(gitops.secretName ? { secretRef: { name: gitops.secretName } } : {}),
        },
      }),
    },
  ];
  const healthChecks = firstStageHealthChecks(stages);
  const stageName = (i: number) => (i === 0 ? name : `${name}-${stages[i].stage ?? i}`);
  stages.forEach((stage, i) => {
    const ignore = fluxIgnore(runtimePatchedFields(stage.objects));
    made.push({
      folder: cluster.name,
      object: new Kustomization(chart, `${cluster.name}-stage-${i}`, {
        metadata: { name: stageName(i), namespace: FLUX_NAMESPACE, labels },
        spec: {
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name },
          path: `./${gitops.repositoryPath(stage.directory)}`,
          prune: true,
          timeout: FLUX_KUSTOMIZATION_TIMEOUT,
          interval: FLUX_KUSTOMIZATION_INTERVAL,
          retryInterval: FLUX_KUSTOMIZATION_RETRY_INTERVAL,
          ...(i > 0 ? { dependsOn: [{ name: stageName(i - 1) }] } : {}),
          ...(i === 0 && healthChecks.length > 0 ? { healthChecks: healthChecks.map((h) => ({ ...h })) } : {}),
          ...(ignore.length > 0 ? { ignore } : {}),
        },
      }),
    });
  });
  return made;
}

const HEADER = `${GENERATED_HEADER} (\`npm run synth\`); do not edit.`;

function kustomization(comment: string, resources: readonly string[]): string {
  return `${HEADER} ${comment}\n${Yaml.stringify({ apiVersion: KUSTOMIZE_API_VERSION, kind: 'Kustomization', sortOptions: { order: 'fifo' }, resources })}`;
}

/** What a person runs once to start the engines, per engine and topology. */
function applyStepsOf(mesh: MeshModel, gitops: GitOpsModel, patch: string | undefined, outdirInRepo: string): string[] {
  const fleet = `${outdirInRepo}/${FLEET_DIRECTORY}`;
  const steps: string[] = [];
  if (patch) {
    const namespace = mesh.chartDelivery.kind === 'argocd' ? mesh.chartDelivery.namespace : DEFAULT_ARGO_CD_NAMESPACE;
    steps.push(
      `enable Argo CD's Application health check in every Argo CD that syncs the mesh: \`kubectl -n ${namespace} patch configmap ${ARGOCD_CM_NAME} --type merge --patch-file ${fleet}/${patch}\` (or list that file under \`patches:\` of the kustomization that installs Argo CD)`,
    );
  }
  if (gitops.isArgoCdHub) {
    steps.push(`register every cluster in the hub Argo CD (\`argocd cluster add <context>\`) under the destination the spec names`);
    steps.push(`apply the bootstrap to the hub once: \`kubectl --context <hub> apply -k ${fleet}\``);
  } else {
    for (const c of mesh.clusters) steps.push(`\`kubectl --context ${c.context} apply -k ${fleet}/${c.name}\``);
  }
  return steps;
}

/**
 * The bootstrap of a mesh with a `gitops` section (undefined without one). `clusterObjects` are
 * the rendered objects of each cluster directory (their runtime-patched fields are ignored).
 */
export function renderFleetBootstrap(
  mesh: MeshModel,
  clusterObjects: ReadonlyMap<string, readonly RenderedObject[]>,
): FleetBootstrap | undefined {
  const gitops = mesh.gitops;
  if (!gitops) return undefined;
  const chart = new Chart(new App(), FLEET_DIRECTORY);
  const stagesOf = new Map(mesh.clusters.map((c) => [c.name, clusterStages(c.name, clusterObjects.get(c.name) ?? [])]));
  const made =
    gitops.engine === GitOpsEngine.ARGO_CD
      ? argoCdObjects(chart, mesh, gitops, stagesOf)
      : mesh.clusters.flatMap((c) => fluxObjects(chart, mesh, gitops, c, stagesOf.get(c.name) ?? []));
  const objects: RenderedObject[] = made.map((m) => ({
    cluster: FLEET_DIRECTORY,
    component: m.folder,
    constructPath: m.object.node.path,
    manifest: m.object.toJson(),
  }));

  const files = new Map<string, string>();
  const perFolder = new Map<string, string[]>();
  for (const o of objects) {
    const rel = objectFilePath(o.component, o.manifest);
    files.set(rel, Yaml.stringify(o.manifest));
    const inFolder = perFolder.get(o.component);
    if (inFolder) inFolder.push(rel.slice(o.component.length + 1));
    else perFolder.set(o.component, [rel.slice(o.component.length + 1)]);
  }
  for (const c of mesh.clusters) {
    files.set(
      `${c.name}/${KUSTOMIZATION_FILE}`,
      kustomization(
        `The bootstrap of cluster ${c.name}${gitops.isArgoCdHub ? ' (applied to the hub Argo CD)' : ` (apply it to ${c.context})`}.`,
        perFolder.get(c.name) ?? [],
      ),
    );
  }
  files.set(
    KUSTOMIZATION_FILE,
    gitops.isArgoCdHub
      ? kustomization(
          'Every cluster of the mesh, for the hub Argo CD.',
          mesh.clusters.map((c) => c.name),
        )
      : kustomization(
          `Nothing here is applied to every cluster: apply ${FLEET_DIRECTORY}/<cluster> to each cluster (${gitops.engine === GitOpsEngine.FLUX ? 'Flux' : 'an Argo CD'} runs in each).`,
          [],
        ),
  );
  const patch = gitops.engine === GitOpsEngine.ARGO_CD ? objects.find((o) => o.component === ARGOCD_CM_PATCH_FOLDER) : undefined;
  const patchPath = patch && objectFilePath(patch.component, patch.manifest);
  files.set(INDEX_FILE, renderFleetIndex(mesh, gitops, files, objects));
  return { mesh, objects, files, argoCdConfigPatch: patchPath, applySteps: applyStepsOf(mesh, gitops, patchPath, gitops.pathPrefix) };
}

/** The index of `_fleet/`: what a cluster directory's index records, with the repository instead of the pinned versions. */
function renderFleetIndex(
  mesh: MeshModel,
  gitops: GitOpsModel,
  files: ReadonlyMap<string, string>,
  objects: readonly RenderedObject[],
): string {
  const objectsByPath = new Map<string, string[]>();
  for (const o of objects) {
    const rel = objectFilePath(o.component, o.manifest);
    const atPath = objectsByPath.get(rel);
    if (atPath) atPath.push(describeObject(o.manifest));
    else objectsByPath.set(rel, [describeObject(o.manifest)]);
  }
  return (
    INDEX_FILE_HEADER +
    Yaml.stringify({
      generator: generatorInfo(),
      mesh: mesh.name,
      fleet: {
        engine: gitops.engine.value,
        ...(gitops.engine === GitOpsEngine.ARGO_CD ? { argoCdTopology: gitops.argoCdTopology.value } : {}),
        repository: gitops.repository,
        revision: gitops.revision,
        pathPrefix: gitops.pathPrefix,
        clusters: mesh.clusters.map((c) => c.name),
      },
      specDigest: specDigest(mesh),
      files: [...files.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([p, text]) => ({ path: p, sha256: sha256(text), ...(objectsByPath.has(p) ? { objects: objectsByPath.get(p) } : {}) })),
    })
  );
}
