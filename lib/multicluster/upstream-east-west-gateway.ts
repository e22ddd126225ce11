import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { ChartRelease, DELIVERY_ORDER } from '../core/delivery';
import { GATEWAY_INJECTION_TEMPLATES, GatewayPodAnnotationsValues, INJECT_TEMPLATES_ANNOTATION } from '../istio/values';
import { ClusterModel, DataplaneMode, EastWestServiceType, ISTIO_NAMESPACE, IstioDistribution } from '../spec';
import { GATEWAY_CHART, NODE_SELECTOR_ANNOTATION, UPSTREAM_EASTWEST_GATEWAY_NAME } from './upstream-names';

/**
 * Values of upstream Istio's `gateway` chart for the east-west gateway (istio/istio manifests/charts/gateway, 1.29.1;
 * every key is declared in its values.schema.json, which refuses unknown top-level keys).
 */
export interface EastWestGatewayValues {
  /** Resource name; the docs set it to the release name (`--set name=istio-eastwestgateway`). */
  readonly name: string;
  /**
   * The network this gateway is the gateway of. With it the chart labels the pods and the Service
   * `topology.istio.io/network: <network>`, sets `ISTIO_META_REQUESTED_NETWORK_VIEW=<network>` on the proxy and renders
   * the Service ports status-port 15021, tls 15443, tls-istiod 15012 and tls-webhook 15017 instead of `service.ports`
   * (templates/deployment.yaml, templates/service.yaml): what samples/multicluster/gen-eastwest-gateway.sh produces.
   */
  readonly networkGateway: string;
  /** NodePort east-west gateways only (the chart's default type is LoadBalancer). */
  readonly service?: {
    readonly type: 'NodePort';
    /** `traffic.istio.io/nodeSelector: "{}"`: istiod then uses the nodes' addresses and the node port of 15443. */
    readonly annotations: { readonly [NODE_SELECTOR_ANNOTATION]: string };
  };
  /**
   * The injection templates of the gateway pod: `gateway` plus the SPIRE gateway template, so that the proxy reads its
   * SVID from the SPIRE agent like every other proxy of a sidecar cluster (the annotation replaces the chart's
   * `inject.istio.io/templates: gateway`; Helm merges the other default pod annotations).
   */
  readonly podAnnotations: GatewayPodAnnotationsValues;
  /** The cluster's Istio revision (the docs: "add the `--set revision=rev` flag"). */
  readonly revision?: string;
}

/** Release id (and Helm release name) of the east-west gateway. */
export const UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID = UPSTREAM_EASTWEST_GATEWAY_NAME;

/**
 * Apply order of the east-west gateway: after every Istio release of the cluster. Its pods are injected by istiod's
 * webhook (`image: auto`, manifests/charts/gateway/templates/deployment.yaml), so istiod must run first.
 */
export const UPSTREAM_EASTWEST_GATEWAY_ORDER = DELIVERY_ORDER.ztunnel + 1;

/** The east-west gateway values of an upstream sidecar cluster, derived from its network, service type and revision. */
export function eastWestGatewayValues(cluster: ClusterModel): EastWestGatewayValues {
  return {
    name: UPSTREAM_EASTWEST_GATEWAY_NAME,
    networkGateway: cluster.network,
    ...(cluster.eastWestServiceType === EastWestServiceType.NODE_PORT
      ? { service: { type: 'NodePort' as const, annotations: { [NODE_SELECTOR_ANNOTATION]: '{}' } } }
      : {}),
    podAnnotations: { [INJECT_TEMPLATES_ANNOTATION]: GATEWAY_INJECTION_TEMPLATES.join(',') },
    ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
  };
}

/**
 * The classic east-west gateway of an upstream Istio sidecar cluster on its own network: a release of the `gateway`
 * chart named `istio-eastwestgateway` in istio-system with `networkGateway` set, exactly the Helm install of "Install the
 * east-west gateway" in https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/. Create it
 * inside a `MeshCluster` of a sidecar cluster of the upstream distribution.
 */
export class UpstreamEastWestGateway extends Construct {
  /** The delivered release with its typed values. */
  public readonly release: ChartRelease<EastWestGatewayValues>;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    const chart = MeshCluster.enclosing(this);
    const { cluster } = chart;
    if (cluster.istio.distribution !== IstioDistribution.UPSTREAM || cluster.dataplaneMode !== DataplaneMode.SIDECAR) {
      throw new Error(
        `the classic east-west gateway (port 15443) is for sidecar clusters of upstream Istio, but cluster '${cluster.name}' is ${cluster.dataplaneMode.value} with istio distribution '${cluster.istio.distribution.value}': Solo clusters peer through the istio-eastwest class (EastWestGateway)`,
      );
    }
    this.release = {
      id: UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID,
      chart: GATEWAY_CHART,
      repository: { url: cluster.istio.helmRepository },
      version: cluster.istio.chartVersion,
      releaseName: UPSTREAM_EASTWEST_GATEWAY_NAME,
      namespace: ISTIO_NAMESPACE,
      values: eastWestGatewayValues(cluster),
      order: UPSTREAM_EASTWEST_GATEWAY_ORDER,
    };
    chart.delivery.addRelease(this.release);
  }
}
