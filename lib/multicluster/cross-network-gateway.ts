import { Construct } from 'constructs';
import { Gateway, GatewaySpecServersTlsMode } from '../../imports/istio-networking.istio.io';
import { MeshCluster } from '../core/cluster';
import { ISTIO_NAMESPACE } from '../spec';
import { CROSS_NETWORK_GATEWAY_NAME, CROSS_NETWORK_SERVER, UPSTREAM_EASTWEST_GATEWAY_LABELS } from './upstream-names';

/**
 * The Istio Gateway that exposes every service of the cluster (`*.local`) on its east-west gateway, port 15443 with
 * AUTO_PASSTHROUGH: the mTLS of the calling sidecar passes through to the workload, routed by SNI. Exactly
 * samples/multicluster/expose-services.yaml of istio/istio 1.29.1, applied in istio-system ("Expose services in
 * cluster1" in https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/). Create it inside
 * the `MeshCluster` whose east-west gateway it configures.
 */
export class CrossNetworkGateway extends Construct {
  /** The Gateway object (networking.istio.io/v1). */
  public readonly resource: Gateway;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    MeshCluster.enclosing(this);
    this.resource = new Gateway(this, 'Resource', {
      metadata: { name: CROSS_NETWORK_GATEWAY_NAME, namespace: ISTIO_NAMESPACE },
      spec: {
        // The east-west gateway's pods carry this label (UPSTREAM_EASTWEST_GATEWAY_LABELS).
        selector: { istio: UPSTREAM_EASTWEST_GATEWAY_LABELS.istio },
        servers: [
          {
            port: { number: CROSS_NETWORK_SERVER.port, name: CROSS_NETWORK_SERVER.portName, protocol: CROSS_NETWORK_SERVER.protocol },
            tls: { mode: GatewaySpecServersTlsMode.AUTO_UNDERSCORE_PASSTHROUGH },
            hosts: [...CROSS_NETWORK_SERVER.hosts],
          },
        ],
      },
    });
  }
}
