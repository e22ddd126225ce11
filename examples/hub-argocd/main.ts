/**
 * Three Solo ambient clusters managed by one hub Argo CD: every cluster is registered in the hub
 * (`argocd cluster add`) and named here by its API server URL or its Argo CD cluster name. The
 * fleet bootstrap (`dist/_fleet/`, applied once to the hub) holds one Application per cluster
 * directory and one for each cluster's delivery Applications, all named `<cluster>-…` so that
 * names never collide in the hub. `npm run synth:examples` writes examples/hub-argocd/dist/.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import { ArgoCdTopology, CaDelivery, ChartDelivery, IstioDistribution, IstioLicense, SpireMesh, synthMain } from '../../lib';

export function declareHubArgoCdMesh(app: Construct): SpireMesh {
  return new SpireMesh(app, 'hub-argocd', {
    name: 'hub-argocd',
    istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: IstioLicense.fromSecret('solo-istio-license') },
    // One trust domain for the fleet: ambient multi-network peering across trust domains is a known upstream problem.
    clusters: [
      {
        name: 'east',
        trustDomain: 'hub.example.com',
        eastWestAddress: '192.0.2.50',
        argoCdDestination: { server: 'https://east.k8s.example.com:6443' },
      },
      {
        name: 'west',
        trustDomain: 'hub.example.com',
        eastWestAddress: '198.51.100.50',
        argoCdDestination: { server: 'https://west.k8s.example.com:6443' },
      },
      { name: 'south', trustDomain: 'hub.example.com', eastWestAddress: '203.0.113.50', argoCdDestination: { name: 'south-prod' } },
    ],
    // No `links`: every cluster peers with every other (the default).
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'spiremesh-ca' }) },
    chartDelivery: ChartDelivery.argoCd({ project: 'mesh' }),
    gitops: {
      repository: 'https://git.example.com/platform/mesh-gitops.git',
      pathPrefix: 'examples/hub-argocd/dist',
      argoCdTopology: ArgoCdTopology.HUB,
    },
  });
}

if (require.main === module) synthMain(declareHubArgoCdMesh, { outdir: path.join(__dirname, 'dist') });
