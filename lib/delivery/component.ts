import { Construct } from 'constructs';
import { ChartRelease, IClusterDelivery, ManifestSource } from '../core/delivery';
import { ClusterDeliveryFactory, MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { ChartDeliveryMode } from '../spec';
import { checkManifestSource, checkRelease } from './_checks';
import { ArgoCdDelivery } from './argo-cd';
import { IChartDelivery } from './chart-delivery';
import { orderForFirstSync } from './first-sync';
import { FluxDelivery } from './flux';
import { GlooOperatorDelivery } from './gloo-operator';
import { HelmTemplateDelivery } from './helm-template';
import { DELIVERY_COMPONENT_NAME } from './names';

export interface ChartDeliveryComponentProps {
  /**
   * Folder that a relative `chartDelivery.helmExecutable` path and `chartCacheDirectory` are
   * resolved against (helm-template mode).
   * @default process.cwd() (a SpireMesh passes its project folder, `MeshModel.projectDir`)
   */
  readonly baseDirectory?: string;
  /**
   * API server that Argo CD Applications deploy to (argocd mode).
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly argoCdDestinationServer?: string;
}

/** Apply order, then id, so that equal orders are stable. */
function byApplyOrder(a: { order: number; id: string }, b: { order: number; id: string }): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The delivery of one cluster in the mesh's `chartDelivery` mode: Argo CD Applications, Flux
 * sources and HelmReleases, `helm template` output, or the Gloo Operator's objects. Every
 * `MeshCluster` creates it before its components (see `chartDeliveryFor`), and each
 * `addRelease` / `addManifestSource` creates that mode's objects at once, whoever calls it and
 * whenever; the order between releases is resolved when the objects are rendered.
 *
 * Objects go to `dist/<cluster>/delivery/`; in helm-template mode each release gets its own
 * folder, `dist/<cluster>/<release id>/`.
 *
 * It also orders every object of the cluster for the first sync of a new cluster (first-sync.ts, docs/first-sync.md):
 * Argo CD sync waves and `SkipDryRunOnMissingResource` in argocd mode, the `_after-crds/` stage in the other modes.
 */
export class ChartDeliveryComponent extends MeshComponent implements IClusterDelivery {
  public readonly mode: ChartDeliveryMode;
  /** The construct of the mode (ArgoCdDelivery, FluxDelivery, HelmTemplateDelivery or GlooOperatorDelivery). */
  public readonly resource: IChartDelivery;

  private readonly releaseById = new Map<string, ChartRelease>();
  private readonly sourceById = new Map<string, ManifestSource>();

  public constructor(scope: Construct, id: string, props: ChartDeliveryComponentProps = {}) {
    super(scope, id, { componentName: DELIVERY_COMPONENT_NAME });
    const settings = MeshCluster.enclosing(this).mesh.chartDelivery;
    this.mode = settings.mode;
    const orderedReleases = () => this.releases;
    switch (settings.kind) {
      case 'argocd':
        this.resource = new ArgoCdDelivery(this, 'Resource', {
          namespace: settings.namespace,
          project: settings.project,
          destinationServer: props.argoCdDestinationServer,
        });
        break;
      case 'flux':
        this.resource = new FluxDelivery(this, 'Resource', { orderedReleases });
        break;
      case 'helm-template':
        this.resource = new HelmTemplateDelivery(this, 'Resource', {
          helmExecutable: settings.helmExecutable,
          chartCacheDirectory: settings.chartCacheDirectory,
          baseDirectory: props.baseDirectory,
        });
        break;
      case 'gloo-operator':
        this.resource = new GlooOperatorDelivery(this, 'Resource', {
          orderedReleases,
          operatorChartVersion: settings.operatorChartVersion,
        });
        break;
    }
    // The first-sync order of the whole cluster (first-sync.ts): set when the objects are rendered, since cdk8s and
    // spiremesh run every construct validation before they serialize any object. It reports nothing itself.
    this.node.addValidation({
      validate: () => {
        orderForFirstSync(this);
        return [];
      },
    });
  }

  public addRelease(release: ChartRelease): void {
    checkRelease(release);
    this.claim(release.id, 'chart release');
    this.releaseById.set(release.id, release);
    this.resource.addRelease(release);
  }

  public addManifestSource(source: ManifestSource): void {
    checkManifestSource(source);
    this.claim(source.id, 'manifest source');
    this.sourceById.set(source.id, source);
    this.resource.addManifestSource(source);
  }

  public get releases(): readonly ChartRelease[] {
    return [...this.releaseById.values()].sort(byApplyOrder);
  }

  public get manifestSources(): readonly ManifestSource[] {
    return [...this.sourceById.values()].sort(byApplyOrder);
  }

  public release(id: string): ChartRelease | undefined {
    return this.releaseById.get(id);
  }

  /** Ids are unique across releases and sources: two components would otherwise fight over one object. */
  private claim(id: string, what: string): void {
    if (this.releaseById.has(id) || this.sourceById.has(id)) {
      throw new Error(
        `${what} '${id}' is declared twice in cluster ${MeshCluster.enclosing(this).cluster.name}: give each release and source its own id`,
      );
    }
  }
}

/** The delivery factory of `MeshCluster`: one `ChartDeliveryComponent` per cluster, in the mesh's mode. */
export function chartDeliveryFor(props: ChartDeliveryComponentProps = {}): ClusterDeliveryFactory {
  return (cluster) => new ChartDeliveryComponent(cluster, 'ChartDelivery', props);
}
