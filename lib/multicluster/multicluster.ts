import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { addSynthWarning } from '../core/warnings';
import { DataplaneMode, ISTIO_NAMESPACE, IstioDistribution, NETWORK_LABEL } from '../spec';
import { ClusterSpiffeId } from '../spire/cluster-spiffe-id';
import { CrossNetworkGateway } from './cross-network-gateway';
import { EastWestGateway } from './east-west-gateway';
import { RemotePeerGateway } from './remote-peer-gateway';
import { RemoteSecret, createRemoteSecretCommand } from './remote-secret';
import { UpstreamEastWestGateway } from './upstream-east-west-gateway';
import { UPSTREAM_EASTWEST_GATEWAY_NAME } from './upstream-names';

/** Props of `Multicluster`: everything comes from the mesh spec (links, addresses, service types, secret store). */
export type MulticlusterProps = Record<string, never>;

/**
 * Multi-network objects of one cluster (output folder `multicluster/`). Renders nothing for a cluster without links.
 * Create it directly in a `MeshCluster`.
 *
 * - Solo distribution (ambient or sidecar): Solo peering. Its east-west Gateway when the cluster takes part in any link
 *   (`istioctl multicluster expose` runs on every peered cluster), and one remote peer Gateway per link from this
 *   cluster (`istioctl multicluster link`, "Link clusters" in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/;
 *   the Gateways they generate are `makeExposeGateway` / `makeLinkGateway` in istioctl/pkg/peer/{expose,link}.go of
 *   Solo's Istio fork, PetrMc/istio-petrmc-upstream-fork @bb9338f5).
 * - Upstream distribution (sidecar clusters only): multi-primary on different networks
 *   (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/). The network label on
 *   istio-system, the classic east-west gateway (`gateway` chart, port 15443), its SPIRE registration and the
 *   `cross-network-gateway` when the cluster takes part in any link, and per link from this cluster the remote secret of the linked cluster, as an
 *   ExternalSecret when the mesh has a remote-secret store, else a synth warning with the istioctl command to run.
 *   istiod's multi-network values (`global.meshID`, `global.network`, `global.multiCluster.clusterName`,
 *   `global.meshNetworks`) come from the Istio component (lib/istio/values/derive.ts).
 */
export class Multicluster extends MeshComponent {
  /** Solo distribution: the cluster's east-west gateway; undefined when the cluster takes part in no link. */
  public readonly eastWestGateway?: EastWestGateway;
  /** Solo distribution: one per link whose source is this cluster, in link order. */
  public readonly remotePeerGateways: readonly RemotePeerGateway[];
  /** Upstream distribution: the classic east-west gateway release; undefined when the cluster takes part in no link. */
  public readonly upstreamEastWestGateway?: UpstreamEastWestGateway;
  /** Upstream distribution: the Gateway that exposes the cluster's services on it. */
  public readonly crossNetworkGateway?: CrossNetworkGateway;
  /** Upstream distribution: the SPIRE registration of the east-west gateway's pods. */
  public readonly eastWestGatewayRegistration?: ClusterSpiffeId;
  /** Upstream distribution with a remote-secret store: one per link whose source is this cluster, in link order. */
  public readonly remoteSecrets: readonly RemoteSecret[];

  public constructor(scope: Construct, id: string, _props: MulticlusterProps = {}) {
    super(scope, id, { componentName: 'multicluster' });
    const chart = MeshCluster.enclosing(this);
    const { mesh, cluster } = chart;
    const peered = mesh.isPeered(cluster);

    if (cluster.istio.distribution === IstioDistribution.SOLO) {
      if (peered) this.eastWestGateway = new EastWestGateway(this, 'EastWestGateway', { serviceType: cluster.eastWestServiceType });
      this.remotePeerGateways = mesh.linksFrom(cluster).map(
        (link) =>
          new RemotePeerGateway(this, `RemotePeer-${link.to.name}`, {
            from: link.from,
            to: link.to,
            remoteServiceType: link.to.eastWestServiceType,
          }),
      );
      this.remoteSecrets = [];
      return;
    }

    this.remotePeerGateways = [];
    if (!peered) {
      this.remoteSecrets = [];
      return;
    }
    // Upstream Istio has no peering (istioctl/pkg/multicluster/ of istio/istio has only create-remote-secret), and its
    // ambient multi-network (istio-east-west class, AMBIENT_ENABLE_MULTI_NETWORK) is not what spiremesh renders.
    for (const c of [cluster, ...mesh.linksOf(cluster).flatMap((l) => [l.from, l.to])]) {
      if (c.dataplaneMode !== DataplaneMode.SIDECAR) {
        throw new Error(
          `cluster '${c.name}' is linked and ${c.dataplaneMode.value}, but istio distribution '${cluster.istio.distribution.value}' links only sidecar clusters (multi-primary on different networks): set dataplaneMode 'sidecar' on every linked cluster, use IstioDistribution.SOLO for ambient peering, or remove the links`,
        );
      }
    }
    // istiod reads the network of its cluster's workloads from this label (multi_network docs, "Set the default network").
    chart.namespaces.addNamespace(ISTIO_NAMESPACE, { [NETWORK_LABEL]: cluster.network });
    this.upstreamEastWestGateway = new UpstreamEastWestGateway(this, 'UpstreamEastWestGateway');
    this.crossNetworkGateway = new CrossNetworkGateway(this, 'CrossNetworkGateway');
    // Its proxy reads its SVID from the SPIRE agent (the spire gateway template, see eastWestGatewayValues), so its pods
    // get their own registration, as the ingress gateways do, instead of relying on the chart's fallback entry.
    this.eastWestGatewayRegistration = ClusterSpiffeId.istioGateway(
      this,
      'EastWestGatewayRegistration',
      { name: UPSTREAM_EASTWEST_GATEWAY_NAME, namespace: ISTIO_NAMESPACE },
      { federatesWith: mesh.federatesWith(cluster.trustDomain) },
    );

    const store = mesh.remoteSecrets;
    const secrets: RemoteSecret[] = [];
    for (const { to } of mesh.linksFrom(cluster)) {
      if (store) {
        // The kubeconfig is uploaded to the store once (docs/upstream-multicluster.md): a configured store is the normal
        // GitOps path, so it gets no warning.
        secrets.push(new RemoteSecret(this, `RemoteSecret-${to.name}`, { remote: to, store }));
      } else {
        addSynthWarning(
          this,
          `cluster ${cluster.name}: istiod discovers the endpoints of cluster ${to.name} only through a remote secret, which carries ${to.name}'s credentials and is therefore not rendered (no remoteSecretStore); run once: ${createRemoteSecretCommand(cluster, to)} (or set remoteSecretStore to a ClusterSecretStore that holds the kubeconfig; see docs/upstream-multicluster.md)`,
        );
      }
    }
    this.remoteSecrets = secrets;
  }
}
