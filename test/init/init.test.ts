/**
 * `spiremesh init` (lib/cli/init.ts): what it scaffolds, that the scaffolded meshes synthesize as
 * written, how it joins an existing repository (package.json scripts and .gitignore lines added),
 * and that it refuses to overwrite, naming the files and writing nothing. The packed and installed
 * command is exercised end to end by test/package/package.test.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  INIT_COMMAND,
  INIT_INVENTORY_FILE,
  INIT_TYPESCRIPT_APP,
  INIT_WORKFLOW_FILE,
  INVENTORY_SCHEMA_FILE,
  InitRefusedError,
  gitignoreLines,
  initProject,
  runInit,
  workflowFile,
} from '../../lib/cli/init';
import { COMMANDS } from '../../lib/cli/commands';
import { DEFAULT_ISTIO_VERSION, SpireMesh, loadMeshSpecFile, synthesize } from '../../lib';
import { LOCK_DIR, LOCK_OWNER_FILE, TEMP_PREFIX } from '../../lib/gitops/output-names';
import { DEFAULT_KEY_DIRECTORY, DEFAULT_SECRETS_DIRECTORY } from '../../lib/spec/defaults';
import { INVENTORY_SCHEMA_FILE as GENERATED_SCHEMA_FILE } from '../../scripts/inventory-schema';

const REPO = path.resolve(__dirname, '../..');
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-init-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out.set(path.relative(dir, f), fs.readFileSync(f, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('the scaffold', () => {
  test('TypeScript (default): cdk8s.yaml, main.ts, package.json, .gitignore, CI workflow', () => {
    const dir = path.join(tmp, 'repo');
    const result = initProject({ dir });
    expect(result.created.map((f) => path.relative(dir, f)).sort()).toEqual(
      ['.github/workflows/spiremesh.yaml', '.gitignore', 'cdk8s.yaml', 'main.ts', 'package.json'].sort(),
    );
    expect(result.updated).toEqual([]);
    expect(read(dir, 'cdk8s.yaml')).toContain('language: typescript\napp: node -r spiremesh/register main.ts\n');
    const main = read(dir, INIT_TYPESCRIPT_APP);
    expect(main).toContain("import { IstioDistribution, IstioLicense, SpireMesh, linkBothWays, synthMain } from 'spiremesh';");
    expect(main).toContain(`version: '${DEFAULT_ISTIO_VERSION}'`);
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg).toEqual({
      name: 'repo',
      private: true,
      scripts: { synth: 'spiremesh synth', check: 'spiremesh check', pki: 'spiremesh pki' },
      dependencies: { spiremesh: `^${JSON.parse(read(REPO, 'package.json')).version}` },
    });
    const workflow = read(dir, INIT_WORKFLOW_FILE);
    expect(workflow).toContain('      - run: npm ci\n      - run: npx spiremesh synth --check\n');
    expect(workflow).not.toContain('working-directory');
  });

  test('--inventory: mesh.yaml instead of main.ts, and cdk8s.yaml runs the spiremesh command on it', () => {
    const dir = path.join(tmp, 'repo');
    initProject({ dir, inventory: true });
    expect(fs.existsSync(path.join(dir, INIT_TYPESCRIPT_APP))).toBe(false);
    expect(read(dir, 'cdk8s.yaml')).toContain(`app: npx spiremesh synth --inventory ${INIT_INVENTORY_FILE}\n`);
    // The JSON Schema of the package this runs from (this checkout), for editors.
    const schema = path.join(REPO, INVENTORY_SCHEMA_FILE);
    expect(fs.existsSync(schema)).toBe(true);
    expect(read(dir, INIT_INVENTORY_FILE).split('\n')[0]).toBe(`# yaml-language-server: $schema=${path.relative(dir, schema)}`);
  });

  test('the $schema line names the installed package relative to the inventory, and is left out when the package has no schema', () => {
    const pkgDir = path.join(tmp, 'node_modules', 'spiremesh');
    fs.mkdirSync(path.join(pkgDir, 'schemas'), { recursive: true });
    initProject({ dir: path.join(tmp, 'bare'), inventory: true, packageDir: pkgDir });
    expect(read(tmp, 'bare', INIT_INVENTORY_FILE)).toMatch(/^# The mesh of this repository/);
    fs.writeFileSync(path.join(pkgDir, INVENTORY_SCHEMA_FILE), '{}');
    initProject({ dir: tmp, inventory: true, packageDir: pkgDir });
    expect(read(tmp, INIT_INVENTORY_FILE).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./node_modules/spiremesh/schemas/spiremesh-inventory.schema.json',
    );
    expect(INVENTORY_SCHEMA_FILE).toBe(GENERATED_SCHEMA_FILE);
  });

  test('the .gitignore holds the key and secret folders and every name of the output writer', () => {
    initProject({ dir: tmp });
    const lines = read(tmp, '.gitignore').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([`${DEFAULT_KEY_DIRECTORY}/`, `${DEFAULT_SECRETS_DIRECTORY}/`, `${TEMP_PREFIX}*`, LOCK_DIR, LOCK_OWNER_FILE]),
    );
    expect(gitignoreLines()).toEqual([
      '.spiremesh/keys/',
      '.spiremesh/secrets/',
      '.spiremesh-tmp-*',
      '.spiremesh-lock',
      '.spiremesh-lock-owner',
      'node_modules/',
    ]);
  });

  test('the YAML inventory validates and synthesizes as written, with no warning', () => {
    initProject({ dir: tmp, inventory: true });
    const app = new App({ outdir: path.join(tmp, 'dist') });
    const mesh = SpireMesh.fromInventoryFile(app, 'mesh', path.join(tmp, INIT_INVENTORY_FILE));
    expect(mesh.model.clusters.map((c) => [c.name, c.trustDomain])).toEqual([
      ['cluster1', 'mesh.example.com'],
      ['cluster2', 'mesh.example.com'],
    ]);
    const result = synthesize(app, { outdir: path.join(tmp, 'dist'), baseDir: tmp });
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster1', 'cluster2', '_fleet']);
    expect(result.checkFindings).toEqual([]);
    expect(fs.existsSync(path.join(tmp, 'dist', 'cluster1', 'kustomization.yaml'))).toBe(true);
  });

  test('main.ts declares the same mesh as mesh.yaml and synthesizes as written (run as its script runs it)', () => {
    const ts = path.join(tmp, 'ts');
    const yaml = path.join(tmp, 'yaml');
    initProject({ dir: ts });
    initProject({ dir: yaml, inventory: true });
    // 'spiremesh' and 'spiremesh/register' of this checkout's sources (the packed build: test/package).
    const shim = path.join(tmp, 'node_modules', 'spiremesh');
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, 'package.json'), JSON.stringify({ name: 'spiremesh', main: 'index.js' }));
    fs.writeFileSync(path.join(shim, 'index.js'), `module.exports = require(${JSON.stringify(path.join(REPO, 'lib', 'index.ts'))});\n`);
    fs.writeFileSync(path.join(shim, 'register.js'), `require(${JSON.stringify(require.resolve('sucrase/register/ts'))});\n`);
    const env = { ...process.env };
    delete env.CDK8S_OUTDIR;
    const r = spawnSync(process.execPath, ['-r', 'spiremesh/register', 'main.ts', 'synth'], { cwd: ts, env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/warnings: none/);
    const digest = (dir: string) => /^specDigest: (sha256:[0-9a-f]{64})$/m.exec(read(dir, 'dist', 'cluster1', 'spiremesh-index.yaml'))?.[1];
    expect(fs.existsSync(path.join(ts, 'dist', 'cluster1', 'kustomization.yaml'))).toBe(true);
    // Same spec document: the YAML flavour digests to the same value as the TypeScript one.
    const app = new App({ outdir: path.join(yaml, 'dist') });
    SpireMesh.fromInventoryFile(app, 'mesh', path.join(yaml, INIT_INVENTORY_FILE));
    synthesize(app, { outdir: path.join(yaml, 'dist'), baseDir: yaml });
    expect(digest(ts)).toBeDefined();
    expect(digest(yaml)).toBe(digest(ts));
    expect(loadMeshSpecFile(path.join(yaml, INIT_INVENTORY_FILE)).name).toBe('mesh');
  });
});

describe('in an existing repository', () => {
  test('package.json keeps its fields and gets the scripts; .gitignore gets only the missing lines', () => {
    fs.writeFileSync(
      path.join(tmp, 'package.json'),
      JSON.stringify({ name: 'gitops', dependencies: { spiremesh: 'file:spiremesh-0.1.0.tgz' }, scripts: { lint: 'x' } }),
    );
    fs.writeFileSync(path.join(tmp, '.gitignore'), 'node_modules/\n.spiremesh/keys/');
    const result = initProject({ dir: tmp, inventory: true });
    expect(result.updated.map((f) => path.basename(f)).sort()).toEqual(['.gitignore', 'package.json']);
    expect(JSON.parse(read(tmp, 'package.json'))).toEqual({
      name: 'gitops',
      dependencies: { spiremesh: 'file:spiremesh-0.1.0.tgz' },
      scripts: { lint: 'x', synth: 'spiremesh synth', check: 'spiremesh check', pki: 'spiremesh pki' },
    });
    const gitignore = read(tmp, '.gitignore');
    expect(gitignore.startsWith('node_modules/\n.spiremesh/keys/\n# spiremesh:')).toBe(true);
    expect(gitignore.split('\n').filter((l) => l === '.spiremesh/keys/' || l === 'node_modules/')).toHaveLength(2);
    expect(gitignore).toContain('.spiremesh/secrets/\n');
  });

  test('a folder of a Git repository gets its workflow at the repository top, run in the folder', () => {
    fs.mkdirSync(path.join(tmp, '.git'));
    const dir = path.join(tmp, 'platform', 'mesh');
    const result = initProject({ dir });
    expect(workflowFile('platform/mesh')).toBe('.github/workflows/spiremesh-platform-mesh.yaml');
    const workflow = path.join(tmp, '.github/workflows/spiremesh-platform-mesh.yaml');
    expect(result.created).toContain(workflow);
    expect(fs.readFileSync(workflow, 'utf8')).toContain('    defaults:\n      run:\n        working-directory: platform/mesh\n');
    expect(fs.existsSync(path.join(dir, '.github'))).toBe(false);
  });
});

describe('refusal', () => {
  test('existing files: one message naming every one, nothing written', () => {
    initProject({ dir: tmp });
    fs.writeFileSync(path.join(tmp, 'main.ts'), '// mine\n');
    const before = snapshotTree(tmp);
    let error: unknown;
    try {
      initProject({ dir: tmp });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InitRefusedError);
    expect((error as InitRefusedError).conflicts).toEqual(['cdk8s.yaml', 'main.ts', '.github/workflows/spiremesh.yaml']);
    expect((error as Error).message).toContain('nothing was written');
    expect((error as Error).message).toContain('--force');
    expect(snapshotTree(tmp)).toEqual(before);
  });

  test('a package.json script of the same name that differs is a conflict too; --force replaces', () => {
    fs.writeFileSync(path.join(tmp, 'package.json'), JSON.stringify({ name: 'x', scripts: { synth: 'cdk8s synth' } }));
    expect(() => initProject({ dir: tmp })).toThrow(/package\.json \(scripts 'synth' differ: 'cdk8s synth'\)/);
    expect(fs.readdirSync(tmp)).toEqual(['package.json']);
    initProject({ dir: tmp, force: true });
    expect(JSON.parse(read(tmp, 'package.json')).scripts.synth).toBe('spiremesh synth');
  });

  test('a file where the folder should be is a usage error', () => {
    const file = path.join(tmp, 'file');
    fs.writeFileSync(file, '');
    const printed: string[] = [];
    const code = runInit({
      positionals: [file],
      values: {},
      print: (t) => printed.push(t),
      printError: (t) => printed.push(t),
    });
    expect(code).toBe(2);
    expect(printed.join('\n')).toMatch(/is a file; name a folder/);
  });
});

describe('the command', () => {
  test('is registered in the command table, takes one folder, --inventory and --force', () => {
    expect(COMMANDS.init).toBe(INIT_COMMAND);
    expect(Object.keys(INIT_COMMAND.options).sort()).toEqual(['force', 'inventory']);
    const printed: string[] = [];
    const io = { print: (t: string) => printed.push(t), printError: (t: string) => printed.push(t) };
    expect(runInit({ positionals: ['a', 'b'], values: {}, ...io })).toBe(2);
    const dir = path.join(tmp, 'new');
    expect(runInit({ positionals: [dir], values: { inventory: true }, ...io })).toBe(0);
    expect(printed.join('\n')).toContain(`init: scaffolded a YAML inventory mesh in ${dir}`);
    expect(runInit({ positionals: [dir], values: { inventory: true }, ...io })).toBe(1);
    expect(printed.at(-1)).toMatch(/^spiremesh: init: refusing to overwrite 3 files that exist in /);
  });
});
