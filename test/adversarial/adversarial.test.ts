/**
 * Adversarial user cases, end to end through the user's entry points (the CLI in-process, the
 * real inventory CLI bin/spiremesh.ts in a child process, synthesize() with a faulty disk), in
 * scratch sandboxes full of files spiremesh does not own. Every case fingerprints the whole
 * sandbox (the project and a folder outside it) before and after: a case may change only what
 * spiremesh owns (nothing at all when it fails), and every failure must be one clear message.
 * The table of all cases and the three figures are printed at the end.
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { CaDelivery, ChartDelivery, IstioDistribution, IstioLicense, SpireMesh, SpireMeshProps, synthesize } from '../../lib';
import { describeError } from '../../lib/cli/main';
import { HookedOutputFs, NODE_OUTPUT_FS, OutputFsHook, SimulatedKill, failWith } from '../../lib/gitops/output-fs';
import { INDEX_FILE, JOURNAL_FILE } from '../../lib/gitops/output-names';
import { runCommand } from '../run-cli';
import type { DriverJob, DriverResult } from './cli-driver';
import {
  Fingerprint,
  NOTHING,
  Owned,
  Sandbox,
  changedPaths,
  copySandbox,
  fingerprint,
  inDir,
  makeSandbox,
  only,
  ownedBySynth,
  removeSandboxes,
} from './sandbox';

const REPO = path.join(__dirname, '..', '..');
/** Runs a TypeScript file without type-checking (`npm test` type-checks first): the checkout's cached loader. */
const REGISTER = path.join(REPO, 'scripts', 'register.cjs');
const BIN = path.join(REPO, 'bin', 'spiremesh.ts');
const DRIVER = path.join(__dirname, 'cli-driver.ts');

/** The project inside a sandbox, as fingerprints name it. */
const PROJECT = 'project';
const SYNTH_OWNS = ownedBySynth(PROJECT, ['east']);

// ------------------------------------------------------------------------------------------------
// The cases' record

type Kind = 'error' | 'success';
type Via = 'cli' | 'bin (driver)' | 'bin (process)' | 'synthesize()';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface CaseRecord {
  readonly name: string;
  readonly kind: Kind;
  readonly via: Via;
  /** Error cases: every property of a clear error holds. */
  readonly clearError: boolean;
  /** Sandbox paths the case changed that it does not own. */
  readonly outside: readonly string[];
  /** A case spiremesh does not defend (run as test.failing, outside the figures): what happens. */
  readonly undefended?: string;
}

const records: CaseRecord[] = [];

type Fragment = string | RegExp;
const has = (text: string, f: Fragment) => (typeof f === 'string' ? text.includes(f) : f.test(text));

/** Why `outcome` is not a clear error (none when it is one). */
function unclearness(outcome: Outcome, where: Fragment, fragment: Fragment): string[] {
  const { code, stderr } = outcome;
  const problems: string[] = [];
  if (code !== 1 && code !== 2) problems.push(`exit code ${code}, not 1 (findings) or 2 (a usage error)`);
  if (!stderr.startsWith('spiremesh: ')) problems.push(`stderr does not start with 'spiremesh: ': ${JSON.stringify(stderr.slice(0, 200))}`);
  if (stderr.startsWith('spiremesh: unexpected error')) problems.push('reported as an unexpected error (a bug), not a user error');
  if (/^\s+at /m.test(stderr)) problems.push('stderr holds a stack-trace line');
  if (stderr.includes('PRIVATE KEY')) problems.push('stderr holds a private key');
  if (Buffer.byteLength(stderr) >= 10 * 1024) problems.push(`stderr is ${Buffer.byteLength(stderr)} bytes (10 KB or more)`);
  if (!has(stderr, where)) problems.push(`stderr does not name where (${String(where)})`);
  if (!has(stderr, fragment)) problems.push(`stderr lacks ${String(fragment)}`);
  return problems;
}

interface Started {
  readonly box: Sandbox;
  readonly before: Fingerprint;
}

interface CaseDef {
  readonly name: string;
  readonly via: Via;
  /** Builds the sandbox the case runs in (fingerprinted right after). */
  readonly setup: () => Sandbox;
  readonly run: (box: Sandbox) => Outcome;
  /** Error cases: where the message must point, and what it must say. */
  readonly error?: { readonly where: Fragment | ((box: Sandbox) => Fragment); readonly says: Fragment | ((box: Sandbox) => Fragment) };
  /** Success cases: what the case may change. */
  readonly owns?: Owned;
  /** Further expectations. */
  readonly verify?: (box: Sandbox, outcome: Outcome, touched: readonly string[]) => void;
  /**
   * Set for a case spiremesh does not defend: what happens instead. The case runs as
   * `test.failing` (its expectations fail today; once lib defends it, the test fails: make it a
   * normal case) and is listed apart from the figures.
   */
  readonly undefended?: string;
}

