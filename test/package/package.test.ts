/**
 * Acceptance test of the installable package (issue 14): `npm pack` this checkout, install the
 * tarball into a fresh temporary folder outside the source tree (dependencies from the npm
 * registry or its cache, nothing else copied), scaffold with `npx spiremesh init`, then
 * synthesize and check there, as a team adding spiremesh to its GitOps repository would.
 *
 * Two scaffolds in one install: the YAML inventory at the top (`npx spiremesh init --inventory`,
 * `npx spiremesh synth|check --inventory mesh.yaml`) and the TypeScript app in a folder of the
 * repository (`npx spiremesh init app`, then its package.json scripts, which load main.ts through
 * `spiremesh/register` and `import ... from 'spiremesh'`).
 *
 * Slow by nature (install resolves ~100 packages): one file, run by `npm test`. It packs the build `npm ci`
 * made (`prepare`), rebuilt first when a source is newer. Every step must succeed; nothing is skipped when a tool or file is missing.
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listFiles, staleBuildInputs } from '../support/fresh-build';

const REPO = path.resolve(__dirname, '../..');
const STEP_TIMEOUT = 180_000;

/** The environment of a user's shell: no npm lifecycle variables of the `npm test` that runs jest, no CDK8S_OUTDIR. */
function userEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !keep.has(k.toLowerCase())) continue;
    if (['INIT_CWD', 'NODE_PATH', 'NODE_OPTIONS', 'CDK8S_OUTDIR', 'TS_NODE_PROJECT'].includes(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    CDK8S_CHECK_UPGRADE: 'false',
    NO_UPDATE_NOTIFIER: '1',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: userEnv(), encoding: 'utf8', timeout: STEP_TIMEOUT, maxBuffer: 64 * 1024 * 1024 });
}

