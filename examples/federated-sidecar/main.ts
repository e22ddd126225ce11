/**
 * The two-cluster topology of "Istio service mesh with SPIFFE/SPIRE federation" (the GKE port of
 * the EKS example): clusters `cluster-1` and `cluster-2` with their own trust domains `foo.com`
 * and `bar.com`, whose SPIRE servers federate (each fetches the other's bundle from its bundle
 * endpoint); cert-manager as the root CA of SPIRE and istiod, istiod's CA rotated every 720h;
 * sidecar workloads on different networks reaching each other through east-west gateways
 * (community Istio multi-primary, multi-network), and an ingress gateway in each cluster.
 * `npm run synth:examples` writes examples/federated-sidecar/dist/.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import { CaDelivery, DataplaneMode, IstioDistribution, SpireMesh, federateBothWays, linkBothWays, synthMain } from '../../lib';

export function declareFederatedSidecarMesh(app: Construct): SpireMesh {
  const ingress = [{ name: 'istio-ingressgateway', namespace: 'istio-system' }];
  return new SpireMesh(app, 'federated-sidecar', {
    name: 'federated-sidecar',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    // Addresses come from the documentation ranges (RFC 5737): east-west gateway and SPIRE bundle endpoint per cluster.
    clusters: [
      {
        name: 'cluster-1',
        trustDomain: 'foo.com',
        network: 'network1',
        dataplaneMode: DataplaneMode.SIDECAR,
        eastWestAddress: '192.0.2.20',
        spireBundleEndpointAddress: '192.0.2.21',
        ingressGateways: ingress,
      },
      {
        name: 'cluster-2',
        trustDomain: 'bar.com',
        network: 'network2',
        dataplaneMode: DataplaneMode.SIDECAR,
        eastWestAddress: '198.51.100.20',
        spireBundleEndpointAddress: '198.51.100.21',
        ingressGateways: ingress,
      },
    ],
    links: linkBothWays('cluster-1', 'cluster-2'),
    federation: { relations: federateBothWays('foo.com', 'bar.com') },
    // istiod reads the other cluster's API server through a remote secret (it holds credentials): built in-cluster
    // by External Secrets from the same store, instead of `istioctl create-remote-secret | kubectl apply`.
    remoteSecretStore: 'spiremesh-ca',
    // cert-manager holds no key on disk: the mesh root lives in the secret store `spiremesh-ca`, a CA
    // ClusterIssuer is built from it in each cluster, and cert-manager signs the SPIRE and istiod CAs.
    pki: {
      delivery: CaDelivery.certManager({ issuerName: 'spiremesh-mesh-root', rootSecretStore: 'spiremesh-ca', istiodCaDuration: '720h' }),
    },
  });
}

if (require.main === module) synthMain(declareFederatedSidecarMesh, { outdir: path.join(__dirname, 'dist') });
