/**
 * The matrix of committed example meshes: every chart-delivery mode that synthesizes, every CA
 * delivery mode, sidecar and mixed dataplanes, NodePort peering, one-way links, a YAML
 * inventory and a 6-cluster fleet. Each variant's whole output is committed under
 * `test/variants/expected/<variant>/` and its public CA certificates under
 * `test/variants/pki/<variant>/` (keys are never kept); `test/variants.test.ts` synthesizes each
 * and compares byte for byte. Regenerate with `npx ts-node --transpile-only scripts/update-variants.ts`
 * after a deliberate output change, and review the diff.
 */
import * as path from 'path';
import { Construct } from 'constructs';
import {
  CaDelivery,
  ChartDelivery,
  DataplaneMode,
  EastWestServiceType,
  IssuerKind,
  IstioDistribution,
  IstioLicense,
  SpireMesh,
  SpireMeshProps,
  WebhookFailurePolicy,
  linkBothWays,
} from '../../lib';
import { declareFederatedSidecarMesh } from '../../examples/federated-sidecar/main';
import { declareFluxFleetMesh } from '../../examples/flux-fleet/main';
import { declareHelmTemplateMesh } from '../../examples/helm-template/main';
import { declareHubArgoCdMesh } from '../../examples/hub-argocd/main';
import { declareSidecarSpireMesh } from '../../examples/sidecar-spire/main';
import { declareExampleMesh } from '../../main';

export interface Variant {
  /** Folder name of the variant's expected output and certificates. */
  readonly name: string;
  /** What the variant covers. */
  readonly covers: string;
  /**
   * Folders of the committed expected output and public certificates.
   * @default test/variants/expected/<name>/ and test/variants/pki/<name>/
   */
  readonly committed?: { readonly output: string; readonly certificates: string };
  /** Declares the mesh into `app`. */
  readonly declare: (app: Construct) => void;
}

const LICENSE = IstioLicense.fromSecret('solo-istio-license', 'istio-system');

function twoAmbientClusters(name: string, overrides: Partial<SpireMeshProps> = {}): SpireMeshProps {
  return {
    name,
    istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: LICENSE },
    clusters: [
      { name: 'cluster1', eastWestAddress: '192.0.2.10' },
      { name: 'cluster2', eastWestAddress: '198.51.100.10' },
    ],
    links: linkBothWays('cluster1', 'cluster2'),
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'spiremesh-ca' }) },
    ...overrides,
  };
}