/** Runs a step and fails with its output unless it exits with `status`. */
function step(cmd: string, args: string[], cwd: string, status = 0): SpawnSyncReturns<string> {
  const r = run(cmd, args, cwd);
  if (r.status !== status) {
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` in ${cwd} exited ${r.status ?? r.signal} (expected ${status})${r.error ? `: ${r.error.message}` : ''}\n` +
        `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
    );
  }
  return r;
}

describe('npm pack, install into a fresh folder, init, synth, check', () => {
  let work: string;
  let project: string;
  let tarball: string;
  let packed: string[];

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-package-'));
    project = path.join(work, 'gitops');
    fs.mkdirSync(project);
    // `npm ci` built the package (`prepare`); pack that build (jest's globalSetup rebuilt it if a source was newer).
    expect(staleBuildInputs()).toEqual([]);
    const pack = step('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO);
    const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')));
    tarball = path.join(work, info.filename);
    packed = info.files.map((f: { path: string }) => f.path).sort();
    fs.writeFileSync(path.join(project, 'package.json'), `${JSON.stringify({ name: 'gitops', private: true }, null, 2)}\n`);
    step('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], project);
  }, STEP_TIMEOUT);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the compiled library, its declarations, the CLI and the runtime schemas, and no sources or tests', () => {
    for (const f of [
      'package.json',
      'README.md',
      'build/package.json',
      'build/lib/index.js',
      'build/lib/index.d.ts',
      'build/lib/cli/register.js',
      'build/lib/cli/init.js',
      'build/bin/spiremesh.js',
      'build/imports/istio-networking.istio.io.js',
      'build/imports/istio-networking.istio.io.d.ts',
      'build/imports/schemas/kubernetes-1.30.json',
      'build/imports/schemas/validators/kind-apps_v1-Deployment.js',
      'schemas/spiremesh-inventory.schema.json',
    ])
      expect(packed).toContain(f);
    expect(packed.some((f) => f.startsWith('build/imports/schemas/crds/') && f.endsWith('.json'))).toBe(true);
    const stray = packed.filter(
      (f) => !f.startsWith('build/') && !f.startsWith('schemas/') && !['package.json', 'README.md', 'LICENSE'].includes(f),
    );
    expect(stray).toEqual([]);
    expect(packed.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(packed.filter((f) => /(^|\/)(test|dist|examples|node_modules)\//.test(f))).toEqual([]);
  });

  test('the installed package resolves inside the fresh folder, from its compiled JavaScript', () => {
    expect(path.relative(REPO, work).startsWith('..')).toBe(true);
    const installed = path.join(project, 'node_modules', 'spiremesh');
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    const r = step(
      'node',
      [
        '-p',
        "const s = require('spiremesh'); [require.resolve('spiremesh'), 'SpireMesh' in s, s.SchemaRegistry.default().isPrecompiled('apps/v1', 'Deployment')].join('\\n')",
      ],
      project,
    );
    // The precompiled schema validators ship in the package: an installed synth compiles no schema.
    expect(r.stdout.trim().split('\n')).toEqual([path.join(fs.realpathSync(installed), 'build/lib/index.js'), 'true', 'true']);
    const pkg = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(pkg.private).toBeUndefined();
    expect(fs.statSync(path.join(project, 'node_modules', '.bin', 'spiremesh')).mode & 0o111).not.toBe(0);
  });

  test('npx spiremesh init --inventory scaffolds the repository around the existing package.json', () => {
    const r = step('npx', ['--no', 'spiremesh', 'init', '--inventory'], project);
    expect(r.stdout).toMatch(/init: scaffolded a YAML inventory mesh in \./);
    for (const f of ['cdk8s.yaml', 'mesh.yaml', 'package.json', '.gitignore', '.github/workflows/spiremesh.yaml'])
      expect(fs.existsSync(path.join(project, f))).toBe(true);
    // Editors validate the inventory against the JSON Schema the installed package ships.
    const schemaLine = fs.readFileSync(path.join(project, 'mesh.yaml'), 'utf8').split('\n')[0];
    expect(schemaLine).toBe('# yaml-language-server: $schema=./node_modules/spiremesh/schemas/spiremesh-inventory.schema.json');
    expect(
      JSON.parse(fs.readFileSync(path.join(project, 'node_modules/spiremesh/schemas/spiremesh-inventory.schema.json'), 'utf8')).$schema,
    ).toMatch(/json-schema/);
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies.spiremesh).toMatch(/spiremesh-.*\.tgz$/); // what npm install wrote stays
    expect(pkg.scripts).toEqual({ synth: 'spiremesh synth', check: 'spiremesh check', pki: 'spiremesh pki' });
    expect(fs.readFileSync(path.join(project, 'cdk8s.yaml'), 'utf8')).toContain('app: npx spiremesh synth --inventory mesh.yaml\n');
    expect(fs.readFileSync(path.join(project, '.github/workflows/spiremesh.yaml'), 'utf8')).toContain(
      '- run: npx spiremesh synth --check\n',
    );
  });

  test('a second init refuses, names the files and writes nothing', () => {
    const before = new Map(
      listFiles(project)
        .filter((f) => !f.startsWith('node_modules/'))
        .map((f) => [f, fs.readFileSync(path.join(project, f), 'utf8')]),
    );
    const r = step('npx', ['--no', 'spiremesh', 'init', '--inventory'], project, 1);
    expect(r.stderr).toMatch(/refusing to overwrite 3 files that exist/);
    for (const f of ['cdk8s.yaml', 'mesh.yaml', '.github/workflows/spiremesh.yaml']) expect(r.stderr).toContain(`  ${f}\n`);
    const after = new Map(
      listFiles(project)
        .filter((f) => !f.startsWith('node_modules/'))
        .map((f) => [f, fs.readFileSync(path.join(project, f), 'utf8')]),
    );
    expect(after).toEqual(before);
  });

  test('npx spiremesh synth --inventory mesh.yaml writes dist/<cluster>/, and synth --check then finds it up to date', () => {
    step('npx', ['--no', 'spiremesh', 'synth', '--inventory', 'mesh.yaml'], project);
    for (const cluster of ['cluster1', 'cluster2']) {
      const files = listFiles(path.join(project, 'dist', cluster));
      expect(files).toEqual(expect.arrayContaining(['kustomization.yaml', 'spiremesh-index.yaml']));
      expect(files.filter((f) => f.endsWith('.yaml')).length).toBeGreaterThan(5);
      const index = fs.readFileSync(path.join(project, 'dist', cluster, 'spiremesh-index.yaml'), 'utf8');
      expect(index).toContain(`name: spiremesh`);
    }
    expect(fs.existsSync(path.join(project, 'dist', 'README.md'))).toBe(true);
    expect(fs.existsSync(path.join(project, 'dist', '_fleet'))).toBe(true);
    // The installed package records what it rendered from: the check (a pull request's CI) reuses it.
    expect(fs.existsSync(path.join(project, 'dist', 'spiremesh-synth.json'))).toBe(true);
    const check = step('npx', ['--no', 'spiremesh', 'synth', '--inventory', 'mesh.yaml', '--check'], project);
    expect(check.stdout).toContain('reused: the inputs and every file are as the last synth left them');
  });

  test('npx spiremesh check passes (the inventory found through cdk8s.yaml)', () => {
    const r = step('npx', ['--no', 'spiremesh', 'check'], project);
    expect(r.stdout).toMatch(/all checks passed/);
  });

  test('the .gitignore keeps the CA keys and Secret manifests out of git, and the output in', () => {
    const ignore = fs.readFileSync(path.join(project, '.gitignore'), 'utf8').split('\n');
    expect(ignore).toEqual(
      expect.arrayContaining(['.spiremesh/keys/', '.spiremesh/secrets/', '.spiremesh-tmp-*', '.spiremesh-lock', '.spiremesh-lock-owner']),
    );
    step('git', ['init', '-q'], project);
    const keys = listFiles(path.join(project, '.spiremesh', 'keys')).map((f) => `.spiremesh/keys/${f}`);
    const secrets = listFiles(path.join(project, '.spiremesh', 'secrets')).map((f) => `.spiremesh/secrets/${f}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(secrets.length).toBeGreaterThan(0); // the default kubectl CA delivery writes the Secret manifests there
    const ignored = step(
      'git',
      ['check-ignore', '--no-index', ...keys, ...secrets, 'dist/.spiremesh-lock', 'dist/.spiremesh-tmp-staging-1'],
      project,
    );
    expect(ignored.stdout.trim().split('\n').length).toBe(keys.length + secrets.length + 2);
    // Committed: the rendered output and the public certificates.
    const kept = run(
      'git',
      ['check-ignore', '--no-index', 'dist/cluster1/kustomization.yaml', 'pki', 'mesh.yaml', 'package.json'],
      project,
    );
    expect(kept.status).toBe(1); // none of them is ignored
  });

  test('npx spiremesh init app scaffolds a TypeScript app in a folder of the repository; its scripts synthesize and check it', () => {
    const r = step('npx', ['--no', 'spiremesh', 'init', 'app'], project);
    expect(r.stdout).toMatch(/init: scaffolded a TypeScript mesh in app/);
    const app = path.join(project, 'app');
    expect(fs.readFileSync(path.join(app, 'main.ts'), 'utf8')).toMatch(/from 'spiremesh';/);
    // The workflow belongs at the top of the repository (the only place GitHub runs workflows from), run in app/.
    const workflow = fs.readFileSync(path.join(project, '.github/workflows/spiremesh-app.yaml'), 'utf8');
    expect(workflow).toContain('working-directory: app\n');
    expect(workflow).toContain('- run: npx spiremesh synth --check\n');
    step('npm', ['run', 'synth'], app);
    expect(listFiles(path.join(app, 'dist'))).toEqual(
      expect.arrayContaining(['cluster1/kustomization.yaml', 'cluster2/kustomization.yaml']),
    );
    // The app's main.ts, loaded through spiremesh/register, is part of what the record names: reused unchanged.
    expect(step('npm', ['run', 'synth', '--', '--check'], app).stdout).toContain('reused:');
    fs.appendFileSync(path.join(app, 'main.ts'), '// edited\n');
    expect(step('npm', ['run', 'synth', '--', '--check'], app).stdout).not.toContain('reused:');
    const check = step('npm', ['run', 'check'], app);
    expect(check.stdout).toMatch(/all checks passed/);
  });
});
