import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as YAML from 'yaml';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { GateFinding, MeshComponent, MeshSpec, OutputConflictError, SpecValidationError, SpireMesh, SynthesisError } from '../../lib';
import { INDEX_FILE, applyOutput, collectObjects, kindRank, planOutput, renderClusterFiles, renderManifests } from '../../lib/gitops';
import { declareSpireMesh, errorOf, exampleProps, meshDocument, readTree, synthMesh, tempDir } from '../helpers';
import { MeshModel, resolveMeshSpec } from '../../lib/spec';

/** A test component that adds arbitrary objects to every cluster of a mesh. */
class ExtraObjects extends MeshComponent {
  public constructor(scope: Construct, id: string, add: (self: ExtraObjects) => void) {
    super(scope, id, { componentName: 'extra' });
    add(this);
  }
}

function meshWith(props: MeshSpec | MeshModel, add?: (c: ExtraObjects) => void) {
  return (app: Construct) => {
    const mesh = declareSpireMesh(app, 'mesh', props);
    if (add) for (const cluster of mesh.clusters) new ExtraObjects(cluster, 'Extra', add);
  };
}

/** A validated n-cluster mesh (all-to-all), declared as a spec document. */
const fleet = (n: number, name?: string): MeshModel => resolveMeshSpec(meshDocument(n, name), 'test fleet');