/** A committed example: its expected output is examples/<folder>/dist, with the certificates in the committed pki/. */
function committedExample(name: string, folder: string, covers: string, declare: Variant['declare']): Variant {
  return {
    name,
    covers,
    committed: { output: path.join(__dirname, '../../examples', folder, 'dist'), certificates: path.join(__dirname, '../../pki') },
    declare,
  };
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'example',
    covers: 'main.ts: seed 001 multicluster, Argo CD, External Secrets',
    // The example's expected output is the committed dist/ itself, with the committed pki/.
    committed: { output: path.join(__dirname, '../../dist'), certificates: path.join(__dirname, '../../pki') },
    declare: (app) => declareExampleMesh(app),
  },
  committedExample(
    'sidecar-spire',
    'sidecar-spire',
    'examples/sidecar-spire: seed 004, community Istio sidecar mode with SPIRE, ingress gateway, kubectl CA delivery',
    (app) => declareSidecarSpireMesh(app),
  ),
  committedExample(
    'federated-sidecar',
    'federated-sidecar',
    'examples/federated-sidecar: seed 002, foo.com and bar.com federated, cert-manager root, multi-network sidecar',
    (app) => declareFederatedSidecarMesh(app),
  ),
  committedExample(
    'flux-fleet',
    'flux-fleet',
    'examples/flux-fleet: Flux end to end (HelmReleases, Gateway API CRDs, Flux fleet bootstrap with staged Kustomizations)',
    (app) => declareFluxFleetMesh(app),
  ),
  committedExample(
    'helm-template-sidecar',
    'helm-template',
    'examples/helm-template: community Istio sidecar + SPIRE rendered by the real helm from the real 1.29.1 archives, Argo CD bootstrap',
    (app) => declareHelmTemplateMesh(app),
  ),
  committedExample(
    'hub-argocd',
    'hub-argocd',
    'examples/hub-argocd: a hub Argo CD with one destination per cluster, three clusters all-to-all',
    (app) => declareHubArgoCdMesh(app),
  ),
  committedExample(
    'gloo-operator',
    'gloo-operator',
    'examples/gloo-operator/mesh.yaml: a YAML inventory, the Gloo Operator installs Istio, license and CA from one secret store',
    (app) => SpireMesh.fromInventoryFile(app, 'operated', path.join(__dirname, '../../examples/gloo-operator/mesh.yaml')),
  ),
  {
    name: 'flux',
    covers: 'chart delivery by Flux (OCIRepository + HelmRelease chain)',
    declare: (app) => new SpireMesh(app, 'flux', twoAmbientClusters('flux', { chartDelivery: ChartDelivery.flux() })),
  },
  {
    name: 'argocd-options',
    covers: 'Argo CD in its own namespace and project; CA by kubectl Secret manifests (the default CA delivery)',
    declare: (app) =>
      new SpireMesh(app, 'argo', {
        ...twoAmbientClusters('argo', { chartDelivery: ChartDelivery.argoCd({ namespace: 'gitops', project: 'mesh' }) }),
        pki: {},
      }),
  },
  {
    name: 'helm-template',
    covers: 'chart delivery by helm template at synth, with the real chart archives',
    // The defaults: `helm` from PATH, archives in .spiremesh/charts of the project (the harness
    // runs the synth in a scratch project that has both).
    declare: (app) =>
      new SpireMesh(app, 'rendered', {
        name: 'rendered',
        istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: LICENSE },
        clusters: [{ name: 'solo' }],
        chartDelivery: ChartDelivery.helmTemplate(),
      }),
  },
  {
    name: 'cert-manager',
    covers: 'CA by cert-manager (no key on disk): SPIRE cert-manager UpstreamAuthority, istiod CA Certificate',
    declare: (app) =>
      new SpireMesh(
        app,
        'cm',
        twoAmbientClusters('cm', { pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root', issuerKind: IssuerKind.ISSUER }) } }),
      ),
  },
  {
    name: 'sidecar-upstream',
    covers: 'community Istio, one sidecar cluster, no peering',
    declare: (app) =>
      new SpireMesh(app, 'community', {
        name: 'community',
        istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
        clusters: [{ name: 'edge', trustDomain: 'edge.example.org', dataplaneMode: DataplaneMode.SIDECAR }],
      }),
  },
  {
    name: 'mixed-dataplanes',
    covers: 'an ambient and a sidecar cluster peered (Solo), SPIRE webhook failurePolicy Fail, escape-hatch values',
    declare: (app) =>
      new SpireMesh(app, 'mixed', {
        ...twoAmbientClusters('mixed'),
        clusters: [
          { name: 'cluster1', eastWestAddress: '192.0.2.10' },
          { name: 'cluster2', eastWestAddress: '198.51.100.10', dataplaneMode: DataplaneMode.SIDECAR },
        ],
        components: {
          spire: { webhookFailurePolicy: WebhookFailurePolicy.FAIL },
          istio: {
            extraValues: {
              istiod: {
                pilot: { resources: { requests: { cpu: '250m' } } },
                meshConfig: { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
              },
              ztunnel: { resources: { requests: { memory: '256Mi' } } },
            },
          },
        },
      }),
  },
  {
    name: 'nodeport',
    covers: 'NodePort peering, regions and zones, one shared trust domain',
    declare: (app) =>
      new SpireMesh(app, 'np', {
        ...twoAmbientClusters('np'),
        clusters: [
          {
            name: 'east',
            trustDomain: 'np.example.com',
            eastWestAddress: '192.0.2.30',
            eastWestServiceType: EastWestServiceType.NODE_PORT,
            region: 'us-east1',
            zone: 'us-east1-b',
          },
          {
            name: 'west',
            trustDomain: 'np.example.com',
            eastWestAddress: 'eastwest.west.example.com',
            eastWestServiceType: EastWestServiceType.NODE_PORT,
            region: 'us-west1',
          },
        ],
        links: linkBothWays('east', 'west'),
      }),
  },
  {
    name: 'inventory-one-way',
    covers: 'a YAML inventory with one-way links (examples/three-clusters.yaml)',
    declare: (app) => SpireMesh.fromInventoryFile(app, 'fleet', path.join(__dirname, '../../examples/three-clusters.yaml')),
  },
  {
    name: 'fleet-6',
    covers: 'six clusters all-to-all, per-cluster Istio revision and version',
    declare: (app) =>
      new SpireMesh(app, 'six', {
        name: 'six',
        istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: LICENSE },
        clusters: Array.from({ length: 6 }, (_, i) => ({
          name: `c${i + 1}`,
          trustDomain: 'six.example.com',
          eastWestAddress: `203.0.113.${i + 1}`,
          ...(i === 0 ? { istioRevision: '1-29-1' } : {}),
        })),
        pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault', remoteKeyPrefix: 'platform/mesh' }) },
      }),
  },
];
