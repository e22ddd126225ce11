import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { ChartDeliveryMode } from '../spec';
import { ArgoCdDelivery } from './argo-cd';
import { IChartDelivery } from './chart-delivery';
import { FluxDelivery } from './flux';
import { GlooOperatorDelivery } from './gloo-operator';
import { HelmTemplateDelivery } from './helm-template';
import { DELIVERY_COMPONENT_NAME } from './names';

export interface ChartDeliveryComponentProps {
  /**
   * Folder that a relative `chartDelivery.helmExecutable` path and `chartCacheDirectory` are
   * resolved against (helm-template mode).
   * @default process.cwd()
   */
  readonly baseDirectory?: string;
}

/**
 * Delivers a cluster's chart releases and manifest sources (`MeshCluster.deliveries`) the way
 * the mesh's `chartDelivery` says: Argo CD Applications, Flux sources and HelmReleases,
 * `helm template` output, or the Gloo Operator's objects. One mode per mesh.
 *
 * Create it LAST in each MeshCluster (`new ChartDeliveryComponent(cluster, 'ChartDelivery')`):
 * it reads the registry when it is created. A release added afterwards would be silently left
 * out, so it is reported as a synth error instead.
 *
 * Objects go to `dist/<cluster>/delivery/`; in helm-template mode each release gets its own
 * folder, `dist/<cluster>/<release id>/`.
 */
export class ChartDeliveryComponent extends MeshComponent {
  public readonly mode: ChartDeliveryMode;
  /** The construct of the mode (ArgoCdDelivery, FluxDelivery, HelmTemplateDelivery or GlooOperatorDelivery). */
  public readonly delivery: IChartDelivery;

  public constructor(scope: Construct, id: string, props: ChartDeliveryComponentProps = {}) {
    super(scope, id, { componentName: DELIVERY_COMPONENT_NAME });
    const chart = MeshCluster.enclosing(this);
    const settings = chart.mesh.chartDelivery;
    this.mode = settings.mode;
    const releases = chart.deliveries.releases;
    const manifestSources = chart.deliveries.manifestSources;

    if (settings.kind === 'argocd') {
      this.delivery = new ArgoCdDelivery(this, 'Resource', {
        releases,
        manifestSources,
        namespace: settings.namespace,
        project: settings.project,
      });
    } else if (settings.kind === 'flux') {
      this.delivery = new FluxDelivery(this, 'Resource', { releases, manifestSources });
    } else if (settings.kind === 'helm-template') {
      this.delivery = new HelmTemplateDelivery(this, 'Resource', {
        releases,
        manifestSources,
        helmExecutable: settings.helmExecutable,
        chartCacheDirectory: settings.chartCacheDirectory,
        baseDirectory: props.baseDirectory,
      });
    } else {
      this.delivery = new GlooOperatorDelivery(this, 'Resource', { releases, manifestSources });
    }

    const delivered = new Set([...releases, ...manifestSources].map((d) => d.id));
    this.node.addValidation({
      validate: () =>
        [...chart.deliveries.releases, ...chart.deliveries.manifestSources]
          .filter((d) => !delivered.has(d.id))
          .map(
            (d) =>
              `'${d.id}' was added to the cluster's deliveries after the chart-delivery component was created, so it is not delivered: create ChartDeliveryComponent last in the MeshCluster`,
          ),
    });
  }
}
