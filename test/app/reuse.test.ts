/**
 * Reuse of an unchanged output folder (lib/app/reuse.ts): whole processes of the compiled package (build/, the code a
 * user installs; only a build has a code digest), each an app in a scratch project outside this repository. The
 * reused result must be the one a full synth gives, nothing may be written, and any change of the inputs or of a
 * file must render in full.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { CaDelivery, IstioLicense, SpireMesh, synthesize } from '../../lib';
import { SYNTH_RECORD_FILE } from '../../lib/app/reuse';
import { REPO } from '../support/fresh-build';

/** The app: three clusters, all-to-all, CA keys in the project (external-secrets delivery), a fleet bootstrap. */
const APP = `// A spiremesh app as a team writes it, against the compiled package.
const { App } = require(${JSON.stringify(path.join(REPO, 'node_modules', 'cdk8s'))});
const lib = require(${JSON.stringify(path.join(REPO, 'build', 'lib'))});
const [outdir, json] = process.argv.slice(2);
const opts = JSON.parse(json || '{}');
const app = new App();
new lib.SpireMesh(app, 'mesh', {
  name: 'reuse',
  istio: { license: lib.IstioLicense.fromSecret('solo-istio-license', 'istio-system') },
  pki: { delivery: lib.CaDelivery.externalSecrets({ clusterSecretStore: 'mesh-ca' }) },
  clusters: ['east', 'west', 'north'].map((name, i) => ({ name, trustDomain: 'mesh.example.com', eastWestAddress: \`192.0.2.\${(opts.address ?? 10) + i}\` })),
  gitops: { repository: 'https://git.example.com/platform/mesh.git' },
});
try {
  const r = lib.synthesize(app, { outdir, reuse: opts.reuse, check: opts.check, now: opts.now ? new Date(opts.now) : undefined });
  const { plannedWrites, outdir: _, ...rest } = r;
  process.stdout.write(JSON.stringify({ ...rest, planned: plannedWrites.size }));
} catch (e) {
  process.stderr.write(String(e.message));
  process.exitCode = 1;
}
`;

interface Run {
  readonly reused: boolean;
  readonly upToDate: boolean;
  readonly planned: number;
  readonly clusters: unknown[];
  readonly warnings: string[];
  readonly prerequisites: unknown[];
  readonly checkFindings: unknown[];
  readonly directories: unknown[];
}

