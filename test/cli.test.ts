import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { CaDelivery, ChartDelivery, HelmTemplateDelivery, SpireMesh, resolveMeshSpec } from '../lib';
import { parseCliArgs } from '../lib/cli';
import { declareExampleMesh } from '../main';
import { readTree, tempDir } from './helpers';
import { runCommand } from './run-cli';

const root = path.join(__dirname, '..');
/** What `npm run synth` preloads: the sources transpiled on the fly (scripts/register.cjs), no type-check. */
const REGISTER = path.join(root, 'scripts/register.cjs');

/** Runs the CLI in-process and captures what it prints. */
const run = runCommand;

describe('command line', () => {
  test('flags: --out/-o, --check, --inventory; CDK8S_OUTDIR is the default output', () => {
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = 'from-env';
    try {
      expect(parseCliArgs([])).toMatchObject({ command: 'synth', outdir: 'from-env', check: false });
      expect(parseCliArgs(['-o', 'x', '--check'])).toMatchObject({ command: 'synth', outdir: 'x', check: true });
      expect(parseCliArgs(['synth', '--out=y', '--inventory', 'm.yaml'])).toMatchObject({ outdir: 'y', inventory: 'm.yaml' });
      expect(parseCliArgs(['pki', 'rotate', '--cluster', 'c1', '--which', 'spire'])).toMatchObject({
        command: 'pki',
        subcommand: 'rotate',
        cluster: 'c1',
        which: 'spire',
      });
      expect(() => parseCliArgs(['--bogus'])).toThrow("unknown flag '--bogus'");
      expect(() => parseCliArgs(['deploy'])).toThrow("unknown command 'deploy'");
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
  });

  test('pki init, status, rotate and export manage the CA of a declared mesh', () => {
    const project = tempDir();
    const declare = (app: import('cdk8s').App) =>
      new SpireMesh(app, 'm', {
        name: 'pkitest',
        clusters: [
          { name: 'east', eastWestAddress: '192.0.2.1' },
          { name: 'west', eastWestAddress: '192.0.2.2' },
        ],
        pki: {
          certificateDirectory: path.join(project, 'pki'),
          keyDirectory: path.join(project, 'keys'),
          delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }),
        },
      });
    const init = run(declare, ['pki', 'init']);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('mesh pkitest: 10 file(s) generated, 0 certificate(s) reused');
    expect(run(declare, ['pki', 'init']).stdout).toContain('0 file(s) generated, 5 certificate(s) reused');
    const status = run(declare, ['pki', 'status']);
    expect(status.stdout).toContain('SPIRE east CA');
    expect(status.stdout).not.toContain('PRIVATE KEY');
    const rotate = run(declare, ['pki', 'rotate', '--cluster', 'east', '--which', 'istio']);
    expect(rotate.code).toBe(0);
    expect(rotate.stdout).toMatch(/cluster east: new Istio plug-in CA [0-9a-f]+ .* stays valid until it expires/);
    const file = path.join(project, 'export.json');
    const exported = run(declare, ['pki', 'export', '--cluster', 'west', '--file', file]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain('PRIVATE KEY');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const values = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(values)).toEqual(['spiremesh/pkitest/west/spiffe-upstream-ca', 'spiremesh/pkitest/west/cacerts']);
    expect(Object.keys(values['spiremesh/pkitest/west/cacerts'])).toEqual(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem']);
    expect(values['spiremesh/pkitest/west/spiffe-upstream-ca']['tls.key']).toContain('PRIVATE KEY');
    const unknown = run(declare, ['pki', 'export', '--cluster', 'north']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--cluster 'north': no cluster 'north' in mesh 'pkitest'; use one of east, west");
    expect(unknown.stderr).not.toContain('unexpected error');
  });

  test('prints a per-cluster summary; --check exits 1 when the output is out of date', () => {
    const out = tempDir();
    const first = run(declareExampleMesh, ['--out', out]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const objects = first.stdout.match(/cluster1\s+(\d+)\s+(\d+)\s+(\d+)\s+0\s+0\s+0/);
    expect(objects).not.toBeNull();
    expect(Number(objects![2])).toBe(Number(objects![1]) + 2); // one file per object, plus kustomization and index
    expect(objects![3]).toBe(objects![2]); // all created
    expect(first.stdout).toContain('warnings (1):\n  ! warning [Trust Domain Check] trust domains of cluster1 <-> cluster2');
    expect(run(declareExampleMesh, ['--out', out, '--check']).code).toBe(0);
    fs.writeFileSync(path.join(out, 'cluster1', 'kustomization.yaml'), 'edited\n');
    const check = run(declareExampleMesh, ['--out', out, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('~ cluster1/kustomization.yaml');
    expect(fs.readFileSync(path.join(out, 'cluster1', 'kustomization.yaml'), 'utf8')).toBe('edited\n');
  });

  test('`check` prints the multicluster check; a check error exits 1', () => {
    const ok = run(declareExampleMesh, ['check', '--out', tempDir()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('check: 0 errors, 1 warning(s)');
    expect(ok.stdout).toContain('[Trust Domain Check]');
    const doc = declareExampleMesh(new App()).model.document;
    const bad = run((app: App) => SpireMesh.fromModel(app, 'm', resolveMeshSpec({ ...doc, istio: {} }, 'test')), ['check']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[License Check] cluster cluster1');
  });

  test('errors go to stderr with exit code 1 and no stack trace', () => {
    const out = tempDir();
    const result = run(
      (app: import('cdk8s').App) => new SpireMesh(app, 'bad', { name: 'bad', clusters: [{ name: 'UPPER' }] }),
      ['--out', out],
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("clusters[0].name: cluster name 'UPPER' is not a DNS-1123 label");
    expect(result.stderr).not.toContain('    at ');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('`cdk8s synth -o DIR` runs the app from cdk8s.yaml, writes DIR/<cluster>/ and prints the warnings on stderr', () => {
    const out = tempDir();
    const r = spawnSync(path.join(root, 'node_modules/.bin/cdk8s'), ['synth', '-o', out], {
      cwd: root,
      env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('warnings (1):\n  ! warning [Trust Domain Check]');
    for (const dir of ['cluster1', 'cluster2', '_fleet'])
      expect(readTree(path.join(out, dir))).toEqual(readTree(path.join(root, 'dist', dir)));
  });

  test('without --out, the output, the PKI and the chart cache belong to the project folder, whatever the working directory', () => {
    const saved = process.env.CDK8S_OUTDIR;
    delete process.env.CDK8S_OUTDIR;
    try {
      // A TypeScript app run from a subfolder of its project (the folder holding package.json).
      const project = tempDir();
      fs.writeFileSync(path.join(project, 'package.json'), '{}\n');
      const sub = path.join(project, 'deep', 'er');
      fs.mkdirSync(sub, { recursive: true });
      const declare = (app: App) =>
        new SpireMesh(app, 'm', {
          name: 'anchored',
          clusters: [{ name: 'solo' }],
          pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) },
          chartDelivery: ChartDelivery.helmTemplate(),
        });
      const cwd = process.cwd();
      process.chdir(sub);
      let mesh: SpireMesh;
      try {
        mesh = declare(new App());
        expect(parseCliArgs([]).outdir).toBe(path.join(project, 'dist'));
      } finally {
        process.chdir(cwd);
      }
      expect(mesh.model.projectDir).toBe(project);
      const helm = mesh.node.findAll().find((c): c is HelmTemplateDelivery => c instanceof HelmTemplateDelivery);
      expect(helm?.chartCacheDirectory).toBe(path.join(project, '.spiremesh', 'charts'));
      expect(fs.readdirSync(sub)).toEqual([]);

      // A YAML inventory, run from an unrelated folder: its own folder is the project.
      const inventoryProject = tempDir();
      fs.copyFileSync(path.join(root, 'examples/three-clusters.yaml'), path.join(inventoryProject, 'mesh.yaml'));
      const elsewhere = tempDir();
      const r = spawnSync(
        process.execPath,
        ['-r', REGISTER, path.join(root, 'bin/spiremesh.ts'), 'synth', '--inventory', path.join(inventoryProject, 'mesh.yaml')],
        { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: '' } },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(fs.readdirSync(path.join(inventoryProject, 'dist')).sort()).toEqual(['README.md', 'east', 'edge', 'west']);
      expect(fs.readdirSync(path.join(inventoryProject, 'pki')).sort()).toEqual(['fleet']);
      expect(fs.readdirSync(elsewhere)).toEqual([]);
    } finally {
      if (saved !== undefined) process.env.CDK8S_OUTDIR = saved;
    }
  });

  test('the inventory CLI synthesizes a YAML mesh', () => {
    // Run from a scratch project folder: the mesh's PKI is generated in the folder of the inventory file.
    const project = tempDir();
    fs.copyFileSync(path.join(root, 'examples/three-clusters.yaml'), path.join(project, 'mesh.yaml'));
    const out = path.join(project, 'dist');
    const r = spawnSync(
      process.execPath,
      ['-r', REGISTER, path.join(root, 'bin/spiremesh.ts'), 'synth', '--inventory', 'mesh.yaml', '--out', out],
      { cwd: project, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'east', 'edge', 'west']);
    // edge links to west, so it holds the istio-eastwest namespace (its remote peer Gateway lives there).
    expect(Object.keys(readTree(path.join(out, 'edge')))).toContain('namespaces/namespace_istio-eastwest.yaml');
    expect(fs.readdirSync(path.join(project, 'pki', 'fleet')).sort()).toEqual(['east', 'edge', 'root-ca.crt', 'west']);
  });
});
