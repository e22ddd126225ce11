/**
 * The example mesh of the "Multicluster" section of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/:
 * two ambient clusters with SPIRE workload identity and the Solo distribution of Istio 1.29.1,
 * peered both ways through east-west gateways. `npm run synth` (or `cdk8s synth`) writes
 * dist/cluster1/ and dist/cluster2/.
 */
import { Construct } from 'constructs';
import {
  CaDelivery,
  ChartDelivery,
  DataplaneMode,
  IstioDistribution,
  IstioLicense,
  KeyAlgorithm,
  SpireMesh,
  linkBothWays,
  synthMain,
} from './lib';

export function declareExampleMesh(app: Construct): SpireMesh {
  return new SpireMesh(app, 'example', {
    name: 'example',
    // The Solo license reaches istiod from a Secret the team manages (never inline: dist/ is committed).
    istio: {
      distribution: IstioDistribution.SOLO,
      version: '1.29.1',
      license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
    },
    spire: { chartVersion: '0.24.2', crdsChartVersion: '0.5.0' },
    clusters: [
      // Trust domain and network named after the cluster, as in that guide (`trustDomain: ${cluster}`, `network: ${cluster}`).
      // East-west addresses come from the documentation ranges (RFC 5737).
      {
        name: 'cluster1',
        trustDomain: 'cluster1',
        network: 'cluster1',
        dataplaneMode: DataplaneMode.AMBIENT,
        eastWestAddress: '192.0.2.10',
      },
      {
        name: 'cluster2',
        trustDomain: 'cluster2',
        network: 'cluster2',
        dataplaneMode: DataplaneMode.AMBIENT,
        eastWestAddress: '198.51.100.10',
      },
    ],
    links: linkBothWays('cluster1', 'cluster2'),
    // CA keys stay out of git: the secrets are built in-cluster from a secret store.
    pki: { keyAlgorithm: KeyAlgorithm.RSA_2048, delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'spiremesh-ca' }) },
    chartDelivery: ChartDelivery.argoCd(),
    // An Argo CD in each cluster syncs that cluster's directory of this repository (dist/_fleet/<cluster>/ starts it).
    gitops: { repository: 'https://git.example.com/platform/mesh-gitops.git' },
  });
}

if (require.main === module) synthMain(declareExampleMesh);
