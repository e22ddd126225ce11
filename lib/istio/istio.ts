import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { ChartRelease, DELIVERY_ORDER } from '../core/delivery';
import { addSynthWarning } from '../core/warnings';
import { DataplaneMode, ISTIO_NAMESPACE, IstioDistribution } from '../spec';
import { IstioChartKey, ModelOwnedValueError, screenExtraValues } from './escape-hatch';
import {
  BaseValues,
  CniValues,
  ExtraValues,
  IstiodValues,
  ZtunnelValues,
  baseValues,
  cniValues,
  istiodValues,
  mergeValues,
  ztunnelValues,
} from './values';

/**
 * Gateway API standard CRDs, pinned to the release matching the Istio minor (the Istio ambient
 * install applies its standard-install.yaml first: https://istio.io/latest/docs/ambient/install/helm/).
 */
export const GATEWAY_API_REPOSITORY = 'https://github.com/kubernetes-sigs/gateway-api.git';
export const GATEWAY_API_CRD_PATH = 'config/crd/standard';

/** Values that spiremesh does not model, per chart; visible in review (`spiremesh.dev/extra-values`). */
export interface IstioExtraValues {
  readonly base?: ExtraValues;
  readonly istiod?: ExtraValues;
  readonly cni?: ExtraValues;
  readonly ztunnel?: ExtraValues;
}

export interface IstioComponentProps {
  /**
   * Escape hatch for chart values that the typed models do not cover. Merged over the derived
   * values; every key is listed on the delivered object for reviewers. Values the spec derives
   * (trust domain, network, cluster name, hub/tag, license, SPIRE socket paths, peering) are
   * refused with the spec field to set instead.
   * @default - none
   */
  readonly extraValues?: IstioExtraValues;
}

/** The Istio releases of one cluster, with their typed values as delivered. */
export interface IstioReleases {
  readonly base: ChartRelease<BaseValues>;
  readonly istiod: ChartRelease<IstiodValues>;
  /** Ambient clusters only. */
  readonly cni?: ChartRelease<CniValues>;
  /** Ambient clusters only. */
  readonly ztunnel?: ChartRelease<ZtunnelValues>;
}

/**
 * Istio for one cluster: the Helm releases of Solo's ambient install (base, istiod, cni,
 * ztunnel; https://docs.solo.io/gloo-mesh/main/ambient/install/helm/) with typed values derived
 * from the spec, plus the Gateway API CRDs they need, handed to the cluster's delivery. Ambient
 * clusters get all four; sidecar clusters base and istiod.
 */
export class Istio extends MeshComponent {
  /** The Istio component of a cluster, if it has one. */
  public static of(cluster: MeshCluster): Istio | undefined {
    return cluster.node.children.find((c): c is Istio => c instanceof Istio);
  }

  /** The delivered releases with their typed values (extra values merged in). */
  public readonly releases: IstioReleases;

  public constructor(scope: Construct, id: string, props: IstioComponentProps = {}) {
    super(scope, id, { componentName: 'istio' });
    const meshCluster = MeshCluster.enclosing(this);
    const { mesh, cluster } = meshCluster;
    const repository = {
      url: cluster.istio.distribution === IstioDistribution.SOLO ? `oci://${cluster.istio.helmRepository}` : cluster.istio.helmRepository,
    };
    const screened = {
      base: screenExtraValues('base', props.extraValues?.base as Record<string, unknown> | undefined),
      istiod: screenExtraValues('istiod', props.extraValues?.istiod as Record<string, unknown> | undefined),
      cni: screenExtraValues('cni', props.extraValues?.cni as Record<string, unknown> | undefined),
      ztunnel: screenExtraValues('ztunnel', props.extraValues?.ztunnel as Record<string, unknown> | undefined),
    };
    const refused = Object.values(screened).flatMap((x) => x.refused);
    if (refused.length > 0) throw new ModelOwnedValueError(cluster.name, refused);
    for (const x of Object.values(screened)) for (const w of x.warnings) addSynthWarning(this, `cluster ${cluster.name}: ${w}`);

    const release = <V extends object>(id: string, chart: IstioChartKey, chartName: string, order: number, derived: V): ChartRelease<V> => {
      const extra = screened[chart];
      const delivered: ChartRelease<V> = {
        id,
        chart: chartName,
        repository,
        version: cluster.istio.chartVersion,
        // The release names of Solo's Helm install: istio-base, istiod, istio-cni, ztunnel.
        releaseName: id,
        namespace: ISTIO_NAMESPACE,
        values: mergeValues(derived, extra.values),
        extraValueKeys: extra.keys,
        order,
      };
      meshCluster.delivery.addRelease(delivered);
      return delivered;
    };
    const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
    this.releases = {
      base: release('istio-base', 'base', 'base', DELIVERY_ORDER.istioBase, baseValues()),
      istiod: release('istiod', 'istiod', 'istiod', DELIVERY_ORDER.istiod, istiodValues(mesh, cluster)),
      ...(ambient
        ? {
            cni: release('istio-cni', 'cni', 'cni', DELIVERY_ORDER.istioCni, cniValues(cluster)),
            ztunnel: release('ztunnel', 'ztunnel', 'ztunnel', DELIVERY_ORDER.ztunnel, ztunnelValues(mesh, cluster)),
          }
        : {}),
    };
    meshCluster.delivery.addManifestSource({
      id: 'gateway-api-crds',
      gitUrl: GATEWAY_API_REPOSITORY,
      path: GATEWAY_API_CRD_PATH,
      revision: cluster.istio.gatewayApiVersion,
      order: DELIVERY_ORDER.crds,
    });
  }
}
