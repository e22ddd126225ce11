/**
 * The trust gates beyond the schemas: object identity and names, pinned images, license values
 * and base64-encoded private keys. Each rule is shown refusing its case with its message, and the
 * whole committed variant matrix passes every rule unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import { MeshCluster, MeshComponent, SpireMesh, SynthesisError, synthesize } from '../../lib';
import { RenderedObject, imagePinProblem, policyGate, secretsGate } from '../../lib/gitops';
import { TEST_PROJECT, errorOf, exampleProps, readTree, tempDir } from '../helpers';
import { expectedDir } from '../variants/harness';
import { VARIANTS } from '../variants/matrix';

const object = (manifest: any): RenderedObject => ({ cluster: 'c1', component: 'extra', constructPath: 'test/Extra', manifest });

/** A component of the test that adds objects to every cluster. */
class Extra extends MeshComponent {
  public constructor(scope: Construct, id: string, folder: string, add: (self: Construct) => void) {
    super(scope, id, { componentName: folder });
    add(this);
  }
}

function synthWithExtra(add: (cluster: MeshCluster) => void) {
  const out = tempDir();
  const app = new App({ outdir: out });
  const mesh = new SpireMesh(app, 'mesh', exampleProps());
  add(mesh.clusterChart('cluster1'));
  return { out, run: () => synthesize(app, { outdir: out, baseDir: TEST_PROJECT }) };
}

