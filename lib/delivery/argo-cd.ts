import { Construct } from 'constructs';
import { Application, ApplicationSpecSource } from '../../imports/argocd-application-argoproj.io';
import { MeshCluster } from '../core/cluster';
import { ChartRelease, DELIVERY_ORDER, ManifestSource, isOciRepository } from '../core/delivery';
import { ChartDeliveryMode, DEFAULT_ARGO_CD_NAMESPACE, DEFAULT_ARGO_CD_PROJECT } from '../spec';
import { nonEmpty, ociChartUrl } from './_checks';
import { IChartDelivery } from './chart-delivery';
import { ARGO_IN_CLUSTER_SERVER, ARGO_RESOURCES_FINALIZER, ARGO_SYNC_WAVE_ANNOTATION, EXTRA_VALUES_ANNOTATION } from './names';

export interface ArgoCdDeliveryProps {
  /**
   * Namespace of the Application objects (where Argo CD watches for them).
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * API server the Applications deploy to.
   * @default - the cluster's `argoCdDestination` when the mesh's `gitops.argoCdTopology` is hub,
   * else 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
}

/**
 * One Argo CD `Application` per chart release and per manifest source.
 *
 * - Names are the release/source ids when each cluster runs its own Argo CD (the default); with a
 *   hub Argo CD (`gitops.argoCdTopology: hub`) every cluster's Applications live in the hub, so
 *   they are named `<cluster>-<id>` and deploy to the cluster's `argoCdDestination`.
 * - Order: `argocd.argoproj.io/sync-wave` = the release's order. Waves order the Applications
 *   when they are synced by a parent app (app of apps) that applies `dist/<cluster>/`. Argo CD
 *   (since 1.8) does not wait for a child Application to be healthy unless the
 *   `argoproj.io/Application` health check is enabled in `argocd-cm`
 *   (https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app).
 * - OCI charts use Argo CD's native OCI source (v3.1+): `repoURL: oci://<registry>/<path>/<chart>`,
 *   `path: .`; classic helm repositories use `repoURL` + `chart`.
 * - `ServerSideApply=true`: the CRDs of istio-base and spire-crds exceed the 256 KiB
 *   `last-applied-configuration` annotation that client-side apply writes.
 */
export class ArgoCdDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.ARGO_CD;

  private readonly namespace: string;
  private readonly project: string;
  private readonly destination: { readonly server: string } | { readonly name: string };
  private readonly nameOf: (id: string) => string;
  private readonly applicationList: Application[] = [];

  public constructor(scope: Construct, id: string, props: ArgoCdDeliveryProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? DEFAULT_ARGO_CD_NAMESPACE;
    this.project = props.project ?? DEFAULT_ARGO_CD_PROJECT;
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const hubDestination = mesh.gitops?.isArgoCdHub ? cluster.argoCdDestination : undefined;
    this.destination = props.destinationServer
      ? { server: props.destinationServer }
      : hubDestination?.server !== undefined
        ? { server: hubDestination.server }
        : hubDestination?.name !== undefined
          ? { name: hubDestination.name }
          : { server: ARGO_IN_CLUSTER_SERVER };
    this.nameOf = (releaseId) => mesh.gitops?.argoCdApplicationName(cluster.name, releaseId) ?? releaseId;
  }

  /** The Applications, in the order they were added. */
  public get applications(): readonly Application[] {
    return this.applicationList;
  }

  public addRelease(release: ChartRelease): void {
    const helm = { releaseName: release.releaseName, valuesObject: nonEmpty(release.values) };
    const source: ApplicationSpecSource = isOciRepository(release.repository)
      ? { repoUrl: ociChartUrl(release), path: '.', targetRevision: release.version, helm }
      : { repoUrl: release.repository.url, chart: release.chart, targetRevision: release.version, helm };
    const extra = release.extraValueKeys ?? [];
    this.application(
      release.id,
      release.order,
      source,
      release.namespace,
      extra.length > 0 ? { [EXTRA_VALUES_ANNOTATION]: extra.join(',') } : {},
    );
  }

  public addManifestSource(source: ManifestSource): void {
    this.application(
      source.id,
      source.order,
      { repoUrl: source.gitUrl, path: source.path, targetRevision: source.revision },
      undefined,
      {},
    );
  }

  private application(
    name: string,
    order: number,
    source: ApplicationSpecSource,
    namespace: string | undefined,
    annotations: Record<string, string>,
  ): void {
    // CRDs outlive their Application: deleting or pruning a CRD deletes every custom resource of
    // that kind in the cluster (the spire-crds chart marks its CRDs `helm.sh/resource-policy: keep`
    // for the same reason). Everything else is removed with its Application.
    const crds = order === DELIVERY_ORDER.crds;
    this.applicationList.push(
      new Application(this, name, {
        metadata: {
          name: this.nameOf(name),
          namespace: this.namespace,
          annotations: { [ARGO_SYNC_WAVE_ANNOTATION]: String(order), ...annotations },
          ...(crds ? {} : { finalizers: [ARGO_RESOURCES_FINALIZER] }),
        },
        spec: {
          project: this.project,
          source,
          destination: { ...this.destination, ...(namespace ? { namespace } : {}) },
          syncPolicy: {
            automated: { prune: !crds, selfHeal: true },
            // CreateNamespace only where there is a destination namespace (manifest sources are CRDs).
            syncOptions: [...(namespace ? ['CreateNamespace=true'] : []), 'ServerSideApply=true'],
          },
        },
      }),
    );
  }
}
