/**
 * Two Solo ambient clusters delivered by Flux end to end: the charts as OCIRepository + HelmRelease
 * chains, the Gateway API CRDs as a GitRepository + Kustomization, and a fleet bootstrap
 * (`dist/_fleet/<cluster>/`: the GitRepository of this repository and two Kustomizations per cluster,
 * the second for `_after-crds/` after the first is healthy). The CA is built in each cluster from a
 * secret store by External Secrets. `npm run synth:examples` writes examples/flux-fleet/dist/.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import { CaDelivery, ChartDelivery, GitOpsEngine, IstioDistribution, IstioLicense, SpireMesh, linkBothWays, synthMain } from '../../lib';

export function declareFluxFleetMesh(app: Construct): SpireMesh {
  return new SpireMesh(app, 'flux-fleet', {
    name: 'flux-fleet',
    istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: IstioLicense.fromSecret('solo-istio-license') },
    clusters: [
      { name: 'eu-1', trustDomain: 'mesh.example.com', network: 'eu-1', eastWestAddress: '192.0.2.40' },
      { name: 'us-1', trustDomain: 'mesh.example.com', network: 'us-1', eastWestAddress: '198.51.100.40' },
    ],
    links: linkBothWays('eu-1', 'us-1'),
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'platform-vault', remoteKeyPrefix: 'mesh/flux-fleet' }) },
    chartDelivery: ChartDelivery.flux(),
    // Flux in every cluster reads this repository over ssh with the deploy key in flux-system/mesh-gitops-auth.
    gitops: {
      repository: 'ssh://git@git.example.com/platform/mesh-gitops.git',
      pathPrefix: 'examples/flux-fleet/dist',
      engine: GitOpsEngine.FLUX,
      secretName: 'mesh-gitops-auth',
    },
  });
}

if (require.main === module) synthMain(declareFluxFleetMesh, { outdir: path.join(__dirname, 'dist') });