function start(def: CaseDef): Started {
  const box = def.setup();
  return { box, before: fingerprint(box.root) };
}

function finish(def: CaseDef, started: Started, outcome: Outcome): void {
  const { box, before } = started;
  const touched = changedPaths(before, fingerprint(box.root));
  const kind: Kind = def.error ? 'error' : 'success';
  const owns = def.error ? NOTHING : (def.owns ?? NOTHING);
  const outside = touched.filter((p) => !owns(p));
  const pick = (f: Fragment | ((b: Sandbox) => Fragment)) => (typeof f === 'function' ? f(box) : f);
  const problems = def.error ? unclearness(outcome, pick(def.error.where), pick(def.error.says)) : [];
  records.push({
    name: def.name,
    kind,
    via: def.via,
    clearError: def.error ? problems.length === 0 : false,
    outside,
    undefended: def.undefended,
  });
  expect({ outside }).toEqual({ outside: [] });
  if (def.error)
    expect({ problems, stderr: outcome.stderr.slice(0, 4000) }).toEqual({ problems: [], stderr: outcome.stderr.slice(0, 4000) });
  else expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
  def.verify?.(box, outcome, touched);
}

/** A case run synchronously (in-process CLI or synthesize). */
function adversarialCase(def: CaseDef): void {
  (def.undefended ? test.failing : test)(`${def.name} [${def.error ? 'error' : 'success'}]`, () => {
    const started = start(def);
    finish(def, started, def.run(started.box));
  });
}

// ------------------------------------------------------------------------------------------------
// Meshes and sandboxes

const LICENSE = IstioLicense.fromSecret('solo-istio-license', 'istio-system');

/** A one-cluster Solo mesh with external-secrets CA delivery (keys stay in .spiremesh/keys). */
function meshProps(over: Partial<SpireMeshProps> = {}): SpireMeshProps {
  return {
    name: 'adv',
    istio: { distribution: IstioDistribution.SOLO, version: '1.29.1', license: LICENSE },
    clusters: [{ name: 'east', eastWestAddress: '192.0.2.10' }],
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) },
    chartDelivery: ChartDelivery.argoCd(),
    ...over,
  };
}

const declareMesh =
  (over: Partial<SpireMeshProps> = {}) =>
  (app: App): void =>
    void new SpireMesh(app, 'mesh', meshProps(over));

/** The CLI in-process, run from the sandbox's project folder (its relative PKI folders belong there). */
function cli(box: Sandbox, argv: string[], over: Partial<SpireMeshProps> = {}): Outcome {
  return inDir(box.project, () => runCommand(declareMesh(over), argv));
}

const FOREIGN: Record<string, string> = {
  'project/package.json': '{ "private": true }\n',
  'project/README.md': '# my project\n\nnot spiremesh\n',
  'project/notes/todo.txt': 'foreign, beside dist/\n',
  'project/dist/NOTES.md': 'foreign, inside dist/ next to the cluster folders\n',
  'outside/precious.txt': 'outside the project\n',
};

/** A sandbox with the foreign files: a package.json and README, a notes folder, dist/NOTES.md, a link to the outside folder. */
function foreignSandbox(): Sandbox {
  const box = makeSandbox();
  for (const [rel, text] of Object.entries(FOREIGN)) {
    fs.mkdirSync(path.dirname(path.join(box.root, rel)), { recursive: true });
    fs.writeFileSync(path.join(box.root, rel), text);
  }
  // Relative, so that it still points at the copy's outside folder in a copied sandbox.
  fs.symlinkSync('../../outside/precious.txt', path.join(box.project, 'notes', 'link-to-outside.txt'));
  return box;
}

/** Templates, made once: a project whose PKI exists, and one synthesized into dist/east (plus a hand-written file there). */
let withPki: Sandbox;
let synthesized: Sandbox;
const HANDWRITTEN = 'dist/east/HANDWRITTEN.md';

function expectOk(outcome: Outcome): void {
  expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
}

// ------------------------------------------------------------------------------------------------
// Inventory cases through bin/spiremesh.ts: prepared and started in beforeAll (one driver process
// for most, a separate process each for a few), so the child processes run while the in-process
// cases do.

