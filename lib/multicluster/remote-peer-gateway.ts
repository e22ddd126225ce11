import { Construct } from 'constructs';
import { Gateway } from '../../imports/gatewayapi-gateway-gateway.networking.k8s.io';
import { MeshCluster } from '../core/cluster';
import { CLUSTER_LABEL, ClusterModel, EASTWEST_NAMESPACE, LinkModel, NETWORK_LABEL, addressProblem, addressType } from '../spec';
import {
  EASTWEST_GATEWAY_NAME,
  PREFERRED_DATA_PLANE_SERVICE_TYPE_ANNOTATION,
  REMOTE_GATEWAY_CLASS,
  SERVICE_ACCOUNT_ANNOTATION,
  TRUST_DOMAIN_ANNOTATION,
  localityLabels,
  peeringListeners,
  remotePeerGatewayName,
} from './names';
import { EastWestServiceType } from '../spec';

export interface RemotePeerGatewayProps extends LinkModel {
  /**
   * Service type of the *remote* (`to`) cluster's east-west gateway. With NodePort, this
   * Gateway asks istiod to reach the peer through its HBONE NodePort.
   * @default EastWestServiceType.LOAD_BALANCER
   */
  readonly remoteServiceType?: EastWestServiceType;
}

/**
 * The Gateway that lets cluster `from` reach cluster `to`: exactly the object Solo's
 * `istioctl multicluster link --from <from> --to <to>` writes into `from` (`makeLinkGateway` in
 * istioctl/pkg/peer/link.go of Solo's Istio fork, PetrMc/istio-petrmc-upstream-fork @bb9338f5). Create it inside
 * the `MeshCluster` of `from`.
 */
export class RemotePeerGateway extends Construct {
  /** The Gateway object. */
  public readonly resource: Gateway;
  public readonly from: ClusterModel;
  public readonly to: ClusterModel;
  public readonly remoteServiceType: EastWestServiceType;

  public constructor(scope: Construct, id: string, props: RemotePeerGatewayProps) {
    super(scope, id);
    const { from, to } = props;
    const chart = MeshCluster.enclosing(this);
    if (from.name === to.name) {
      throw new Error(
        `link ${from.name} -> ${to.name} links cluster '${from.name}' to itself: remove the link; a cluster reaches its own services without peering`,
      );
    }
    if (chart.cluster.name !== from.name) {
      throw new Error(
        `remote peer gateway for link ${from.name} -> ${to.name} is created in cluster '${chart.cluster.name}': create it in cluster '${from.name}' (the peer Gateway lives in the link's source cluster)`,
      );
    }
    const address = to.eastWestAddress;
    // istiod rejects an istio-remote Gateway without spec.addresses (ValidatePeerGateway in the fork's
    // platform/discovery/peering/watcher.go).
    if (address === undefined || address === '') {
      throw new Error(
        `cluster '${to.name}' has no eastWestAddress, so cluster '${from.name}' cannot link to it: set eastWestAddress of cluster '${to.name}' to the load balancer IP or DNS name of its istio-eastwest gateway`,
      );
    }
    const problem = addressProblem(address);
    if (problem) {
      throw new Error(
        `eastWestAddress of cluster '${to.name}': ${problem}: use the IP or DNS name of its istio-eastwest gateway, without scheme or port`,
      );
    }
    this.from = from;
    this.to = to;
    this.remoteServiceType = props.remoteServiceType ?? EastWestServiceType.LOAD_BALANCER;
    chart.namespaces.addNamespace(EASTWEST_NAMESPACE);

    this.resource = new Gateway(this, 'Resource', {
      metadata: {
        name: remotePeerGatewayName(to.name),
        namespace: EASTWEST_NAMESPACE,
        annotations: {
          // The remote e/w Service name; required for NodePort peering (ValidatePeerGateway, watcher.go).
          [SERVICE_ACCOUNT_ANNOTATION]: EASTWEST_GATEWAY_NAME,
          [TRUST_DOMAIN_ANNOTATION]: to.trustDomain,
          ...(this.remoteServiceType === EastWestServiceType.NODE_PORT
            ? { [PREFERRED_DATA_PLANE_SERVICE_TYPE_ANNOTATION]: this.remoteServiceType.value }
            : {}),
        },
        labels: {
          // Must equal the remote cluster's own network ("Network configuration" check in
          // https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
          [NETWORK_LABEL]: to.network,
          [CLUSTER_LABEL]: to.name,
          ...localityLabels(to),
        },
      },
      spec: {
        gatewayClassName: REMOTE_GATEWAY_CLASS,
        addresses: [{ type: addressType(address), value: address }],
        listeners: peeringListeners(),
      },
    });
  }
}
