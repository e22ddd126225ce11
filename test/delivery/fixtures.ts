/**
 * Shared fixtures of the chart-delivery tests: the Istio runbook's releases with small values,
 * bare clusters that deliver them, and readers for the synthesized output.
 *
 * The clusters are bare `MeshCluster`s of a resolved mesh, not a `SpireMesh`: SpireMesh's
 * components deliver the real releases themselves, so these tests control exactly what is
 * delivered. `test/delivery/wiring.test.ts`
 * covers the real releases of a SpireMesh.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { ChartDelivery, MeshCluster, MeshSpec, SynthesisResult, resolveMeshProps, synthesize } from '../../lib';
import { ChartRelease, DELIVERY_ORDER, ManifestSource } from '../../lib/core';
import { chartDeliveryFor } from '../../lib/delivery';
import { TEST_PROJECT, readTree } from '../helpers';

export const ISTIO_OCI = 'oci://us-docker.pkg.dev/soloio-img/istio-helm';
export const SPIRE_HELM = 'https://spiffe.github.io/helm-charts-hardened/';

/** Seed 001's four Istio releases (orders 1-4) and spire-crds (order -1), with small values. */
export function seedReleases(): ChartRelease[] {
  const istio = (id: string, chart: string, order: number, values: Record<string, unknown>): ChartRelease => ({
    id,
    chart,
    repository: { url: ISTIO_OCI },
    version: '1.29.1-solo',
    releaseName: id,
    namespace: 'istio-system',
    values,
    order,
  });
  return [
    istio('istio-base', 'base', DELIVERY_ORDER.istioBase, { defaultRevision: '', profile: 'ambient' }),
    {
      ...istio('istiod', 'istiod', DELIVERY_ORDER.istiod, {
        profile: 'ambient',
        global: { hub: 'us-docker.pkg.dev/soloio-img/istio', tag: '1.29.1-solo' },
        gateways: { spire: { workloads: true } },
        meshConfig: { trustDomain: 'cluster1' },
      }),
      extraValueKeys: ['pilot.resources.requests.cpu', 'meshConfig.outboundTrafficPolicy.mode'],
    },
    istio('istio-cni', 'cni', DELIVERY_ORDER.istioCni, { profile: 'ambient', ambient: { dnsCapture: true } }),
    istio('ztunnel', 'ztunnel', DELIVERY_ORDER.ztunnel, { profile: 'ambient', spire: { enabled: true }, env: { L7_ENABLED: 'true' } }),
    {
      id: 'spire-crds',
      chart: 'spire-crds',
      repository: { url: SPIRE_HELM },
      version: '0.5.0',
      releaseName: 'spire-crds',
      namespace: 'spire-server',
      values: {},
      order: DELIVERY_ORDER.crds,
    },
  ];
}

/** The Gateway API standard CRDs as a git manifest source (Istio 1.29: v1.4.0). */
export const GATEWAY_API_CRDS: ManifestSource = {
  id: 'gateway-api-crds',
  gitUrl: 'https://github.com/kubernetes-sigs/gateway-api',
  path: 'config/crd/standard',
  revision: 'v1.4.0',
  order: DELIVERY_ORDER.crds,
};

export interface DeliveryMeshOptions {
  readonly chartDelivery: ChartDelivery;
  /** @default seedReleases() */
  readonly releases?: readonly ChartRelease[];
  /** @default [GATEWAY_API_CRDS] */
  readonly manifestSources?: readonly ManifestSource[];
  /** @default one ambient cluster 'cluster1' */
  readonly props?: Partial<MeshSpec>;
}

/** Bare clusters of a resolved mesh that deliver `releases` (and nothing else). */
export function deliveryMesh(app: App, options: DeliveryMeshOptions): MeshCluster[] {
  const mesh = resolveMeshProps(
    {
      name: 'demo',
      clusters: [{ name: 'cluster1' }],
      ...options.props,
      chartDelivery: options.chartDelivery,
    },
    'delivery test',
  );
  const root = new Construct(app, 'mesh');
  return mesh.clusters.map((cluster) => {
    const chart = new MeshCluster(root, cluster.name, { mesh, cluster, delivery: chartDeliveryFor() });
    for (const release of options.releases ?? seedReleases()) chart.delivery.addRelease(release);
    for (const source of options.manifestSources ?? [GATEWAY_API_CRDS]) chart.delivery.addManifestSource(source);
    return chart;
  });
}

/** Builds the mesh in a fresh app and synthesizes it into `outdir` (PKI under TEST_PROJECT). */
export function synthDelivery(options: DeliveryMeshOptions, outdir: string): SynthesisResult {
  const app = new App({ outdir });
  deliveryMesh(app, options);
  return synthesize(app, { outdir, baseDir: TEST_PROJECT });
}

/** The parsed objects of one cluster's output, by file path (e.g. 'delivery/application_argocd_istiod.yaml'). */
export function clusterObjects(outdir: string, cluster = 'cluster1'): Record<string, any> {
  const tree = readTree(path.join(outdir, cluster));
  const out: Record<string, any> = {};
  for (const [file, text] of Object.entries(tree)) {
    if (file.includes('/')) out[file] = parse(text);
  }
  return out;
}

/** The objects of one kind, by name. */
export function byKind(objects: Record<string, any>, kind: string): Record<string, any> {
  const out: Record<string, any> = {};
  for (const o of Object.values(objects)) if (o?.kind === kind) out[o.metadata.name] = o;
  return out;
}
