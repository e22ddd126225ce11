/** Meshes of upstream (community) Istio's multi-network sidecar tests. */
import { ClusterProps, DataplaneMode, IstioDistribution, IstioLicense, MeshSpec, linkBothWays } from '../../lib';

/** A sidecar cluster of trust domain mesh.example.org. */
export function sidecar(name: string, extra: Partial<ClusterProps> = {}): ClusterProps {
  return { name, trustDomain: 'mesh.example.org', dataplaneMode: DataplaneMode.SIDECAR, ...extra };
}

/** Two upstream sidecar clusters on their own networks, linked both ways (one IP, one DNS east-west address). */
export function upstreamMesh(extra: Partial<MeshSpec> = {}): MeshSpec {
  return {
    name: 'community',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    clusters: [
      sidecar('cluster1', { context: 'ctx-one', eastWestAddress: '192.0.2.10' }),
      sidecar('cluster2', { context: 'ctx-two', eastWestAddress: 'eastwest.cluster2.example.org' }),
    ],
    links: linkBothWays('cluster1', 'cluster2'),
    ...extra,
  };
}

/** The same two sidecar clusters with the Solo distribution (which peers through istio-eastwest instead). */
export function soloSidecarMesh(): MeshSpec {
  return upstreamMesh({
    istio: {
      distribution: IstioDistribution.SOLO,
      version: '1.29.1',
      license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
    },
  });
}
