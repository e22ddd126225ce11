import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Helm, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { addSynthWarning } from '../core/warnings';
import { ChartDeliveryMode } from '../spec';
import { checkManifestSource, checkRelease, describeSource, helmPullCommand, kustomizeRemote } from './_checks';
import { ChartDeliverySourcesProps, IChartDelivery } from './chart-delivery';
import { HELM_DEFAULT_CHART_CACHE, HELM_DEFAULT_EXECUTABLE, HELM_TEMPLATE_KUBE_VERSION } from './names';
import { ChartRelease } from './release';

export interface HelmTemplateDeliveryProps extends ChartDeliverySourcesProps {
  /**
   * The helm binary: a name looked up on PATH, or a path (relative paths are resolved against
   * `baseDirectory`).
   * @default 'helm' from PATH
   */
  readonly helmExecutable?: string;
  /**
   * Folder with the pulled chart archives `<chart>-<version>.tgz` (`helm pull ... -d <folder>`);
   * a relative folder is resolved against `baseDirectory`.
   * @default '.spiremesh/charts'
   */
  readonly chartCacheDirectory?: string;
  /**
   * Folder that relative `helmExecutable` and `chartCacheDirectory` paths are resolved against.
   * @default process.cwd()
   */
  readonly baseDirectory?: string;
  /**
   * Kubernetes version the charts are rendered for (`helm template --kube-version`).
   * @default '1.30.0', the version of the schemas the synth-time gate validates against
   */
  readonly kubeVersion?: string;
}

/**
 * `helm template` at synth time: each release is rendered from a local chart archive with the
 * cdk8s `Helm` construct (toolchain.md §6), so dist/ holds the fully rendered output and the
 * cluster needs no Helm at all. Each release's objects go to their own folder,
 * `dist/<cluster>/<release id>/` (a `MeshComponent` per release), and pass the same strict
 * schema gate as every other object: a chart that renders a kind without a schema fails synth.
 *
 * Synth stays offline: charts are never pulled here. Missing archives and a missing helm binary
 * are reported up front, with the `helm pull` commands that fix them. Manifest sources (git)
 * are not rendered either; a synth warning says how to apply them.
 *
 * Helm's `--namespace` only reaches templates that use `.Release.Namespace`; `helm install`
 * puts the other namespaced objects into the release namespace at apply time. Rendered output
 * is applied with kustomize instead, so namespaced objects without a namespace get the
 * release namespace here, and the release namespace is declared (as `--create-namespace` does).
 */
export class HelmTemplateDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.HELM_TEMPLATE;
  /** Absolute path of the helm binary that rendered the charts. */
  public readonly helmExecutable: string;
  /** Absolute path of the chart archive folder. */
  public readonly chartCacheDirectory: string;
  /** One component (output folder) per release, in apply order. */
  public readonly releaseComponents: readonly MeshComponent[];

  public constructor(scope: Construct, id: string, props: HelmTemplateDeliveryProps) {
    super(scope, id);
    const baseDirectory = props.baseDirectory ?? process.cwd();
    const executable = props.helmExecutable ?? HELM_DEFAULT_EXECUTABLE;
    this.chartCacheDirectory = path.resolve(baseDirectory, props.chartCacheDirectory ?? HELM_DEFAULT_CHART_CACHE);
    const kubeVersion = props.kubeVersion ?? HELM_TEMPLATE_KUBE_VERSION;
    props.releases.forEach(checkRelease);
    const sources = props.manifestSources ?? [];
    sources.forEach(checkManifestSource);

    // Everything that is missing, reported at once, before helm runs.
    const problems: string[] = [];
    const helm = props.releases.length > 0 ? verifyHelmExecutable(executable, baseDirectory) : { path: executable };
    if (helm.problem) problems.push(helm.problem);
    for (const release of props.releases) {
      const archive = chartArchive(this.chartCacheDirectory, release);
      if (!fs.existsSync(archive)) {
        problems.push(
          `chart archive ${archive} of release '${release.id}' is missing: run \`${helmPullCommand(release, this.chartCacheDirectory)}\``,
        );
      }
    }
    if (problems.length > 0) {
      throw new Error(`helm-template delivery cannot render the charts:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    this.helmExecutable = helm.path;

    const cluster = MeshCluster.enclosing(this);
    const rendered: { release: ChartRelease; objects: ApiObject[] }[] = [];
    this.releaseComponents = props.releases.map((release) => {
      const component = new MeshComponent(this, release.id, { componentName: release.id });
      cluster.namespaces.addNamespace(release.namespace);
      let chart: Helm;
      try {
        chart = new Helm(component, 'Resource', {
          chart: chartArchive(this.chartCacheDirectory, release),
          releaseName: release.releaseName,
          namespace: release.namespace,
          values: release.values,
          helmExecutable: this.helmExecutable,
          // CRDs are part of the release (helm install applies crds/ too); render for the gate's Kubernetes version.
          helmFlags: ['--include-crds', '--kube-version', kubeVersion],
        });
      } catch (e) {
        throw new Error(
          `helm template failed for release '${release.id}' (${chartArchive(this.chartCacheDirectory, release)}): ${(e as Error).message.trim()}`,
        );
      }
      rendered.push({ release, objects: chart.apiObjects });
      return component;
    });
    defaultNamespaces(rendered);

    for (const source of sources) {
      addSynthWarning(
        this,
        `manifest source ${describeSource(source)} is not rendered in helm-template mode ` +
          '(synth never fetches from the network): apply it before the charts with ' +
          `\`kubectl apply --server-side -k '${kustomizeRemote(source)}'\`, or vendor its manifests into a component`,
      );
    }
  }
}

