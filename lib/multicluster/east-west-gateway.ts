import { Construct } from 'constructs';
import { Gateway } from '../../imports/gatewayapi-gateway-gateway.networking.k8s.io';
import { MeshCluster } from '../core/cluster';
import { CLUSTER_LABEL, ClusterModel, EASTWEST_NAMESPACE, NETWORK_LABEL } from '../spec';
import {
  DATA_PLANE_SERVICE_TYPE_ANNOTATION,
  EASTWEST_GATEWAY_CLASS,
  EASTWEST_GATEWAY_NAME,
  EXPOSE_ISTIOD_LABEL,
  SERVICE_TYPE_ANNOTATION,
  XDS_PORT,
  localityLabels,
  peeringListeners,
} from './names';
import { EastWestServiceType } from '../spec';

export interface EastWestGatewayProps {
  /**
   * Type of the Service the eastwest class creates for the gateway.
   * @default EastWestServiceType.LOAD_BALANCER
   */
  readonly serviceType?: EastWestServiceType;
}

/**
 * The east-west Gateway of a cluster: exactly the object Solo's
 * `istioctl multicluster expose -n istio-eastwest` applies (`makeExposeGateway` in istioctl/pkg/peer/expose.go of
 * Solo's Istio fork, PetrMc/istio-petrmc-upstream-fork @bb9338f5; "Link clusters" in
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/). Its class deploys a ztunnel-based gateway with a
 * Service of the same name. Create it inside a `MeshCluster`; network, cluster name and locality come from that
 * cluster's resolved spec.
 */
export class EastWestGateway extends Construct {
  /** The Gateway object. */
  public readonly resource: Gateway;
  /** The cluster whose gateway this is. */
  public readonly cluster: ClusterModel;
  public readonly serviceType: EastWestServiceType;

  public constructor(scope: Construct, id: string, props: EastWestGatewayProps = {}) {
    super(scope, id);
    const chart = MeshCluster.enclosing(this);
    this.cluster = chart.cluster;
    this.serviceType = props.serviceType ?? EastWestServiceType.LOAD_BALANCER;
    chart.namespaces.addNamespace(EASTWEST_NAMESPACE);

    // LoadBalancer is the class default (the fork's pilot/pkg/config/kube/gateway/deploymentcontroller.go), so `expose`
    // writes no annotation for it.
    const annotations =
      this.serviceType === EastWestServiceType.NODE_PORT
        ? { [SERVICE_TYPE_ANNOTATION]: this.serviceType.value, [DATA_PLANE_SERVICE_TYPE_ANNOTATION]: this.serviceType.value }
        : undefined;

    this.resource = new Gateway(this, 'Resource', {
      metadata: {
        name: EASTWEST_GATEWAY_NAME,
        namespace: EASTWEST_NAMESPACE,
        labels: {
          // The network must equal the istio-system namespace label and what peers put on
          // their remote Gateways ("Network configuration" check in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
          [NETWORK_LABEL]: this.cluster.network,
          [CLUSTER_LABEL]: this.cluster.name,
          [EXPOSE_ISTIOD_LABEL]: String(XDS_PORT),
          ...localityLabels(this.cluster),
        },
        ...(annotations ? { annotations } : {}),
      },
      spec: {
        gatewayClassName: EASTWEST_GATEWAY_CLASS,
        listeners: peeringListeners(),
      },
    });
  }
}