describe('synthesis output', () => {
  test('two synths of the same spec give byte-identical trees, and a rerun changes nothing', () => {
    const a = tempDir();
    const b = tempDir();
    synthMesh(exampleProps(), a);
    synthMesh(exampleProps(), b);
    expect(readTree(a)).toEqual(readTree(b));
    const before = readTree(a);
    const again = synthMesh(exampleProps(), a);
    expect(again.upToDate).toBe(true);
    expect(again.clusters.every((c) => c.created === 0 && c.changed === 0 && c.pruned === 0)).toBe(true);
    expect(readTree(a)).toEqual(before);
  });

  test('each cluster directory has a kustomization listing every manifest, namespaces first, and an index with provenance', () => {
    const out = tempDir();
    synthMesh(
      meshWith(
        exampleProps(),
        (c) => new kplus.ConfigMap(c, 'cm', { metadata: { name: 'settings', namespace: 'spire-server' }, data: { a: 'b' } }),
      ),
      out,
    );
    const tree = readTree(path.join(out, 'cluster1'));
    const kustomization = tree['kustomization.yaml'];
    const resources = kustomization
      .split('\n')
      .filter((l) => l.startsWith('  - '))
      .map((l) => l.slice(4));
    const manifests = Object.keys(tree)
      .filter((p) => p.includes('/'))
      .sort();
    expect([...resources].sort()).toEqual(manifests);
    // Namespaces first, then built-in kinds in apply order, custom resources (gateways,
    // external secrets, ClusterSPIFFEIDs) last.
    const kinds = resources.map((r) => String(YAML.parse(tree[r]).kind));
    expect(kinds.slice(0, 3)).toEqual(['Namespace', 'Namespace', 'Namespace']);
    const ranks = kinds.map(kindRank);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(kinds.indexOf('ConfigMap')).toBeLessThan(kinds.indexOf('StatefulSet'));
    expect(kinds.indexOf('StatefulSet')).toBeLessThan(kinds.indexOf('ClusterSPIFFEID'));
    expect(resources).toContain('extra/configmap_spire-server_settings.yaml');
    const index = tree[INDEX_FILE];
    expect(index).toMatch(/specDigest: sha256:[0-9a-f]{64}/);
    expect(index).toContain('chartVersion: 1.29.1-solo');
    expect(index).toContain('hub: us-docker.pkg.dev/soloio-img/istio');
    for (const file of Object.keys(tree).filter((p) => p !== INDEX_FILE)) {
      const sha = crypto.createHash('sha256').update(tree[file]).digest('hex');
      expect(index).toContain(`- path: ${file}\n    sha256: ${sha}`);
    }
  });

  test('synthesis prunes what the previous run wrote and this one does not, and nothing else', () => {
    const out = tempDir();
    synthMesh(
      meshWith(fleet(3), (c) => new kplus.ConfigMap(c, 'cm', { metadata: { name: 'old', namespace: 'spire-server' } })),
      out,
    );
    const first = Object.keys(readTree(out));
    fs.mkdirSync(path.join(out, 'other-tool'));
    fs.writeFileSync(path.join(out, 'other-tool', 'app.yaml'), 'kind: Foreign\n');
    fs.writeFileSync(path.join(out, 'notes.md'), 'hand-written\n');
    fs.writeFileSync(path.join(out, 'c1', 'README.md'), 'hand-written\n');
    const result = synthMesh(fleet(2), out);
    const tree = readTree(out);
    expect(Object.keys(tree).filter((p) => p.startsWith('c3/'))).toEqual([]);
    expect(fs.existsSync(path.join(out, 'c3'))).toBe(false);
    expect(Object.keys(tree).filter((p) => p.includes('extra/'))).toEqual([]);
    expect(tree['other-tool/app.yaml']).toBe('kind: Foreign\n');
    expect(tree['notes.md']).toBe('hand-written\n');
    expect(tree['c1/README.md']).toBe('hand-written\n');
    // Pruned = files of the first run that the second run does not write.
    const gone = (dir: string) =>
      first
        .filter((p) => p.startsWith(`${dir}/`) && !(p in tree))
        .map((p) => p.slice(dir.length + 1))
        .sort();
    for (const d of result.directories.filter((x) => x.dir !== '.')) expect([d.dir, [...d.pruned]]).toEqual([d.dir, gone(d.dir)]);
    expect(gone('c1')).toEqual(
      expect.arrayContaining(['extra/configmap_spire-server_old.yaml', 'multicluster/gateway_istio-eastwest_istio-remote-peer-c3.yaml']),
    );
    expect(gone('c3')).toEqual(
      first
        .filter((p) => p.startsWith('c3/'))
        .map((p) => p.slice(3))
        .sort(),
    );
    expect(result.warnings.filter((w) => !w.includes('[Trust Domain Check]'))).toEqual([
      `${path.join(out, 'c1', 'README.md')} was not written by spiremesh; left alone`,
    ]);
  });

  test('a bad spec leaves an existing output folder untouched', () => {
    const out = tempDir();
    synthMesh(exampleProps(), out);
    const before = readTree(out);
    const bad = { ...exampleProps(), clusters: [...exampleProps().clusters, { name: 'cluster3', trustDomain: 'Cluster3' }] };
    expect(errorOf(() => synthMesh(bad, out))).toBeInstanceOf(SpecValidationError);
    expect(readTree(out)).toEqual(before);
  });

  test('an object with an unknown field fails synth naming the object, the field and the schema, and writes nothing', () => {
    const out = tempDir();
    synthMesh(exampleProps(), out);
    const before = readTree(out);
    // A typo in a Deployment spec, as hand-written object props would carry it.
    const e = errorOf(() =>
      synthMesh(
        meshWith(exampleProps(), (c) => {
          new ApiObject(c, 'web', {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web', namespace: 'spire-server' },
            spec: {
              selector: { matchLabels: { app: 'web' } },
              template: {
                metadata: { labels: { app: 'web' } },
                spec: { containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicyy: 'Always' }] },
              },
            },
          });
        }),
        out,
      ),
    );
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain('apps/v1 Deployment spire-server/web');
    expect(e.message).toContain('/spec/template/spec/containers/0');
    expect(e.message).toContain('imagePullPolicyy');
    expect(e.message).toContain('Kubernetes 1.30 apps/v1 Deployment');
    expect(e.message).toContain('construct mesh/cluster1/Extra/web');
    expect(readTree(out)).toEqual(before);
  });

  test('a Secret with data or a PEM private key is never emitted', () => {
    const out = tempDir();
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const e = errorOf(() =>
      synthMesh(
        meshWith(exampleProps(), (c) => {
          new ApiObject(c, 'secret', {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'cacerts', namespace: 'istio-system' },
            data: { 'ca-key.pem': Buffer.from('x').toString('base64') },
          });
          new kplus.ConfigMap(c, 'leak', { metadata: { name: 'leak', namespace: 'istio-system' }, data: { key: pem } });
        }),
        out,
      ),
    ) as SynthesisError;
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.findings.filter((f) => f.source === 'secrets').map((f) => (f as GateFinding).object)).toEqual([
      'v1 Secret istio-system/cacerts',
      'v1 ConfigMap istio-system/leak',
      'v1 Secret istio-system/cacerts',
      'v1 ConfigMap istio-system/leak',
    ]);
    expect(e.message).not.toContain(pem.split('\n')[1]); // the key itself is never printed
    expect(fs.existsSync(out) && fs.readdirSync(out)).toEqual([]);
  });

  test('a file spiremesh did not write is never overwritten', () => {
    const out = tempDir();
    fs.mkdirSync(path.join(out, 'cluster1', 'namespaces'), { recursive: true });
    fs.writeFileSync(path.join(out, 'cluster1', 'namespaces', 'namespace_spire-server.yaml'), 'mine\n');
    const e = errorOf(() => synthMesh(exampleProps(), out));
    expect(e).toBeInstanceOf(OutputConflictError);
    expect(e.message).toContain('was not written by spiremesh');
    expect(readTree(out)).toEqual({ 'cluster1/namespaces/namespace_spire-server.yaml': 'mine\n' });
  });

  test('a directory owned by another mesh is refused', () => {
    const out = tempDir();
    synthMesh(fleet(1, 'other'), out);
    const e = errorOf(() => synthMesh(fleet(1), out));
    expect(e.message).toContain("belongs to mesh 'other'");
  });

  test('a write that fails half-way restores every file it had changed', () => {
    const out = tempDir();
    synthMesh(exampleProps(), out);
    const before = readTree(out);
    const changed = meshWith(exampleProps(), (c) => new kplus.ConfigMap(c, 'cm', { metadata: { name: 'new', namespace: 'spire-server' } }));
    // Plan the change, then make one target unwritable (a non-empty directory in its place).
    const app = new App({ outdir: out });
    changed(app);
    const collected = collectObjects(app);
    expect(collected.findings).toEqual([]);
    const mesh = new SpireMesh(new App(), 'm', exampleProps()).model;
    const outputs = mesh.clusters.map((cluster) => {
      const { files } = renderManifests(collected.objects.filter((o) => o.cluster === cluster.name));
      return { dir: cluster.name, files: renderClusterFiles(mesh, cluster, files).files };
    });
    const plan = planOutput(out, 'example', outputs);
    const blocker = path.join(out, 'cluster2', 'extra', 'configmap_spire-server_new.yaml');
    fs.mkdirSync(path.join(blocker, 'x'), { recursive: true });
    expect(() => applyOutput(plan)).toThrow();
    fs.rmSync(path.join(out, 'cluster2', 'extra'), { recursive: true });
    expect(readTree(out)).toEqual(before);
  });
});