describe('trust gates', () => {
  test('every object of the committed variant matrix passes the policy and secrets gates', () => {
    let objects = 0;
    for (const variant of VARIANTS) {
      const tree = readTree(expectedDir(variant));
      const manifests = Object.entries(tree)
        .filter(([file]) => file.split('/').length === 3 && file.endsWith('.yaml') && !file.endsWith('kustomization.yaml'))
        .map(([file, text]) => ({ ...object(parse(text)), constructPath: file }));
      objects += manifests.length;
      expect(policyGate(manifests)).toEqual([]);
      expect(secretsGate(manifests)).toEqual([]);
    }
    expect(objects).toBeGreaterThan(900);
  });

  test.each([
    ['ghcr.io/spiffe/spire-server', "has no tag, so the cluster pulls whatever 'latest' is"],
    ['ghcr.io/spiffe/spire-server:latest', "is pinned to 'latest', which moves"],
    ['registry.example.com:5000/team/app', "has no tag, so the cluster pulls whatever 'latest' is"],
  ])('image %s is refused', (image, why) => {
    expect(imagePinProblem(image)).toBe(`image '${image}' ${why}`);
  });

  const cm = (patch: Record<string, unknown>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'ok', namespace: 'ns' },
    ...patch,
  });
  test.each([
    [
      'a name that is not a DNS subdomain',
      cm({ metadata: { name: 'Bad_Name', namespace: 'ns' } }),
      "name 'Bad_Name' is not a DNS-1123 subdomain",
    ],
    [
      'a Service name that is not a DNS label',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a.b', namespace: 'ns' } },
      "name 'a.b' is not a DNS-1123 label",
    ],
    [
      'a namespace that is not a DNS label',
      cm({ metadata: { name: 'ok', namespace: 'team.a' } }),
      "namespace 'team.a' is not a DNS-1123 label",
    ],
    [
      'a label key with a bad prefix',
      cm({ metadata: { name: 'ok', labels: { 'Bad_Prefix/x': 'v' } } }),
      "label key 'Bad_Prefix/x' has a prefix that is not a DNS subdomain",
    ],
    [
      'a label value with a space',
      cm({ metadata: { name: 'ok', labels: { app: 'a b' } } }),
      "label 'app' has value 'a b', which is not a valid label value",
    ],
    [
      'an annotation key that is too long',
      cm({ metadata: { name: 'ok', annotations: { ['a'.repeat(64)]: 'v' } } }),
      `annotation key '${'a'.repeat(64)}' is not a qualified name`,
    ],
    ['a ConfigMap data key with a slash', cm({ data: { 'a/b': 'v' } }), "data key 'a/b' is not a valid ConfigMap key"],
    [
      'a Service port out of range',
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'ns' }, spec: { ports: [{ port: 70000 }] } },
      'Service port 70000 is outside 1-65535',
    ],
  ])('the API server rule on %s is enforced', (_what, manifest, message) => {
    expect(policyGate([object(manifest)]).map((f) => f.message)).toEqual([expect.stringContaining(message)]);
  });

  test('tags and digests pin an image', () => {
    for (const image of ['ghcr.io/spiffe/spire-server:1.11.2', 'registry.example.com:5000/team/app:v2', `a/b@sha256:${'0'.repeat(64)}`]) {
      expect(imagePinProblem(image)).toBeUndefined();
    }
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    };
    expect(policyGate([object(deployment)]).map((f) => f.message)).toEqual([
      "container 'app': image 'nginx' has no tag, so the cluster pulls whatever 'latest' is",
    ]);
  });

  test("`image: auto` passes only on the istio-proxy container of a pod template Istio injects (the gateway chart's placeholder)", () => {
    const gateway = (labels: Record<string, string>, name = 'istio-proxy') => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-ingress' },
      spec: { template: { metadata: { labels }, spec: { containers: [{ name, image: 'auto' }] } } },
    });
    expect(policyGate([object(gateway({ 'sidecar.istio.io/inject': 'true' }))])).toEqual([]);
    expect(policyGate([object(gateway({ 'istio.io/rev': 'canary' }))])).toEqual([]);
    expect(policyGate([object(gateway({}))]).map((f) => f.message)).toEqual([
      "container 'istio-proxy': image 'auto' has no tag, so the cluster pulls whatever 'latest' is",
    ]);
    expect(policyGate([object(gateway({ 'sidecar.istio.io/inject': 'true' }, 'app'))]).map((f) => f.message)).toEqual([
      "container 'app': image 'auto' has no tag, so the cluster pulls whatever 'latest' is",
    ]);
  });

  test('a Solo license value is refused wherever it appears, unless the spec acknowledged exactly that value', () => {
    const env = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: {},
      spec: { env: [{ name: 'SOLO_LICENSE_KEY', value: 'KEY-1' }] },
    };
    const values = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'istiod' },
      spec: { source: { helm: { valuesObject: { license: { value: 'KEY-2' } } } } },
    };
    const found = policyGate([object(env), object(values)]);
    expect(found.map((f) => f.message)).toEqual([
      'a Solo license value at /spec/env/0/value would be committed to dist/',
      'a Solo license value at /spec/source/helm/valuesObject/license/value would be committed to dist/',
    ]);
    expect(found.map((f) => f.message).join('\n')).not.toContain('KEY-');
    expect(policyGate([object(values)], { acknowledgedLicenseValues: ['KEY-2'] })).toEqual([]);
  });

  test('a base64-encoded private key is found like a PEM one', () => {
    const pem = ['-----BEGIN', 'PRIVATE KEY-----'].join(' ') + '\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n';
    const encoded = Buffer.from(pem).toString('base64');
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak', namespace: 'ns' }, binaryData: { 'key.b64': encoded } };
    expect(secretsGate([object(cm)]).map((f) => f.message)).toEqual(['contains a PEM private key']);
    const certificate = Buffer.from(['-----BEGIN', 'CERTIFICATE-----'].join(' ') + '\nMIIB\n').toString('base64');
    expect(secretsGate([object({ ...cm, binaryData: { 'ca.b64': certificate } })])).toEqual([]);
  });

  test("a user component's Deployment with an untagged image or a license env var fails synth, writing nothing", () => {
    const { out, run } = synthWithExtra((cluster) => {
      new Extra(
        cluster,
        'A',
        'team-a',
        (s) =>
          new k8s.KubeDeployment(s, 'd', {
            metadata: { name: 'app', namespace: 'spire-server' },
            spec: {
              selector: { matchLabels: { app: 'a' } },
              template: {
                metadata: { labels: { app: 'a' } },
                spec: { containers: [{ name: 'app', image: 'nginx', env: [{ name: 'SOLO_LICENSE_KEY', value: 'SECRET-LICENSE' }] }] },
              },
            },
          }),
      );
    });
    const e = errorOf(run) as SynthesisError;
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain(
      "error [policy] apps/v1 Deployment spire-server/app (construct mesh/cluster1/A/d): container 'app': image 'nginx' has no tag",
    );
    expect(e.message).toContain(
      'error [secrets] apps/v1 Deployment spire-server/app (construct mesh/cluster1/A/d): a Solo license value at /spec/template/spec/containers/0/env/0/value',
    );
    expect(e.message).not.toContain('SECRET-LICENSE');
    expect(fs.existsSync(path.join(out, 'cluster1'))).toBe(false);
  });

  test('one object identity in two component folders fails synth and names both places', () => {
    const { out, run } = synthWithExtra((cluster) => {
      new Extra(cluster, 'A', 'team-a', (s) => new k8s.KubeConfigMap(s, 'cm', { metadata: { name: 'shared', namespace: 'spire-server' } }));
      new Extra(cluster, 'B', 'team-b', (s) => new k8s.KubeConfigMap(s, 'cm', { metadata: { name: 'shared', namespace: 'spire-server' } }));
    });
    const e = errorOf(run) as SynthesisError;
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain(
      'v1 ConfigMap spire-server/shared is defined in 2 component folders (team-a/configmap_spire-server_shared.yaml, team-b/configmap_spire-server_shared.yaml',
    );
    expect(fs.existsSync(path.join(out, 'cluster1'))).toBe(false);
  });

  test('an object without metadata.name (e.g. removed by a JSON patch) fails synth instead of becoming …_undefined.yaml', () => {
    const { out, run } = synthWithExtra((cluster) => {
      new Extra(cluster, 'A', 'team-a', (s) =>
        new k8s.KubeConfigMap(s, 'cm', { metadata: { name: 'doomed', namespace: 'spire-server' } }).addJsonPatch(
          JsonPatch.remove('/metadata/name'),
        ),
      );
    });
    const e = errorOf(run) as SynthesisError;
    expect(e.message).toContain(
      'v1 ConfigMap spire-server/(no name) (construct mesh/cluster1/A/cm) has no metadata.name: give the object a name',
    );
    expect(fs.existsSync(path.join(out, 'cluster1'))).toBe(false);
  });
});