const INVENTORY = [
  'name: inv',
  'istio:',
  '  license:',
  '    secretName: solo-istio-license',
  '    secretNamespace: istio-system',
  'clusters:',
  '  - name: east',
  '    eastWestAddress: 192.0.2.10',
  'pki:',
  '  delivery:',
  '    mode: external-secrets',
  '    clusterSecretStore: vault',
  '',
].join('\n');

interface InventoryCase extends Omit<CaseDef, 'setup' | 'run'> {
  /** The inventory file's bytes. */
  readonly inventory: string | Buffer;
  /** Arguments after the command, `--inventory mesh.yaml` is added (run from the project folder). */
  readonly argv: readonly string[];
  /** Extra setup of the sandbox. */
  readonly prepare?: (box: Sandbox) => void;
}

const withLine = (text: string, n: number): Fragment => new RegExp(`mesh\\.yaml:${n}:\\d+ ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

const inventoryCases: InventoryCase[] = [
  {
    name: 'inventory: duplicate YAML keys',
    via: 'bin (process)',
    inventory: 'name: m\nclusters:\n  - name: a\n    name: b\n',
    argv: ['synth'],
    error: { where: 'line 4, column 5', says: 'Map keys must be unique' },
  },
  {
    name: 'inventory: YAML alias bomb',
    via: 'bin (driver)',
    inventory: [
      'name: m',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'clusters: [{ name: a }]',
      '',
    ].join('\n'),
    argv: ['synth'],
    error: { where: 'mesh.yaml', says: 'Excessive alias count' },
  },
  {
    name: 'inventory: invalid UTF-8 bytes',
    via: 'bin (process)',
    inventory: Buffer.concat([Buffer.from('name: m\nclusters:\n  - name: c'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]),
    argv: ['synth'],
    error: { where: 'mesh.yaml', says: 'not valid UTF-8' },
  },
  {
    name: 'inventory: a 5 MB field value',
    via: 'bin (driver)',
    inventory: INVENTORY.replace('  - name: east', `  - name: ${'x'.repeat(5_000_000)}`),
    argv: ['synth'],
    error: { where: withLine('clusters[0].name', 7), says: '(5000000 characters)' },
  },
  {
    name: 'inventory: Istio version 1.29.99',
    via: 'bin (driver)',
    inventory: INVENTORY.replace('istio:\n', 'istio:\n  version: 1.29.99\n'),
    argv: ['synth'],
    error: { where: withLine('istio.version', 3), says: '1.29.99' },
  },
  {
    name: 'inventory: SPIRE version 7.7.7',
    via: 'bin (driver)',
    inventory: `${INVENTORY}spire:\n  version: 7.7.7\n`,
    argv: ['synth'],
    error: { where: withLine('spire.version', 14), says: '7.7.7' },
  },
  {
    name: 'inventory: SPIRE chart 9.9.9',
    via: 'bin (driver)',
    inventory: `${INVENTORY}spire:\n  chartVersion: 9.9.9\n`,
    argv: ['synth'],
    error: { where: withLine('spire.chartVersion', 14), says: '9.9.9' },
  },
  {
    name: 'inventory: istio version 1.29.1-solo',
    via: 'bin (driver)',
    inventory: INVENTORY.replace('istio:\n', 'istio:\n  version: 1.29.1-solo\n'),
    argv: ['synth'],
    error: { where: withLine('istio.version', 3), says: "carries the '-solo' suffix" },
  },
  ...['999.1.1.1', '1.2.3', '0.0.0.0'].map((address): InventoryCase => ({
    name: `inventory: east-west address ${address}`,
    via: 'bin (driver)',
    inventory: INVENTORY.replace('192.0.2.10', address),
    argv: ['synth'],
    error: { where: withLine('clusters[0].eastWestAddress', 8), says: `east-west address '${address}'` },
  })),
  {
    name: 'inventory: --out naming a file',
    via: 'bin (driver)',
    inventory: INVENTORY,
    argv: ['synth', '--out', 'notes/todo.txt'],
    error: { where: "--out 'notes/todo.txt'", says: 'is a file; it must name a folder' },
  },
  {
    name: 'inventory: --out= (empty)',
    via: 'bin (driver)',
    inventory: INVENTORY,
    argv: ['synth', '--out='],
    error: { where: '--out', says: 'needs a value, not an empty one' },
  },
  {
    name: 'inventory: pki rotate --cluster naming an unknown cluster',
    via: 'bin (driver)',
    inventory: INVENTORY,
    argv: ['pki', 'rotate', '--cluster', 'north'],
    error: { where: "'north'", says: 'use one of east' },
  },
  {
    name: 'inventory: an unknown flag',
    via: 'bin (process)',
    inventory: INVENTORY,
    argv: ['synth', '--bogus'],
    error: { where: "'--bogus'", says: 'unknown flag' },
  },
];

interface Pending {
  readonly def: CaseDef;
  readonly started: Started;
  readonly outcome: Promise<Outcome>;
}
const pending = new Map<string, Pending>();

/** Runs `args` in a child process with stdout and stderr into files (a full pipe never blocks it). */
function child(args: string[], cwd: string, logDir: string, id: string): Promise<Outcome> {
  const outFile = path.join(logDir, `${id}.out`);
  const errFile = path.join(logDir, `${id}.err`);
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  const env = { ...process.env };
  delete env.CDK8S_OUTDIR;
  return new Promise<Outcome>((resolve, reject) => {
    const p = spawn(process.execPath, ['-r', REGISTER, ...args], { cwd, env, stdio: ['ignore', out, err] });
    p.on('error', reject);
    p.on('exit', (code) => {
      fs.closeSync(out);
      fs.closeSync(err);
      resolve({ code: code ?? -1, stdout: fs.readFileSync(outFile, 'utf8'), stderr: fs.readFileSync(errFile, 'utf8') });
    });
  });
}

function startInventoryCases(logDir: string): void {
  const jobs: DriverJob[] = [];
  const viaDriver: { id: string; def: CaseDef; started: Started }[] = [];
  inventoryCases.forEach((c, i) => {
    const id = `inv-${i}`;
    const def: CaseDef = {
      ...c,
      setup: () => {
        const box = foreignSandbox();
        fs.writeFileSync(path.join(box.project, 'mesh.yaml'), c.inventory);
        c.prepare?.(box);
        return box;
      },
      run: () => {
        throw new Error('started in beforeAll');
      },
    };
    const started = start(def);
    const argv = [...c.argv, '--inventory', 'mesh.yaml'];
    if (c.via === 'bin (process)') {
      pending.set(c.name, { def, started, outcome: child([BIN, ...argv], started.box.project, logDir, id) });
    } else {
      jobs.push({ id, cwd: started.box.project, argv });
      viaDriver.push({ id, def, started });
    }
  });
  const jobsFile = path.join(logDir, 'jobs.json');
  const resultsFile = path.join(logDir, 'results.json');
  fs.writeFileSync(jobsFile, JSON.stringify(jobs));
  const results = child([DRIVER, jobsFile, resultsFile], REPO, logDir, 'driver').then((driver) => {
    if (driver.code !== 0) throw new Error(`the driver failed (${driver.code}): ${driver.stderr}`);
    return new Map((JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as DriverResult[]).map((r) => [r.id, r]));
  });
  results.catch(() => undefined); // reported by each case that awaits it
  for (const { id, def, started } of viaDriver) {
    pending.set(def.name, {
      def,
      started,
      outcome: results.then((r) => {
        const result = r.get(id);
        if (!result) throw new Error(`the driver returned no result for ${id}`);
        return result;
      }),
    });
  }
}

// ------------------------------------------------------------------------------------------------

let logDir: string;
let savedOutdir: string | undefined;
let savedCeiling: string | undefined;
const suiteStart = Date.now();

beforeAll(() => {
  savedOutdir = process.env.CDK8S_OUTDIR;
  delete process.env.CDK8S_OUTDIR;
  // Git must not find a repository above the temp folder: sandboxes outside a work tree really are.
  savedCeiling = process.env.GIT_CEILING_DIRECTORIES;
  process.env.GIT_CEILING_DIRECTORIES = fs.realpathSync(os.tmpdir());
  logDir = makeSandbox('spiremesh-adversarial-logs-').root;
  startInventoryCases(logDir);

  withPki = foreignSandbox();
  expectOk(cli(withPki, ['pki', 'init']));
  synthesized = copySandbox(withPki);
  expectOk(cli(synthesized, ['--out', path.join(synthesized.project, 'dist')]));
  fs.writeFileSync(path.join(synthesized.project, HANDWRITTEN), 'hand-written, inside an owned cluster directory\n');
});

afterAll(() => {
  if (savedOutdir !== undefined) process.env.CDK8S_OUTDIR = savedOutdir;
  if (savedCeiling === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
  else process.env.GIT_CEILING_DIRECTORIES = savedCeiling;
  removeSandboxes();
  process.stdout.write(reportTable());
});

const dist = (box: Sandbox) => path.join(box.project, 'dist');
const synthArgs = (box: Sandbox) => ['--out', dist(box)];

describe('keys and secrets', () => {
  adversarialCase({
    name: "pki.keyDirectory './././dist'",
    via: 'cli',
    setup: foreignSandbox,
    run: (box) => cli(box, synthArgs(box), { pki: { keyDirectory: './././dist' } }),
    error: { where: 'pki.keyDirectory', says: "key folder './././dist' lies inside a committed folder" },
  });

  adversarialCase({
    name: "pki.keyDirectory 'x/../pki'",
    via: 'cli',
    setup: foreignSandbox,
    run: (box) => cli(box, synthArgs(box), { pki: { keyDirectory: 'x/../pki' } }),
    error: { where: 'pki.keyDirectory', says: "key folder 'x/../pki' lies inside a committed folder" },
  });

  adversarialCase({
    name: 'pki.keyDirectory: an absolute path into dist/',
    via: 'cli',
    setup: foreignSandbox,
    run: (box) =>
      cli(box, synthArgs(box), {
        pki: {
          keyDirectory: path.join(box.project, 'dist', 'keys'),
          delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }),
        },
      }),
    error: { where: "the key folder 'dist/keys'", says: "lies inside the output folder 'dist', which is committed" },
  });

  adversarialCase({
    name: "pki.keyDirectory 'out/keys' in a git work tree that does not ignore it",
    via: 'cli',
    setup: () => {
      const box = foreignSandbox();
      execFileSync('git', ['init', '-q'], { cwd: box.project, stdio: 'ignore' });
      fs.mkdirSync(path.join(box.project, 'out', 'keys'), { recursive: true });
      return box;
    },
    run: (box) =>
      cli(box, synthArgs(box), {
        pki: { keyDirectory: 'out/keys', delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) },
      }),
    error: { where: "the key folder 'out/keys'", says: 'git does not ignore it (git check-ignore)' },
  });

  adversarialCase({
    name: "kubectl delivery outputDirectory 'pki'",
    via: 'cli',
    setup: foreignSandbox,
    run: (box) => cli(box, synthArgs(box), { pki: { delivery: CaDelivery.kubectl('pki') } }),
    error: { where: 'pki.delivery.outputDirectory', says: "'pki' is inside the certificate folder 'pki', which is committed" },
  });

  const exportArgs = (file: string) => ['pki', 'export', '--cluster', 'east', '--file', file];

  adversarialCase({
    name: 'pki export --file into dist/',
    via: 'cli',
    setup: () => copySandbox(withPki),
    run: (box) => cli(box, exportArgs('dist/east.json')),
    error: { where: "'dist/east.json'", says: "the export file would lie inside the output folder 'dist'" },
  });

  adversarialCase({
    name: 'pki export --file through a symlinked file (dangling, pointing outside)',
    via: 'cli',
    setup: () => {
      const box = copySandbox(withPki);
      fs.symlinkSync(path.join(box.outside, 'target.json'), path.join(box.project, 'link.json'));
      return box;
    },
    run: (box) => cli(box, exportArgs('link.json')),
    error: { where: "'link.json'", says: 'the export file is a symbolic link; spiremesh never writes through one' },
    verify: (box) => expect(fs.existsSync(path.join(box.outside, 'target.json'))).toBe(false),
  });

  adversarialCase({
    name: 'pki export --file through a symlinked folder inside the project',
    via: 'cli',
    setup: () => {
      const box = copySandbox(withPki);
      fs.symlinkSync(box.outside, path.join(box.project, 'linked-dir'));
      return box;
    },
    run: (box) => cli(box, exportArgs('linked-dir/east.json')),
    error: { where: "'linked-dir' on the way to the export file", says: 'is a symbolic link' },
  });

  adversarialCase({
    name: 'pki export --file naming an existing file',
    via: 'cli',
    setup: () => {
      const box = copySandbox(withPki);
      fs.writeFileSync(path.join(box.outside, 'existing.json'), 'mine\n', { mode: 0o644 });
      return box;
    },
    run: (box) => cli(box, exportArgs(path.join(box.outside, 'existing.json'))),
    error: { where: (box) => path.join(box.outside, 'existing.json'), says: 'the export file already exists' },
  });

  adversarialCase({
    name: 'pki export --file into a shared 1777 folder: only the file is written, the folder keeps 1777',
    via: 'cli',
    setup: () => {
      const box = copySandbox(withPki);
      fs.mkdirSync(path.join(box.outside, 'shared'));
      fs.chmodSync(path.join(box.outside, 'shared'), 0o1777);
      return box;
    },
    run: (box) => cli(box, exportArgs(path.join(box.outside, 'shared', 'east.json'))),
    owns: only('outside/shared/east.json'),
    verify: (box, outcome, touched) => {
      expect(touched).toEqual(['outside/shared/east.json']);
      expect(fs.statSync(path.join(box.outside, 'shared')).mode & 0o7777).toBe(0o1777);
      expect(fs.statSync(path.join(box.outside, 'shared', 'east.json')).mode & 0o7777).toBe(0o600);
      expect(outcome.stdout).not.toContain('PRIVATE KEY');
    },
  });

  const licenseValue = 'adversarial-license-value-0123456789';
  adversarialCase({
    name: 'a license value through istio extraValues (istiod license.value)',
    via: 'cli',
    setup: foreignSandbox,
    run: (box) =>
      inDir(box.project, () =>
        runCommand(
          (app: App) =>
            void new SpireMesh(app, 'mesh', {
              ...meshProps(),
              components: { istio: { extraValues: { istiod: { license: { value: licenseValue } } } as never } },
            }),
          synthArgs(box),
        ),
      ),
    error: { where: 'components.istio.extraValues.istiod.license', says: 'set istio.license' },
    verify: (_box, outcome) => expect(outcome.stderr).not.toContain(licenseValue),
  });

  adversarialCase({
    name: 'a spec the multicluster check refuses (Solo without a license) leaves no PKI files',
    via: 'cli',
    setup: foreignSandbox,
    // Two linked clusters: the License Check applies to peered clusters.
    run: (box) =>
      cli(box, synthArgs(box), {
        istio: { distribution: IstioDistribution.SOLO, version: '1.29.1' },
        clusters: [
          { name: 'east', eastWestAddress: '192.0.2.10' },
          { name: 'west', eastWestAddress: '192.0.2.20' },
        ],
      }),
    error: { where: 'cluster east', says: '[License Check]' },
    verify: (box) => {
      expect(fs.existsSync(path.join(box.project, 'pki'))).toBe(false);
      expect(fs.existsSync(path.join(box.project, '.spiremesh'))).toBe(false);
    },
  });
});

describe('files spiremesh does not own', () => {
  adversarialCase({
    name: 'a symlinked folder inside dist/<cluster>/ pointing outside',
    via: 'cli',
    setup: () => {
      const box = copySandbox(synthesized);
      fs.symlinkSync(box.outside, path.join(box.project, 'dist', 'east', 'linked'));
      return box;
    },
    run: (box) => cli(box, synthArgs(box)),
    error: {
      where: (box) => path.join(box.project, 'dist', 'east', 'linked'),
      says: 'an entry of an owned cluster directory is a symbolic link',
    },
  });

  const tamperIndex = (box: Sandbox, entry: string) => {
    const index = path.join(box.project, 'dist', 'east', INDEX_FILE);
    const text = fs.readFileSync(index, 'utf8');
    expect(text).toContain('\nfiles:\n');
    fs.writeFileSync(index, text.replace('\nfiles:\n', `\nfiles:\n${entry}`));
  };

  adversarialCase({
    name: 'a tampered index naming ../../README.md',
    via: 'cli',
    setup: () => {
      const box = copySandbox(synthesized);
      tamperIndex(box, `  - path: ../../README.md\n    sha256: '${'0'.repeat(64)}'\n`);
      return box;
    },
    run: (box) => cli(box, synthArgs(box)),
    error: {
      where: (box) => path.join(box.project, 'dist', 'east', INDEX_FILE),
      says: 'names "../../README.md", a path outside its directory',
    },
  });

  adversarialCase({
    name: 'a tampered index naming a hand-written file of the cluster directory (wrong sha256): kept, with a warning',
    via: 'cli',
    setup: () => {
      const box = copySandbox(synthesized);
      tamperIndex(box, `  - path: HANDWRITTEN.md\n    sha256: '${'0'.repeat(64)}'\n`);
      return box;
    },
    run: (box) => cli(box, synthArgs(box)),
    owns: (rel) => SYNTH_OWNS(rel) && rel !== `${PROJECT}/${HANDWRITTEN}`,
    verify: (box, outcome) => {
      expect(fs.readFileSync(path.join(box.project, HANDWRITTEN), 'utf8')).toContain('hand-written');
      expect(outcome.stdout).toContain(`edited since spiremesh wrote it: ${path.join(box.project, HANDWRITTEN)}`);
    },
  });

  adversarialCase({
    name: 'a tampered index naming a hand-written file of the cluster directory (its real sha256)',
    via: 'cli',
    setup: () => {
      const box = copySandbox(synthesized);
      const sha = createHash('sha256')
        .update(fs.readFileSync(path.join(box.project, HANDWRITTEN)))
        .digest('hex');
      tamperIndex(box, `  - path: HANDWRITTEN.md\n    sha256: '${sha}'\n`);
      return box;
    },
    run: (box) => cli(box, synthArgs(box)),
    owns: (rel) => SYNTH_OWNS(rel) && rel !== `${PROJECT}/${HANDWRITTEN}`,
    verify: (box, outcome) => {
      // Pruning also asks whether the bytes are a file spiremesh renders at that path: a Markdown file is not.
      expect(fs.readFileSync(path.join(box.project, HANDWRITTEN), 'utf8')).toContain('hand-written');
      expect(outcome.stdout).toContain(`not a file spiremesh renders: ${path.join(box.project, HANDWRITTEN)}; left alone`);
    },
  });

  adversarialCase({
    name: 'an owned file edited by hand, then no longer rendered: kept, with a warning',
    via: 'cli',
    setup: () => {
      const box = copySandbox(synthesized);
      fs.appendFileSync(path.join(box.project, 'dist/east/pki/externalsecret_istio-system_cacerts.yaml'), '# tuned by hand\n');
      return box;
    },
    // kubectl delivery renders no ExternalSecret: both are pruned, except the edited one.
    run: (box) => cli(box, synthArgs(box), { pki: { delivery: CaDelivery.kubectl() } }),
    owns: (rel) => SYNTH_OWNS(rel) && rel !== `${PROJECT}/dist/east/pki/externalsecret_istio-system_cacerts.yaml`,
    verify: (box, outcome, touched) => {
      const edited = path.join(box.project, 'dist/east/pki/externalsecret_istio-system_cacerts.yaml');
      expect(fs.readFileSync(edited, 'utf8')).toContain('# tuned by hand');
      expect(outcome.stdout).toContain(`edited since spiremesh wrote it: ${edited}; delete it or restore it`);
      expect(touched).toContain(`${PROJECT}/dist/east/pki/externalsecret_spire-server_spiffe-upstream-ca.yaml`);
      expect(fs.readFileSync(path.join(box.project, HANDWRITTEN), 'utf8')).toContain('hand-written');
    },
  });
});

describe('crashes', () => {
  /** Kills a synth a few renames into its switch, after the journal is in place. */
  const killInSwitch = (): OutputFsHook => {
    let journaled = false;
    let renames = 0;
    let dead = false;
    return (s) => {
      if (dead) throw new SimulatedKill(s.step);
      if (s.op === 'rename' && s.dest?.endsWith(`/${JOURNAL_FILE}`)) journaled = true;
      else if (journaled && s.op === 'rename' && ++renames > 3) {
        dead = true;
        throw new SimulatedKill(s.step);
      }
    };
  };

  adversarialCase({
    name: 'a first synth after a killed one (journal and staging left over): recovered, no temporary file left',
    via: 'cli',
    setup: () => {
      const box = copySandbox(withPki);
      const app = new App();
      inDir(box.project, () => declareMesh()(app));
      expect(() => synthesize(app, { outdir: dist(box), outputFs: new HookedOutputFs(NODE_OUTPUT_FS, killInSwitch()) })).toThrow(
        SimulatedKill,
      );
      const left = fs.readdirSync(dist(box));
      expect(left).toContain(JOURNAL_FILE);
      expect(left.some((n) => n.startsWith('.spiremesh-tmp-staging-'))).toBe(true);
      // And a staging folder of an older killed run.
      fs.mkdirSync(path.join(dist(box), '.spiremesh-tmp-staging-4242-beef'));
      fs.writeFileSync(path.join(dist(box), '.spiremesh-tmp-staging-4242-beef', '0.new'), 'half');
      return box;
    },
    run: (box) => cli(box, synthArgs(box)),
    owns: SYNTH_OWNS,
    verify: (box, outcome) => {
      expect(outcome.stdout).toContain('finished the write an earlier run was interrupted in');
      const leftovers = Object.keys(fingerprint(box.root)).filter((p) => p.split('/').some((part) => part.startsWith('.spiremesh-tmp-')));
      expect(leftovers).toEqual([]);
      // The tree is the one a clean synth writes (same mesh, same PKI as the template).
      const tree = (b: Sandbox) =>
        Object.fromEntries(Object.entries(fingerprint(path.join(b.project, 'dist', 'east'))).filter(([p]) => p !== 'HANDWRITTEN.md'));
      expect(tree(box)).toEqual(tree(synthesized));
    },
  });
});

describe('bad input: a YAML inventory through bin/spiremesh.ts', () => {
  for (const c of inventoryCases) {
    test(`${c.name} [${c.error ? 'error' : 'success'}] (${c.via})`, async () => {
      const p = pending.get(c.name)!;
      finish(p.def, p.started, await p.outcome);
    });
  }
});

describe('output disk faults', () => {
  /** synthesize() with a faulty disk, over the synthesized template, with a change to write (Flux instead of Argo CD). */
  const faulty = (box: Sandbox, hook: OutputFsHook): Outcome =>
    inDir(box.project, () => {
      const app = new App();
      declareMesh({ chartDelivery: ChartDelivery.flux() })(app);
      try {
        synthesize(app, { outdir: dist(box), outputFs: new HookedOutputFs(NODE_OUTPUT_FS, hook) });
        return { code: 0, stdout: '', stderr: '' };
      } catch (e) {
        return { code: 1, stdout: '', stderr: `${describeError(e, false)}\n` };
      }
    });

  /** One message: one finding, saying the output folder was left as it was (the fingerprint shows it was, PKI included). */
  const oneMessage = (_box: Sandbox, outcome: Outcome) => {
    expect(outcome.stderr).toMatch(/^spiremesh: the output folder could not be written; it was left as it was:\n {2}error \[output\] /);
    expect(outcome.stderr.match(/error \[/g)).toHaveLength(1);
  };

  adversarialCase({
    name: 'disk full while staging (ENOSPC)',
    via: 'synthesize()',
    setup: () => copySandbox(synthesized),
    run: (box) => {
      let writes = 0;
      return faulty(
        box,
        failWith('ENOSPC', (s) => s.op === 'writeFile' && ++writes >= 3),
      );
    },
    error: { where: (box) => dist(box), says: 'no space left on the device (ENOSPC, writeFile)' },
    verify: oneMessage,
  });

  adversarialCase({
    name: 'a read-only file system (EROFS)',
    via: 'synthesize()',
    setup: () => copySandbox(synthesized),
    run: (box) =>
      faulty(
        box,
        failWith('EROFS', () => true),
      ),
    error: { where: (box) => dist(box), says: 'the file system is mounted read-only (EROFS' },
    verify: oneMessage,
  });
});

describe('figures', () => {
  test('every case ran; every error case gives a clear error; no case touched a file it does not own', () => {
    const { defended, errors, clear, touched } = figures();
    expect(defended.length).toBeGreaterThanOrEqual(30);
    expect(touched).toBe(0);
    expect(clear).toBe(errors.length);
  });
});

function figures() {
  const defended = records.filter((r) => !r.undefended);
  const errors = defended.filter((r) => r.kind === 'error');
  const clear = errors.filter((r) => r.clearError).length;
  const touched = defended.reduce((n, r) => n + r.outside.length, 0);
  return { defended, errors, clear, touched };
}

function reportTable(): string {
  const rows = records.map((r) => [
    r.undefended ? `${r.name} (NOT DEFENDED)` : r.name,
    r.kind,
    r.via,
    r.kind === 'error' ? (r.clearError ? 'yes' : 'no') : '-',
    String(r.outside.length),
  ]);
  const header = ['case', 'kind', 'via', 'clear error', 'files touched outside owned files'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const { defended, errors, clear, touched } = figures();
  const undefended = records.filter((r) => r.undefended);
  const outsideList = defended.flatMap((r) => r.outside.map((p) => `  ${r.name}: ${p}`));
  return [
    '',
    fmt(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(fmt),
    ...(outsideList.length > 0 ? ['files touched outside owned files:', ...outsideList] : []),
    ...(undefended.length > 0
      ? [
          `not defended (test.failing, not in the figures below): ${undefended.length} case(s), ` +
            `${undefended.reduce((n, r) => n + r.outside.length, 0)} file(s) touched outside owned files`,
          ...undefended.map((r) => `  ${r.name}: ${r.undefended} [${r.outside.join(', ')}]`),
        ]
      : []),
    `adversarial: ${defended.length} cases, ${clear} clear errors, ${touched} files touched outside owned files` +
      ` (${errors.length} error cases, ${defended.length - errors.length} success cases; ${((Date.now() - suiteStart) / 1000).toFixed(1)} s)`,
    '',
  ].join('\n');
}