/** `<cache>/<chart>-<version>.tgz`: the file name `helm pull` writes. */
export function chartArchive(cacheDirectory: string, release: ChartRelease): string {
  return path.join(cacheDirectory, `${release.chart}-${release.version}.tgz`);
}

const verifiedExecutables = new Map<string, { path: string; problem?: string }>();

/**
 * Finds the helm binary (a PATH name or a path) and checks that `helm version` runs. The result
 * is cached per process: every cluster of a mesh uses the same binary.
 */
export function verifyHelmExecutable(executable: string, baseDirectory: string): { path: string; problem?: string } {
  const key = `${baseDirectory}\0${executable}`;
  const cached = verifiedExecutables.get(key);
  if (cached) return cached;
  const fix = 'install helm (or run scripts/fetch-helm.sh) and put it on PATH, or set chartDelivery.helmExecutable to its path';
  let result: { path: string; problem?: string };
  const resolved = resolveExecutable(executable, baseDirectory);
  if (!resolved) {
    const where = executable.includes('/') ? `at ${path.resolve(baseDirectory, executable)}` : 'on PATH';
    result = { path: executable, problem: `helm executable '${executable}' was not found ${where}: ${fix}` };
  } else {
    const run = spawnSync(resolved, ['version'], { encoding: 'utf8', timeout: 30_000 });
    result =
      run.status === 0
        ? { path: resolved }
        : {
            path: resolved,
            problem: `helm executable ${resolved} does not run (\`helm version\` ${run.error ? `failed: ${run.error.message}` : `exited with ${run.status}: ${(run.stderr ?? '').trim()}`}): ${fix}`,
          };
  }
  verifiedExecutables.set(key, result);
  return result;
}

function resolveExecutable(executable: string, baseDirectory: string): string | undefined {
  if (executable.includes('/') || executable.includes(path.sep)) {
    const candidate = path.resolve(baseDirectory, executable);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, executable);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Cluster-scoped built-in kinds of Kubernetes 1.30 (`kubectl api-resources --namespaced=false`),
 * keyed `<group>/<kind>` with '' for the core group.
 */
const CLUSTER_SCOPED_BUILTINS = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'internal.apiserver.k8s.io/StorageVersion',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/ResourceClass',
  'resource.k8s.io/ResourceSlice',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'storagemigration.k8s.io/StorageVersionMigration',
]);

let importedCrdScopes: Map<string, string> | undefined;

/** Scopes of the imported CRDs (imports/schemas/crds headers), keyed `<group>/<kind>`. */
function importedCrdScope(): Map<string, string> {
  if (importedCrdScopes) return importedCrdScopes;
  importedCrdScopes = new Map();
  const dir = path.join(__dirname, '../../imports/schemas/crds');
  if (fs.existsSync(dir)) {
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const header = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).header ?? {};
      if (header.group && header.kind && header.scope) importedCrdScopes.set(`${header.group}/${header.kind}`, header.scope);
    }
  }
  return importedCrdScopes;
}

function groupKind(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;
}

/**
 * Gives namespaced objects without a namespace their release's namespace. Scopes come from the
 * built-in list, the imported CRDs and the CRDs the charts render themselves (spire-crds).
 */
function defaultNamespaces(rendered: readonly { release: ChartRelease; objects: ApiObject[] }[]): void {
  const scopes = new Map(importedCrdScope());
  for (const { objects } of rendered) {
    for (const o of objects) {
      if (o.kind !== 'CustomResourceDefinition') continue;
      const spec = o.toJson().spec ?? {};
      if (spec.group && spec.names?.kind && spec.scope) scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope);
    }
  }
  for (const { release, objects } of rendered) {
    for (const o of objects) {
      // Charts may render `status` (controller-gen CRDs carry an empty one, e.g. spire-crds 0.5.0).
      // The API server ignores it on create and update: status is written through the /status
      // subresource, and a CRD's status by the apiextensions server (Kubernetes API conventions,
      // "Spec and Status"). It is dropped so that the strict schema gate sees what is applied.
      if (o.toJson().status !== undefined) o.addJsonPatch(JsonPatch.remove('/status'));
      if (o.metadata.namespace) continue;
      const gk = groupKind(o.apiVersion, o.kind);
      if (CLUSTER_SCOPED_BUILTINS.has(gk) || scopes.get(gk) === 'Cluster') continue;
      o.addJsonPatch(JsonPatch.add('/metadata/namespace', release.namespace));
    }
  }
}
