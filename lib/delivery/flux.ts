import { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpec,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecInstallCrds,
  HelmReleaseSpecUpgradeCrds,
} from '../../imports/flux-helmrelease-helm.toolkit.fluxcd.io';
import { HelmRepository } from '../../imports/flux-helmrepository-source.toolkit.fluxcd.io';
import { OciRepository, OciRepositorySpecLayerSelectorOperation } from '../../imports/flux-ocirepository-source.toolkit.fluxcd.io';
import { addSynthWarning } from '../core/warnings';
import { ChartDeliveryMode } from '../spec';
import { checkManifestSource, checkRelease, describeSource, kustomizeRemote, nonEmpty, ociChartUrl, repositoryName } from './_checks';
import { ChartDeliverySourcesProps, IChartDelivery } from './chart-delivery';
import { EXTRA_VALUES_ANNOTATION, FLUX_DEFAULT_INTERVAL, FLUX_NAMESPACE, HELM_CHART_LAYER_MEDIA_TYPE } from './names';
import { ChartRelease, isOciRepository } from './release';

/** Where a HelmRelease gets its chart: `chartRef` (OCIRepository) or `chart.spec` (HelmRepository). */
type ChartReference = Pick<HelmReleaseSpec, 'chart' | 'chartRef'>;

export interface FluxDeliveryProps extends ChartDeliverySourcesProps {
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
 * previous one in apply order, so Flux installs them in the order of the Argo CD sync waves.
 *
 * Manifest sources are NOT delivered in this mode: Flux would need a `GitRepository` and a
 * `Kustomization`, and no GitRepository CRD schema is available to the schema gate (it is not
 * in ../shared/crds), which refuses kinds it cannot validate. A synth warning names the
 * repository, path and tag to deliver with a Flux Kustomization of your own.
 */
export class FluxDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.FLUX;
  /** The HelmReleases, in apply order. */
  public readonly helmReleases: readonly HelmRelease[];
  public readonly ociRepositories: readonly OciRepository[];
  public readonly helmRepositories: readonly HelmRepository[];

  private readonly namespace: string;
  private readonly interval: string;

  public constructor(scope: Construct, id: string, props: FluxDeliveryProps) {
    super(scope, id);
    this.namespace = props.namespace ?? FLUX_NAMESPACE;
    this.interval = props.interval ?? FLUX_DEFAULT_INTERVAL;
    props.releases.forEach(checkRelease);
    const sources = props.manifestSources ?? [];
    sources.forEach(checkManifestSource);

    const ociRepositories: OciRepository[] = [];
    const helmRepositories = new Map<string, HelmRepository>();
    const helmReleases: HelmRelease[] = [];
    let previous: ChartRelease | undefined;
    for (const release of props.releases) {
      let chart: ChartReference;
      if (isOciRepository(release.repository)) {
        ociRepositories.push(this.ociRepository(release));
        chart = { chartRef: { kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY, name: release.id } };
      } else {
        const name = repositoryName(release.repository);
        if (!helmRepositories.has(release.repository.url)) {
          helmRepositories.set(
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
      helmReleases.push(this.helmRelease(release, chart, previous));
      previous = release;
    }
    this.helmReleases = helmReleases;
    this.ociRepositories = ociRepositories;
    this.helmRepositories = [...helmRepositories.values()];

    for (const source of sources) {
      const next = props.releases.find((r) => r.order > source.order);
      addSynthWarning(
        this,
        `manifest source ${describeSource(source)} is not delivered in flux mode ` +
          '(no GitRepository schema is available to validate it): deliver it with your own Flux GitRepository and ' +
          `Kustomization (url ${source.gitUrl}, ref.tag ${source.revision}, path ./${source.path.replace(/^\/+/, '')}` +
          `${next ? `, before HelmRelease '${next.id}'` : ''}), or apply it with \`kubectl apply --server-side -k '${kustomizeRemote(source)}'\``,
      );
    }
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

  private helmRelease(release: ChartRelease, chart: ChartReference, previous: ChartRelease | undefined): HelmRelease {
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
        // Helm's release record lives with the release (as with `helm -n <namespace>` in seed 001),
        // so `helm list -n istio-system` and `helm get values` keep working.
        storageNamespace: release.namespace,
        // Charts that keep CRDs in crds/ (Helm never upgrades those by default) get them updated.
        install: { createNamespace: true, crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE },
        upgrade: { crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE },
        values: nonEmpty(release.values),
        ...(previous ? { dependsOn: [{ name: previous.id }] } : {}),
        interval: this.interval,
      },
    });
  }
}
