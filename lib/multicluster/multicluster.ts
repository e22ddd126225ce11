import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { IstioDistribution } from '../spec';
import { EastWestGateway } from './east-west-gateway';
import { RemotePeerGateway } from './remote-peer-gateway';

/** Props of `Multicluster`: everything comes from the mesh spec (links, addresses, service types). */
export type MulticlusterProps = Record<string, never>;

/**
 * Peering objects of one cluster (output folder `multicluster/`): its east-west Gateway when
 * the cluster takes part in any link (`istioctl multicluster expose` runs on every peered
 * cluster), and one remote peer Gateway per link from this cluster (`istioctl multicluster
 * link`, "Link clusters" in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/; the Gateways they generate
 * are `makeExposeGateway` / `makeLinkGateway` in istioctl/pkg/peer/{expose,link}.go of Solo's Istio fork,
 * PetrMc/istio-petrmc-upstream-fork @bb9338f5). Renders nothing for a cluster without links. Create it directly in a `MeshCluster`.
 */
export class Multicluster extends MeshComponent {
  /** The cluster's east-west gateway; undefined when the cluster takes part in no link. */
  public readonly eastWestGateway?: EastWestGateway;
  /** One per link whose source is this cluster, in link order. */
  public readonly remotePeerGateways: readonly RemotePeerGateway[];

  public constructor(scope: Construct, id: string, _props: MulticlusterProps = {}) {
    super(scope, id, { componentName: 'multicluster' });
    const { mesh, cluster } = MeshCluster.enclosing(this);

    const peered = mesh.isPeered(cluster);
    // The eastwest and istio-remote classes and the peering annotations exist only in Solo's
    // build: upstream istio/istio istioctl/pkg/multicluster/ has only create-remote-secret, no expose or link.
    if (peered && cluster.istio.distribution !== IstioDistribution.SOLO) {
      throw new Error(
        `cluster '${cluster.name}' is linked but uses istio distribution '${cluster.istio.distribution.value}', which has no peering: use IstioDistribution.SOLO or remove its links`,
      );
    }
    if (peered) this.eastWestGateway = new EastWestGateway(this, 'EastWestGateway', { serviceType: cluster.eastWestServiceType });
    this.remotePeerGateways = mesh.linksFrom(cluster).map(
      (link) =>
        new RemotePeerGateway(this, `RemotePeer-${link.to.name}`, {
          from: link.from,
          to: link.to,
          remoteServiceType: link.to.eastWestServiceType,
        }),
    );
  }
}
