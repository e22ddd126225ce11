import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpec,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecDependsOn,
  HelmReleaseSpecInstallCrds,
  HelmReleaseSpecUpgradeCrds,
} from '../../imports/flux-helmrelease-helm.toolkit.fluxcd.io';
import { GitRepository, GitRepositorySpecRef } from '../../imports/flux-gitrepository-source.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-helmrepository-source.toolkit.fluxcd.io';
import { Kustomization, KustomizationSpecSourceRefKind } from '../../imports/flux-kustomization-kustomize.toolkit.fluxcd.io';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-ocirepository-source.toolkit.fluxcd.io';
import { ChartRelease, ManifestSource, isOciRepository } from '../core/delivery';
import { addSynthWarning } from '../core/warnings';
import { ChartDeliveryMode } from '../spec';
import { checkManifestSource, describeSource, kustomizeRemote, nonEmpty, ociChartUrl, repositoryName } from './_checks';
import { IChartDelivery, OrderedReleases } from './chart-delivery';
import { EXTRA_VALUES_ANNOTATION, FLUX_DEFAULT_INTERVAL, FLUX_NAMESPACE, HELM_CHART_LAYER_MEDIA_TYPE } from './names';

/** Where a HelmRelease gets its chart: `chartRef` (OCIRepository) or `chart.spec` (HelmRepository). */
type ChartReference = Pick<HelmReleaseSpec, 'chart' | 'chartRef'>;

/** A full git commit SHA-1 (what `ManifestSource.revision` holds when it is not a tag). */
const COMMIT_SHA = /^[0-9a-f]{40}$/;

/**
 * The GitRepository `ref` of a pinned revision (source-controller v1.9.1 GitRepository CRD, ../shared/crds/flux:
 * `ref.tag` "Tag to check out", `ref.commit` "Commit SHA to check out"; `ref.semver` is a range expression, so an
 * exact tag is `tag`, not `semver`).
 */
function gitRef(revision: string): GitRepositorySpecRef {
  return COMMIT_SHA.test(revision) ? { commit: revision } : { tag: revision };
}

export interface FluxDeliveryProps {
  /** The cluster's releases in apply order, read when the `dependsOn` chain is rendered. */
  readonly orderedReleases: OrderedReleases;
  /**
   * Namespace of the Flux sources and HelmReleases (where the Flux controllers run).
   * @default 'flux-system'
   */
  readonly namespace?: string;
  /**
   * Reconcile interval of sources and releases.
   * @default '10m'
   */
  readonly interval?: string;
}

/**
 * Flux objects for the chart releases: per OCI chart an `OCIRepository` (the chart layer,
 * pinned by tag) and a `HelmRelease` with `chartRef`; per https helm repository one shared
 * `HelmRepository`, and `HelmRelease`s with `chart.spec`. Each HelmRelease `dependsOn` the
 * previous one in apply order, so Flux installs them in the order of the Argo CD sync waves;
 * the chain is resolved when the objects are rendered, so releases may be added in any order.
 *
 * Per manifest source (the Gateway API CRDs) a `GitRepository` of its repository at its pinned tag or
 * commit, and a `Kustomization` that applies its path and reads Ready once every object it applied is
 * ready (for a CRD: Established). The fleet bootstrap's first Kustomization health-checks it, so the
 * objects of `_after-crds/` that need those CRDs come after them (docs/first-sync.md). A source whose
 * revision is neither a version tag nor a full commit SHA (only possible when this construct is used
 * without the delivery component, which refuses such sources) is not delivered: a synth warning says
 * how to apply it.
 */
