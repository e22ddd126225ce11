/**
 * A community Istio 1.29.1 sidecar mesh with SPIRE, fully rendered at synth time by `helm template`
 * from the chart archives in the project's `.spiremesh/charts/` (filled once with `helm pull`, see
 * README "helm-template: charts offline"): the cluster needs neither Helm nor a chart-installing
 * engine. Its CRDs are rendered into `dist/<cluster>/`; the objects that need them are in
 * `dist/<cluster>/_after-crds/`, which the bootstrap's second Argo CD Application syncs.
 * `npm run synth:examples` writes examples/helm-template/dist/.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import { ChartDelivery, DataplaneMode, IstioDistribution, SpireMesh, synthMain } from '../../lib';

export function declareHelmTemplateMesh(app: Construct): SpireMesh {
  return new SpireMesh(app, 'helm-template', {
    name: 'helm-template',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    spire: { chartVersion: '0.24.2', crdsChartVersion: '0.5.0' },
    clusters: [
      {
        name: 'edge',
        trustDomain: 'edge.example.org',
        dataplaneMode: DataplaneMode.SIDECAR,
        ingressGateways: [{ name: 'edge-ingress' }],
      },
    ],
    chartDelivery: ChartDelivery.helmTemplate(),
    // An Argo CD in the cluster syncs the rendered directory (no Helm in Argo CD either: a plain kustomization).
    gitops: { repository: 'https://git.example.com/platform/mesh-gitops.git', pathPrefix: 'examples/helm-template/dist' },
  });
}

if (require.main === module) synthMain(declareHelmTemplateMesh, { outdir: path.join(__dirname, 'dist') });