const made: string[] = [];
afterAll(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A scratch project holding the app (its own folder: outside any git work tree). */
function project(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-reuse-')));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  fs.writeFileSync(path.join(dir, 'mesh.js'), APP);
  return dir;
}

const ENV = { ...process.env, GIT_CEILING_DIRECTORIES: fs.realpathSync(os.tmpdir()) };

function spawnApp(dir: string, opts: Record<string, unknown> = {}) {
  return spawnSync(process.execPath, ['mesh.js', path.join(dir, 'dist'), JSON.stringify(opts)], { cwd: dir, env: ENV, encoding: 'utf8' });
}

function synth(dir: string, opts: Record<string, unknown> = {}): Run {
  const r = spawnApp(dir, opts);
  if (r.status !== 0) throw new Error(`the app exited ${r.status ?? r.signal}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

/** Every entry under `dir` with what a write changes: inode, size, mtime. */
function stamps(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out[path.relative(dir, p)] = `${st.ino} ${st.size} ${st.mtimeMs}`;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** What a synth reports, without its own mode (reused or rendered). */
function report(r: Run) {
  const { reused: _, ...rest } = r;
  return rest;
}

describe('an unchanged output folder is reused', () => {
  let dir: string;
  let first: Run;
  beforeAll(() => {
    dir = project();
    first = synth(dir);
  });

  test('the first synth renders, generates the PKI and records its inputs', () => {
    expect(first.reused).toBe(false);
    expect(first.upToDate).toBe(false);
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'dist', SYNTH_RECORD_FILE), 'utf8'));
    expect(record.inputs).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.directories.map((d: { mesh: string; cluster: string }) => `${d.mesh}/${d.cluster}`)).toEqual(
      ['east', 'west', 'north', '_fleet'].map((d) => `reuse/${d}`),
    );
    // One line per directory; a prerequisite the three clusters share is written once.
    const text = fs.readFileSync(path.join(dir, 'dist', SYNTH_RECORD_FILE), 'utf8');
    expect(text.split('\n').filter((l) => /^ {4}{"mesh":"reuse","cluster":"[^"]+","index":/.test(l))).toHaveLength(4);
    expect(record.prerequisites.length).toBeLessThan(first.prerequisites.flatMap((c: any) => c.prerequisites).length);
    // The quiet period ends 31 days before the first certificate expires (the synth warns from 30 days before).
    expect(Date.parse(record.validUntil)).toBeGreaterThan(Date.now());
  });

  test('a second synth renders nothing, writes nothing, and reports what a full synth reports', () => {
    const before = stamps(dir);
    const again = synth(dir);
    expect(again.reused).toBe(true);
    expect(again.upToDate).toBe(true);
    expect(again.planned).toBe(0);
    expect(stamps(dir)).toEqual(before);
    const full = synth(dir, { reuse: false });
    expect(full.reused).toBe(false);
    expect(full.upToDate).toBe(true);
    expect(report(again)).toEqual(report(full));
    expect(again.prerequisites.length).toBeGreaterThan(0);
    // The full synth writes no file either (it takes the folder's lock: a directory entry made and removed).
    const files = (s: Record<string, string>) => Object.entries(s).filter(([p]) => fs.lstatSync(path.join(dir, p)).isFile());
    expect(files(stamps(dir))).toEqual(files(before));
  });

  test('a check reuses it too', () => {
    const check = synth(dir, { check: true });
    expect(check).toMatchObject({ reused: true, upToDate: true });
  });

  test('the same app and files in another folder (another machine, another checkout) reuse it', () => {
    const copy = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-reuse-copy-')));
    made.push(copy);
    fs.cpSync(dir, copy, { recursive: true });
    expect(synth(copy).reused).toBe(true);
  });

  test('near the first certificate expiry it renders in full (the expiry warnings name the day)', () => {
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'dist', SYNTH_RECORD_FILE), 'utf8'));
    const until = Date.parse(record.validUntil);
    expect(synth(dir, { check: true, now: new Date(until - 1000).toISOString() }).reused).toBe(true);
    expect(synth(dir, { check: true, now: new Date(until).toISOString() }).reused).toBe(false);
  });
});

describe('whatever changed, the synth renders in full', () => {
  // One project synthesized once; each test changes a copy of it (a copy is reused as it is: see above).
  let template: string;
  let dir: string;
  beforeAll(() => {
    template = project();
    synth(template);
  });
  beforeEach(() => {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-reuse-case-')));
    made.push(dir);
    fs.cpSync(template, dir, { recursive: true });
  });

  test('a file edited by hand is rendered again', () => {
    const file = path.join(dir, 'dist', 'east', 'kustomization.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, `${text}# edited\n`);
    const r = synth(dir);
    expect(r).toMatchObject({ reused: false, upToDate: false });
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(synth(dir).reused).toBe(true);
  });

  test('a foreign file in a cluster directory: rendered in full, which warns about it', () => {
    fs.writeFileSync(path.join(dir, 'dist', 'west', 'notes.txt'), 'mine\n');
    const r = synth(dir);
    expect(r.reused).toBe(false);
    expect(r.warnings.join('\n')).toContain('notes.txt was not written by spiremesh; left alone');
    expect(synth(dir).reused).toBe(false);
  });

  test('a directory of the mesh that the record does not list (a synth prunes it)', () => {
    fs.cpSync(path.join(dir, 'dist', 'north'), path.join(dir, 'dist', 'south'), { recursive: true });
    const r = synth(dir);
    expect(r.reused).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist', 'south'))).toBe(false);
  });

  test('a cluster directory deleted, and the record edited to leave it out', () => {
    fs.rmSync(path.join(dir, 'dist', 'north'), { recursive: true });
    const file = path.join(dir, 'dist', SYNTH_RECORD_FILE);
    const record = JSON.parse(fs.readFileSync(file, 'utf8'));
    record.directories = record.directories.filter((d: { cluster: string }) => d.cluster !== 'north');
    fs.writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    expect(synth(dir)).toMatchObject({ reused: false, upToDate: false });
    expect(fs.existsSync(path.join(dir, 'dist', 'north', 'kustomization.yaml'))).toBe(true);
  });

  test('the review page edited', () => {
    fs.appendFileSync(path.join(dir, 'dist', 'README.md'), '\nmore\n');
    expect(synth(dir)).toMatchObject({ reused: false, upToDate: false });
  });

  test('a link in place of a file is refused by the full synth, never read through', () => {
    const file = path.join(dir, 'dist', 'north', 'kustomization.yaml');
    const target = path.join(dir, 'elsewhere.yaml');
    fs.renameSync(file, target);
    fs.symlinkSync(target, file);
    const r = spawnApp(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('symbolic link');
  });

  test('a change of the spec', () => {
    const r = synth(dir, { address: 20 });
    expect(r).toMatchObject({ reused: false, upToDate: false });
    expect(synth(dir, { address: 20 }).reused).toBe(true);
  });

  test("a change of the app's code, even one that changes no object: rendered, the record rewritten", () => {
    const record = fs.readFileSync(path.join(dir, 'dist', SYNTH_RECORD_FILE), 'utf8');
    fs.appendFileSync(path.join(dir, 'mesh.js'), '// a comment\n');
    const r = synth(dir);
    expect(r).toMatchObject({ reused: false, upToDate: true });
    expect(fs.readFileSync(path.join(dir, 'dist', SYNTH_RECORD_FILE), 'utf8')).not.toBe(record);
    expect(synth(dir).reused).toBe(true);
  });

  test('a key that does not match its certificate is refused as a full synth refuses it', () => {
    const keys = path.join(dir, '.spiremesh', 'keys', 'reuse');
    const east = path.join(keys, 'east', 'istio-intermediate.key');
    const west = path.join(keys, 'west', 'istio-intermediate.key');
    const eastKey = fs.readFileSync(east);
    fs.writeFileSync(east, fs.readFileSync(west));
    fs.writeFileSync(west, eastKey);
    const reused = spawnApp(dir);
    const full = spawnApp(dir, { reuse: false });
    expect(reused.status).toBe(1);
    expect(reused.stderr).toMatch(/east/);
    expect(reused.stderr).toBe(full.stderr);
  });

  test('a certificate replaced', () => {
    // The mesh root generated again: every intermediate with it (the whole PKI folder is the team's to rotate).
    fs.rmSync(path.join(dir, '.spiremesh'), { recursive: true, force: true });
    fs.rmSync(path.join(dir, 'pki'), { recursive: true, force: true });
    expect(synth(dir)).toMatchObject({ reused: false, upToDate: false });
  });

  test('reuse: false, and an interrupted write left behind', () => {
    expect(synth(dir, { reuse: false }).reused).toBe(false);
    fs.mkdirSync(path.join(dir, 'dist', '.spiremesh-tmp-staging-1'));
    expect(synth(dir).reused).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist', '.spiremesh-tmp-staging-1'))).toBe(false);
  });

  test("a hand-written file in the record's place is never overwritten", () => {
    const file = path.join(dir, 'dist', SYNTH_RECORD_FILE);
    fs.writeFileSync(file, '{ "mine": true }\n');
    const r = spawnApp(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('not written by spiremesh');
    expect(fs.readFileSync(file, 'utf8')).toBe('{ "mine": true }\n');
  });
});

describe('what records nothing', () => {
  test('a synth run from the TypeScript sources (this test): its code has no build digest', () => {
    const dir = project();
    const app = new App();
    new SpireMesh(app, 'mesh', {
      name: 'sources',
      istio: { license: IstioLicense.fromSecret('solo-istio-license', 'istio-system') },
      pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root' }) },
      clusters: [{ name: 'one', trustDomain: 'mesh.example.com' }],
    });
    const r = synthesize(app, { outdir: path.join(dir, 'dist'), baseDir: dir });
    expect(r.reused).toBe(false);
    expect(fs.existsSync(path.join(dir, 'dist', 'one', 'spiremesh-index.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'dist', SYNTH_RECORD_FILE))).toBe(false);
  });
});

describe('kubectl CA delivery', () => {
  test('reused like the others; a Secret manifest deleted from its git-ignored folder is written again', () => {
    const dir = project();
    fs.writeFileSync(
      path.join(dir, 'mesh.js'),
      APP.replace("lib.CaDelivery.externalSecrets({ clusterSecretStore: 'mesh-ca' })", 'lib.CaDelivery.kubectl()'),
    );
    expect(synth(dir).reused).toBe(false);
    const secrets = path.join(dir, '.spiremesh', 'secrets', 'reuse', 'east');
    const manifests = fs.readdirSync(secrets).sort();
    expect(manifests.length).toBe(2);
    const file = path.join(secrets, manifests[0]);
    const text = fs.readFileSync(file, 'utf8');
    fs.rmSync(file);
    expect(synth(dir, { check: true }).reused).toBe(true);
    expect(fs.existsSync(file)).toBe(false); // a check writes nothing
    expect(synth(dir).reused).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});

describe('the spiremesh CLI', () => {
  const bin = path.join(REPO, 'build', 'bin', 'spiremesh.js');
  const inventory = [
    'name: inventory',
    'istio:',
    '  license: { secretName: solo-istio-license, secretNamespace: istio-system }',
    'pki:',
    '  delivery: { mode: cert-manager, issuerName: mesh-root }',
    'clusters:',
    '  - { name: a, trustDomain: mesh.example.com, eastWestAddress: 192.0.2.1 }',
    '  - { name: b, trustDomain: mesh.example.com, eastWestAddress: 192.0.2.2 }',
    '',
  ].join('\n');
  const cli = (dir: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`spiremesh ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  test('synth --inventory reuses the second time and says so; --no-reuse renders', () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), inventory);
    expect(cli(dir, 'synth', '--inventory', 'mesh.yaml')).not.toContain('reused:');
    const before = stamps(path.join(dir, 'dist'));
    expect(cli(dir, 'synth', '--inventory', 'mesh.yaml')).toContain('reused: the inputs and every file are as the last synth left them');
    expect(cli(dir, 'synth', '--inventory', 'mesh.yaml', '--check')).toContain('reused:');
    expect(cli(dir, 'synth', '--inventory', 'mesh.yaml', '--no-reuse')).not.toContain('reused:');
    expect(stamps(path.join(dir, 'dist'))).toEqual(before);
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), inventory.replace('192.0.2.2', '192.0.2.3'));
    expect(cli(dir, 'synth', '--inventory', 'mesh.yaml')).not.toContain('reused:');
  });
});