export class FluxDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.FLUX;

  private readonly namespace: string;
  private readonly interval: string;
  private readonly orderedReleases: OrderedReleases;
  private readonly helmReleaseList: HelmRelease[] = [];
  private readonly ociRepositoryList: OciRepository[] = [];
  private readonly helmRepositoryByUrl = new Map<string, HelmRepository>();
  private readonly gitRepositoryList: GitRepository[] = [];
  private readonly kustomizationList: Kustomization[] = [];

  public constructor(scope: Construct, id: string, props: FluxDeliveryProps) {
    super(scope, id);
    this.namespace = props.namespace ?? FLUX_NAMESPACE;
    this.interval = props.interval ?? FLUX_DEFAULT_INTERVAL;
    this.orderedReleases = props.orderedReleases;
  }

  /** The HelmReleases, in the order they were added. */
  public get helmReleases(): readonly HelmRelease[] {
    return this.helmReleaseList;
  }

  public get ociRepositories(): readonly OciRepository[] {
    return this.ociRepositoryList;
  }

  public get helmRepositories(): readonly HelmRepository[] {
    return [...this.helmRepositoryByUrl.values()];
  }

  /** The GitRepositories of the manifest sources, in the order they were added. */
  public get gitRepositories(): readonly GitRepository[] {
    return this.gitRepositoryList;
  }

  /** The Kustomizations that apply the manifest sources, in the order they were added. */
  public get kustomizations(): readonly Kustomization[] {
    return this.kustomizationList;
  }

  public addRelease(release: ChartRelease): void {
    let chart: ChartReference;
    if (isOciRepository(release.repository)) {
      this.ociRepositoryList.push(this.ociRepository(release));
      chart = { chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: release.id } };
    } else {
      const name = repositoryName(release.repository);
      if (!this.helmRepositoryByUrl.has(release.repository.url)) {
        this.helmRepositoryByUrl.set(
          release.repository.url,
          new HelmRepository(this, `HelmRepository-${name}`, {
            metadata: { name, namespace: this.namespace },
            spec: { url: release.repository.url, interval: this.interval },
          }),
        );
      }
      chart = {
        chart: {
          spec: {
            chart: release.chart,
            version: release.version,
            sourceRef: { kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY, name },
          },
        },
      };
    }
    this.helmReleaseList.push(this.helmRelease(release, chart));
  }

  public addManifestSource(source: ManifestSource): void {
    try {
      checkManifestSource(source);
    } catch (e) {
      addSynthWarning(
        this,
        `manifest source ${describeSource(source)} is not delivered in flux mode: ${(e as Error).message}, ` +
          `or apply it yourself with \`kubectl apply --server-side -k '${kustomizeRemote(source)}'\``,
      );
      return;
    }
    const path = source.path.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    this.gitRepositoryList.push(
      new GitRepository(this, `GitRepository-${source.id}`, {
        metadata: { name: source.id, namespace: this.namespace },
        spec: {
          url: source.gitUrl,
          ref: gitRef(source.revision),
          // Only the source's folder goes into the artifact ("SparseCheckout specifies a list of directories to
          // checkout when cloning the repository", GitRepository CRD of source-controller v1.9.1;
          // https://fluxcd.io/flux/components/source/gitrepositories/#sparse-checkout).
          sparseCheckout: [path],
          interval: this.interval,
        },
      }),
    );
    this.kustomizationList.push(
      new Kustomization(this, `Kustomization-${source.id}`, {
        metadata: { name: source.id, namespace: this.namespace },
        spec: {
          sourceRef: { kind: KustomizationSpecSourceRefKind.GIT_REPOSITORY, name: source.id },
          path: `./${path}`,
          // No garbage collection: the source delivers CRDs, and deleting a CRD deletes every object of its kind in
          // the cluster. With `prune: true` a CRD dropped by a new revision, or every CRD when this Kustomization is
          // deleted, would be deleted, and every Gateway with it ("Prune enables garbage collection",
          // https://fluxcd.io/flux/components/kustomize/kustomizations/#prune; the default deletion policy
          // MirrorPrune then orphans the objects when the Kustomization is deleted,
          // https://fluxcd.io/flux/components/kustomize/kustomizations/#deletion-policy). A CRD a new revision
          // drops stays in the cluster until someone deletes it. The Argo CD Application of a CRD source does not
          // prune either (argo-cd.ts).
          prune: false,
          // Ready only once every applied object is ready: a CRD once it is Established (kstatus,
          // https://fluxcd.io/flux/components/kustomize/kustomizations/#wait), which is what the bootstrap's
          // health check on this Kustomization waits for.
          wait: true,
          interval: this.interval,
        },
      }),
    );
  }

  private ociRepository(release: ChartRelease): OciRepository {
    return new OciRepository(this, `OCIRepository-${release.id}`, {
      metadata: { name: release.id, namespace: this.namespace },
      spec: {
        url: ociChartUrl(release),
        ref: { tag: release.version },
        // The chart tarball layer, copied as is, which is what a HelmRelease chartRef expects.
        layerSelector: { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, operation: OciRepositorySpecLayerSelectorOperation.COPY },
        interval: this.interval,
      },
    });
  }

  /** `dependsOn` of a release: the release before it in apply order, resolved at render time. */
  private dependsOn(release: ChartRelease): HelmReleaseSpecDependsOn[] {
    return Lazy.any({
      produce: () => {
        const ordered = this.orderedReleases();
        const previous = ordered[ordered.findIndex((r) => r.id === release.id) - 1];
        return previous ? [{ name: previous.id }] : undefined;
      },
    }) as unknown as HelmReleaseSpecDependsOn[];
  }

  private helmRelease(release: ChartRelease, chart: ChartReference): HelmRelease {
    const extra = release.extraValueKeys ?? [];
    return new HelmRelease(this, `HelmRelease-${release.id}`, {
      metadata: {
        name: release.id,
        namespace: this.namespace,
        ...(extra.length > 0 ? { annotations: { [EXTRA_VALUES_ANNOTATION]: extra.join(',') } } : {}),
      },
      spec: {
        ...chart,
        releaseName: release.releaseName,
        targetNamespace: release.namespace,
        // Helm's release record lives with the release (as `helm install -n <namespace>` keeps it),
        // so `helm list -n istio-system` and `helm get values` keep working.
        storageNamespace: release.namespace,
        // Charts that keep CRDs in crds/ (Helm never upgrades those by default) get them updated.
        install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE },
        values: nonEmpty(release.values),
        dependsOn: this.dependsOn(release),
        interval: this.interval,
      },
    });
  }
}
