import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { addPrerequisite } from '../core/prerequisites';
import { ChartRelease, ManifestSource } from '../core/delivery';
import { ChartDeliveryMode, DEFAULT_CHART_CACHE_DIRECTORY, DEFAULT_HELM_EXECUTABLE } from '../spec';
import { helmPullCommand, manifestSourcePrerequisite } from './_checks';
import { IChartDelivery } from './chart-delivery';
import { chartArchive, verifyHelmExecutable } from './helm-executable';
import { RenderedRelease, helmRenderCacheDirectory, renderHelmRelease } from './helm-render';
import { CLUSTER_SCOPED_BUILTINS, groupKind, importedCrdScope } from './kind-scopes';
import { HELM_TEMPLATE_KUBE_VERSION } from './names';

export interface HelmTemplateDeliveryProps {
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
  /**
   * Folder of rendered releases (helm-render.ts): a release whose helm version, chart archive, values,
   * name, namespace and flags are unchanged is taken from it instead of running `helm template` again.
   * Git-ignored by its own `.gitignore`. `false`: always run helm.
   * @default - `SPIREMESH_HELM_RENDER_CACHE`, else '.spiremesh/cache/helm-template' under `baseDirectory`
   */
  readonly renderCacheDirectory?: string | false;
}

/**
 * `helm template` at synth time: each release is rendered from a local chart archive (helm-render.ts:
 * the arguments of the cdk8s `Helm` construct, its output cached by input), so dist/ holds the
 * fully rendered output and the cluster needs no Helm at all. Each release's objects go to
 * their own folder, `dist/<cluster>/<release id>/` (a `MeshComponent` per release), and pass the
 * same strict schema gate as every other object: a chart that renders a kind without a schema
 * fails synth.
 *
 * Synth stays offline: charts are never pulled here. Missing archives and a missing helm binary
 * are reported together when the tree is checked, with the `helm pull` commands that fix them.
 * Manifest sources (git) are not rendered either: each is a prerequisite with the command that applies it.
 *
 * Helm's `--namespace` only reaches templates that use `.Release.Namespace`; `helm install`
 * puts the other namespaced objects into the release namespace at apply time. Rendered output
 * is applied with kustomize instead, so namespaced objects without a namespace get the
 * release namespace here, and the release namespace is declared (as `--create-namespace` does).
 * Whether a kind is namespaced comes from the built-in kinds, the imported CRDs and the CRDs
 * rendered by releases added so far (add CRD releases first, as their apply order says).
 */
export class HelmTemplateDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.HELM_TEMPLATE;
  /** Absolute path of the chart archive folder. */
  public readonly chartCacheDirectory: string;

  private readonly executable: string;
  private readonly baseDirectory: string;
  private readonly kubeVersion: string;
  private readonly renderCacheDirectory?: string;
  private readonly problems: string[] = [];
  private readonly componentList: MeshComponent[] = [];
  /** Scopes of the custom kinds known so far, keyed `<group>/<kind>`. */
  private readonly crdScopes = new Map(importedCrdScope());

  public constructor(scope: Construct, id: string, props: HelmTemplateDeliveryProps = {}) {
    super(scope, id);
    this.baseDirectory = props.baseDirectory ?? process.cwd();
    this.executable = props.helmExecutable ?? DEFAULT_HELM_EXECUTABLE;
    this.chartCacheDirectory = path.resolve(this.baseDirectory, props.chartCacheDirectory ?? DEFAULT_CHART_CACHE_DIRECTORY);
    this.kubeVersion = props.kubeVersion ?? HELM_TEMPLATE_KUBE_VERSION;
    this.renderCacheDirectory =
      props.renderCacheDirectory === false
        ? undefined
        : props.renderCacheDirectory !== undefined
          ? path.resolve(this.baseDirectory, props.renderCacheDirectory)
          : helmRenderCacheDirectory(this.baseDirectory);
    // Everything that is missing is reported at once, with the commands that fix it.
    this.node.addValidation({
      validate: () =>
        this.problems.length === 0
          ? []
          : [`helm-template delivery cannot render the charts:\n${this.problems.map((p) => `  - ${p}`).join('\n')}`],
    });
  }

  /** One component (output folder) per rendered release, in the order they were added. */
  public get releaseComponents(): readonly MeshComponent[] {
    return this.componentList;
  }

  public addRelease(release: ChartRelease): void {
    const helm = verifyHelmExecutable(this.executable, this.baseDirectory);
    const archive = chartArchive(this.chartCacheDirectory, release);
    const missing: string[] = [];
    if (helm.problem && !this.problems.includes(helm.problem)) missing.push(helm.problem);
    if (!fs.existsSync(archive)) {
      missing.push(
        `chart archive ${archive} of release '${release.id}' is missing: run \`${helmPullCommand(release, this.chartCacheDirectory)}\``,
      );
    }
    this.problems.push(...missing);
    if (helm.problem || missing.length > 0) return;

    const component = new MeshComponent(this, release.id, { componentName: release.id });
    MeshCluster.enclosing(this).namespaces.addNamespace(release.namespace);
    let chart: RenderedRelease;
    try {
      chart = renderHelmRelease(component, 'Resource', {
        helm: { path: helm.path, version: helm.version ?? '' },
        archive,
        releaseName: release.releaseName,
        namespace: release.namespace,
        values: (release.values ?? {}) as Record<string, unknown>,
        // CRDs are part of the release (helm install applies crds/ too); render for the gate's Kubernetes version.
        flags: ['--include-crds', '--kube-version', this.kubeVersion],
        cacheDirectory: this.renderCacheDirectory,
      });
    } catch (e) {
      throw new Error(`helm template failed for release '${release.id}' (${archive}): ${(e as Error).message.trim()}`);
    }
    this.componentList.push(component);
    this.normalize(release, chart.apiObjects);
  }

  public addManifestSource(source: ManifestSource): void {
    addPrerequisite(this, manifestSourcePrerequisite(source, this.mode.value));
  }

  /**
   * Drops rendered `status` and gives namespaced objects without a namespace the release's
   * namespace, as `helm install` would.
   */
  private normalize(release: ChartRelease, objects: readonly ApiObject[]): void {
    for (const o of objects) {
      if (o.kind !== 'CustomResourceDefinition') continue;
      const spec = o.toJson().spec ?? {};
      if (spec.group && spec.names?.kind && spec.scope) this.crdScopes.set(`${spec.group}/${spec.names.kind}`, spec.scope);
    }
    for (const o of objects) {
      // Charts may render `status` (controller-gen CRDs carry an empty one, e.g. spire-crds 0.5.0).
      // The API server ignores it on create and update: status is written through the /status
      // subresource, and a CRD's status by the apiextensions server (Kubernetes API conventions,
      // "Spec and Status"). It is dropped so that the strict schema gate sees what is applied.
      if (o.toJson().status !== undefined) o.addJsonPatch(JsonPatch.remove('/status'));
      if (o.metadata.namespace) continue;
      const gk = groupKind(o.apiVersion, o.kind);
      if (CLUSTER_SCOPED_BUILTINS.has(gk) || this.crdScopes.get(gk) === 'Cluster') continue;
      o.addJsonPatch(JsonPatch.add('/metadata/namespace', release.namespace));
    }
  }
}
