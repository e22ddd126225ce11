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
import { HelmRepository } from '../../imports/flux-helmrepository-source.toolkit.fluxcd.io';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-ocirepository-source.toolkit.fluxcd.io';
import { ChartRelease, ManifestSource, isOciRepository } from '../core/delivery';
import { addSynthWarning } from '../core/warnings';
import { ChartDeliveryMode } from '../spec';
import { describeSource, kustomizeRemote, nonEmpty, ociChartUrl, repositoryName } from './_checks';
import { IChartDelivery, OrderedReleases } from './chart-delivery';
import { EXTRA_VALUES_ANNOTATION, FLUX_DEFAULT_INTERVAL, FLUX_NAMESPACE, HELM_CHART_LAYER_MEDIA_TYPE } from './names';

/** Where a HelmRelease gets its chart: `chartRef` (OCIRepository) or `chart.spec` (HelmRepository). */
type ChartReference = Pick<HelmReleaseSpec, 'chart' | 'chartRef'>;

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
 * Manifest sources are NOT delivered in this mode: Flux would need a `GitRepository` and a
 * `Kustomization`, whose schemas the synth-time gate does not have, and it refuses kinds it
 * cannot validate. A synth warning names the repository, path and tag to deliver with a Flux
 * Kustomization of your own.
 */
export class FluxDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.FLUX;

  private readonly namespace: string;
  private readonly interval: string;
  private readonly orderedReleases: OrderedReleases;
  private readonly helmReleaseList: HelmRelease[] = [];
  private readonly ociRepositoryList: OciRepository[] = [];
  private readonly helmRepositoryByUrl = new Map<string, HelmRepository>();

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
    addSynthWarning(this, () => {
      const next = this.orderedReleases().find((r) => r.order > source.order);
      return (
        `manifest source ${describeSource(source)} is not delivered in flux mode ` +
        '(no GitRepository schema is available to validate it): deliver it with your own Flux GitRepository and ' +
        `Kustomization (url ${source.gitUrl}, ref.tag ${source.revision}, path ./${source.path.replace(/^\/+/, '')}` +
        `${next ? `, before HelmRelease '${next.id}'` : ''}), or apply it with \`kubectl apply --server-side -k '${kustomizeRemote(source)}'\``
      );
    });
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
