/**
 * The single-cluster sidecar mesh of Istio's SPIRE integration (https://istio.io/latest/docs/ops/integrations/spire/):
 * community Istio 1.29.1 with sidecar injection, trust domain `example.org`, every injected pod
 * and the ingress gateway reading their SVIDs from the SPIRE agent's Workload API socket through
 * the SPIFFE CSI driver (the `spire` injection template), workloads registered by ClusterSPIFFEIDs
 * instead of `spire-server entry create`. `npm run synth:examples` writes examples/sidecar-spire/dist/.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import { DataplaneMode, IstioDistribution, SpireMesh, synthMain } from '../../lib';

export function declareSidecarSpireMesh(app: Construct): SpireMesh {
  return new SpireMesh(app, 'sidecar-spire', {
    name: 'sidecar-spire',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    clusters: [
      {
        name: 'cluster',
        trustDomain: 'example.org',
        dataplaneMode: DataplaneMode.SIDECAR,
        // The guide's `istio-ingressgateway` (label `istio: ingressgateway`) in istio-system, with the CSI socket volume.
        ingressGateways: [{ name: 'istio-ingressgateway', namespace: 'istio-system' }],
      },
    ],
    // CA material: the default kubectl delivery (Secret manifests in the git-ignored .spiremesh/secrets/).
  });
}

if (require.main === module) synthMain(declareSidecarSpireMesh, { outdir: path.join(__dirname, 'dist') });
