import { App } from 'cdk8s';
import { parse } from 'yaml';
import { ChartDelivery, DataplaneMode, GateFinding, SynthesisError, collectObjects } from '../../lib';
import {
  ChartDeliveryComponent,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_ZTUNNEL_VALUES_KEY,
  GlooOperatorDelivery,
} from '../../lib/delivery';
import { errorOf, tempDir } from '../helpers';
import { deliveryMesh, seedReleases, synthDelivery } from './fixtures';

/** Seed 000's ConfigMap, verbatim (indentation included), as applied with `kubectl apply -f -`. */
const SEED_CONFIG_MAP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  'name: gloo-extensions-config',
  'namespace: gloo-mesh',
  'data:',
  'values.istiod: |',
  '   gateways:',
  '      spire:',
  '      workloads: true',
  'values.istio-ztunnel: |',
  '   spire:',
  '      enabled: true',
  '',
].join('\n');

const glooDelivery = (app = new App()) => {
  const clusters = deliveryMesh(app, {
    chartDelivery: ChartDelivery.glooOperator(),
    props: { clusters: [{ name: 'east', network: 'net-east' }] },
  });
  return (clusters[0].node.findChild('ChartDelivery') as ChartDeliveryComponent).resource as GlooOperatorDelivery;
};

describe('Gloo Operator delivery', () => {
  test("the seed's ConfigMap is mis-indented: parsed, it does not say what it means", () => {
    const seed = parse(SEED_CONFIG_MAP);
    expect(seed.metadata).toBeNull();
    expect(seed.data).toBeNull();
    expect(seed.name).toBe('gloo-extensions-config');
    expect(parse(seed['values.istiod'])).toEqual({ gateways: { spire: null, workloads: true } });
  });

  test('the extensions ConfigMap embeds correctly nested YAML: gateways.spire.workloads and spire.enabled', () => {
    const cm = glooDelivery().extensionsConfig.toJson();
    expect(cm.metadata).toMatchObject({ name: GLOO_EXTENSIONS_CONFIG_NAME, namespace: 'gloo-mesh' });
    expect(Object.keys(cm.data).sort()).toEqual([GLOO_ZTUNNEL_VALUES_KEY, GLOO_ISTIOD_VALUES_KEY].sort());
    expect(parse(cm.data[GLOO_ISTIOD_VALUES_KEY])).toEqual({ gateways: { spire: { workloads: true } } });
    expect(parse(cm.data[GLOO_ZTUNNEL_VALUES_KEY])).toEqual({ spire: { enabled: true } });
    expect(cm.data[GLOO_ISTIOD_VALUES_KEY]).toBe('gateways:\n  spire:\n    workloads: true\n');
  });

  test('the SPIRE keys come from the istiod and ztunnel releases when they set more than the seed', () => {
    const releases = seedReleases().map((r) =>
      r.id === 'ztunnel' ? { ...r, values: { spire: { enabled: true, socketPath: '/run/x' }, hub: 'h' } } : r,
    );
    const [cluster] = deliveryMesh(new App(), { chartDelivery: ChartDelivery.glooOperator(), releases });
    const cm = (
      (cluster.node.findChild('ChartDelivery') as ChartDeliveryComponent).resource as GlooOperatorDelivery
    ).extensionsConfig.toJson();
    expect(parse(cm.data[GLOO_ZTUNNEL_VALUES_KEY])).toEqual({ spire: { enabled: true, socketPath: '/run/x' } });
  });

  test('the ServiceMeshController carries the cluster, network and plain version (seed 000)', () => {
    expect(glooDelivery().resource.toJson()).toEqual({
      apiVersion: 'operator.gloo.solo.io/v1',
      kind: 'ServiceMeshController',
      metadata: {
        name: 'managed-istio',
        labels: { 'app.kubernetes.io/name': 'managed-istio', 'app.kubernetes.io/managed-by': 'spiremesh' },
      },
      spec: { cluster: 'east', network: 'net-east', dataplaneMode: 'Ambient', installNamespace: 'istio-system', version: '1.29.1' },
    });
  });

  test('LIMITATION: the schema gate refuses the ServiceMeshController (no CRD available); the ConfigMap passes', () => {
    const e = errorOf(() => synthDelivery({ chartDelivery: ChartDelivery.glooOperator() }, tempDir())) as SynthesisError;
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.findings.map((f) => [f.source, (f as GateFinding).object])).toEqual([
      ['schema', 'operator.gloo.solo.io/v1 ServiceMeshController managed-istio'],
    ]);
    expect(e.findings[0].message).toContain('no schema is known for operator.gloo.solo.io/v1 ServiceMeshController');
  });

  test('releases the operator does not install and manifest sources get a warning with the command to use', () => {
    const app = new App();
    glooDelivery(app);
    const warnings = collectObjects(app).warnings;
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      "chart release 'spire-crds' (chart spire-crds 0.5.0 from https://spiffe.github.io/helm-charts-hardened/) is not delivered in gloo-operator mode",
    );
    expect(warnings[0]).toContain(
      'helm upgrade --install spire-crds spire-crds --repo https://spiffe.github.io/helm-charts-hardened/ --namespace spire-server --create-namespace --version 0.5.0',
    );
    expect(warnings[1]).toContain("manifest source 'gateway-api-crds'");
  });

  test('a sidecar cluster is refused', () => {
    const e = errorOf(() =>
      deliveryMesh(new App(), {
        chartDelivery: ChartDelivery.glooOperator(),
        props: { clusters: [{ name: 'side', dataplaneMode: DataplaneMode.SIDECAR }] },
      }),
    );
    expect(e.message).toBe(
      "cluster 'side' uses dataplane mode 'sidecar', but gloo-operator delivery supports 'ambient' only (Solo documents the operator's SPIRE integration for dataplaneMode Ambient): use chartDelivery argocd, flux or helm-template for sidecar clusters",
    );
  });
});
