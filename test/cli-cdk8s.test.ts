/**
 * The cdk8s CLI (cdk8s-cli, a devDependency) runs the app: `cdk8s synth`, `-o DIR` and `--stdout` run the
 * gates and print the warnings (on stderr: the CLI drops the app's stdout), refuse a bad mesh with nothing
 * written, and `--stdout` deletes nothing and prints a valid multi-document stream. A plain `app.synth()`
 * runs the same gates through SpireMesh's construct validation.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { IstioDistribution, SpireMesh } from '../lib';
import { declareExampleMesh } from '../main';
import { readTree, tempDir } from './helpers';

const root = path.join(__dirname, '..');
const cdk8s = path.join(root, 'node_modules/.bin/cdk8s');
const WARNING = 'warning [Trust Domain Check] trust domains of cluster1 <-> cluster2';

/** A project folder whose cdk8s.yaml runs `app` (transpiled as `npm run synth` does), with the example's committed certificates. */
function project(app: string): string {
  const dir = tempDir('spiremesh-cdk8s-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
  fs.cpSync(path.join(root, 'pki', 'example'), path.join(dir, 'pki', 'example'), { recursive: true });
  const node = `node -r ${path.join(root, 'scripts/register.cjs')}`;
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: ${node} ${app}\n`);
  // A committed output folder that no cdk8s synth --stdout may touch.
  fs.mkdirSync(path.join(dir, 'dist'));
  fs.writeFileSync(path.join(dir, 'dist', 'committed.txt'), 'keep me\n');
  return dir;
}

function cdk8sSynth(cwd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
  delete env.CDK8S_OUTDIR;
  return spawnSync(cdk8s, ['synth', ...args], { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
}

const example = path.join(root, 'main.ts');
const bad = path.join(root, 'test/fixtures/cdk8s-bad-mesh.ts');

describe('the cdk8s CLI', () => {
  test("the project's cdk8s.yaml names no output folder (cdk8s-cli deletes it even for --stdout)", () => {
    expect(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8')).not.toMatch(/^output:/m);
  });

  test('cdk8s synth writes dist/<cluster>/ and prints the warnings', () => {
    const dir = project(example);
    fs.rmSync(path.join(dir, 'dist'), { recursive: true });
    const r = cdk8sSynth(dir, []);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('spiremesh synthesized 3 cluster directories');
    expect(r.stderr).toContain(WARNING);
    expect(Object.keys(readTree(path.join(dir, 'dist', 'cluster1')))).toContain('kustomization.yaml');
  });

  test('cdk8s synth --stdout deletes nothing and prints one multi-document YAML stream', () => {
    const dir = project(example);
    const before = readTree(dir);
    const r = cdk8sSynth(dir, ['--stdout']);
    expect(r.status).toBe(0);
    expect(readTree(dir)).toEqual(before);
    expect(r.stderr).toContain(WARNING);
    expect(r.stderr).toContain('nothing was written');
    const docs = parseAllDocuments(r.stdout);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const objects = docs.map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    const seps = r.stdout.match(/^---$/gm) ?? [];
    expect(seps).toHaveLength(objects.length);
    expect(objects.every((o) => typeof o.kind === 'string' && typeof o.metadata.name === 'string')).toBe(true);
    expect(objects.map((o) => o.kind)).not.toContain('Kustomization');
    // Apply order: the namespaces of cluster1 come first.
    expect(objects[0].kind).toBe('Namespace');
    const expected = ['cluster1', 'cluster2'].reduce(
      (n, c) => n + fs.readdirSync(path.join(root, 'dist', c), { recursive: true }).filter((f) => String(f).endsWith('.yaml')).length - 2,
      0,
    );
    expect(objects.length).toBeGreaterThanOrEqual(expected);
  });

  test('a mesh spiremesh refuses is refused by cdk8s synth -o DIR, with nothing written', () => {
    const dir = project(bad);
    const out = path.join(dir, 'out');
    const r = cdk8sSynth(dir, ['-o', out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr.match(/spiremesh: synthesis refused/g)).toHaveLength(1);
    expect(r.stderr).toContain('[License Check]');
    expect(fs.existsSync(out) ? fs.readdirSync(out) : []).toEqual([]);
  });

  test('a mesh spiremesh refuses is refused by cdk8s synth --stdout: nothing printed, nothing deleted', () => {
    const dir = project(bad);
    const before = readTree(dir);
    const r = cdk8sSynth(dir, ['--stdout']);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('spiremesh: synthesis refused');
    expect(readTree(dir)).toEqual(before);
  });
});

describe('a plain app.synth()', () => {
  test('runs the gates: a mesh spiremesh refuses throws before any file is written', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    new SpireMesh(app, 'bad', {
      name: 'bad',
      istio: { distribution: IstioDistribution.SOLO },
      clusters: [
        { name: 'east', eastWestAddress: '192.0.2.20' },
        { name: 'west', eastWestAddress: '192.0.2.21' },
      ],
    });
    expect(() => app.synth()).toThrow(/spiremesh: synthesis refused[^]*\[License Check\]/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('prints the warnings of the example, then writes', () => {
    const out = tempDir();
    let stderr = '';
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
      stderr += String(s);
      return true;
    });
    try {
      const app = new App({ outdir: out });
      declareExampleMesh(app);
      app.synth();
    } finally {
      spy.mockRestore();
    }
    expect(stderr).toContain(`spiremesh: 1 warning(s):\n  ! ${WARNING}`);
    expect(fs.readdirSync(out).length).toBeGreaterThan(0);
  });
});
