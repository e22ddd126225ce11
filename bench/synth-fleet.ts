/**
 * `npm run bench`: spiremesh synthesizing fleets of 2 to 300 clusters (all-to-all peering, the
 * fleet of bench/fleet.ts), each run paired with two baselines measured in the same rounds, and
 * the PKI generated from nothing on a line of its own. Prints one markdown table (for the README).
 * Speed targets (issue 15) are read from this output, never asserted in unit tests.
 *
 *   npm run bench [-- --clusters 2,10,50,100,300] [--rounds 3] [--timeout 600] [--pki 100]
 *
 * `npm run bench` builds the package first. Every measured run is its own `node` process running
 * compiled JavaScript (bench/fleet-child.ts, bare-child.ts, floor-child.ts, transpiled next to a
 * snapshot of build/ in a temp folder, so a rebuild during a long run cannot change the code measured;
 * the baselines load only cdk8s or only Node's fs, never spiremesh).
 * The child reports its own process.resourceUsage() (user + system CPU, peak RSS); the bench
 * measures wall time around the process. Rows, per fleet size:
 *
 *   spiremesh first synth   SpireMesh + synthesize() into an empty output folder. cert-manager CA
 *                           delivery: no local key material is read or generated.
 *   spiremesh re-synth      the same again into the same folder, unchanged: it must write nothing
 *                           (synthesize() reports upToDate, and every file keeps its inode, size
 *                           and mtime; otherwise the row says so and the bench exits 1).
 *   bare cdk8s app          the objects of spiremesh's output, read back before the run and handed
 *                           over as JSON: one cdk8s App per output directory, one Chart per output
 *                           file (id = the file name without .yaml; cdk8s's FILE_PER_CHART names the
 *                           file Names.toDnsLabel(chart) + '.yaml', e.g. clusterspiffeid_istio-ztunnel-reg
 *                           -c86429f4.yaml: the same folders and number of files, the names carry
 *                           cdk8s's hash suffix), one ApiObject per YAML document, then
 *                           app.synth(). Files that hold no Kubernetes object (README.md,
 *                           spiremesh-index.yaml) are written as they are with writeFileSync.
 *   write floor             the same bytes to the same relative files in an empty folder: one
 *                           mkdirSync per directory, one writeFileSync per file, nothing else.
 *
 * The baselines' JSON input is read and parsed inside their measured process (part of their cost);
 * parsing spiremesh's YAML output is done by the bench beforehand and is not. Rounds alternate the
 * order (spiremesh first, then the baselines; then the other way round), and the table gives the
 * median of each figure over the rounds; the ratios are medians of the per-round (paired) ratios.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import type { BareInput, ChildReport, FloorInput } from './bench-report';
import { REPORT_PREFIX } from './bench-report';

const ROOT = path.resolve(__dirname, '..');

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) usage(`--${name} needs a value`);
  return v;
}

function usage(message: string): never {
  console.error(`bench: ${message}\nusage: npm run bench [-- --clusters 2,10,50,100,300] [--rounds 3] [--timeout 600] [--pki 100]`);
  process.exit(2);
}

function positiveInt(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) usage(`--${name} ${text}: give a whole number >= ${min}`);
  return n;
}

const SIZES = flag('clusters', '2,10,50,100,300')
  .split(',')
  .map((s) => positiveInt('clusters', s.trim(), 1));
const ROUNDS = positiveInt('rounds', flag('rounds', '3'), 1);
const TIMEOUT_S = positiveInt('timeout', flag('timeout', '600'), 1);
const PKI_CLUSTERS = positiveInt('pki', flag('pki', '100'), 0);

// ---------------------------------------------------------------------------------------------
// The measured code: a snapshot of build/ plus the bench's child, compiled, in a temp folder.

const BUILD = path.join(ROOT, 'build');
if (!fs.existsSync(path.join(BUILD, 'lib', 'index.js'))) usage(`${BUILD}/lib/index.js is missing; run npm run build (npm run bench does)`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-bench-'));
fs.cpSync(BUILD, path.join(work, 'build'), { recursive: true });
// build/lib requires its dependencies (cdk8s, yaml, ajv, ...) from the checkout's node_modules.
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
const benchOut = path.join(work, 'build', 'bench');
fs.mkdirSync(benchOut);
// build/bench/fleet-child.js imports '../lib' = build/lib, the compiled package.
for (const name of ['fleet', 'fleet-child', 'bare-child', 'floor-child', 'bench-report']) {
  const source = fs.readFileSync(path.join(__dirname, `${name}.ts`), 'utf8');
  const js = ts.transpileModule(source, {
    fileName: `${name}.ts`,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  fs.writeFileSync(path.join(benchOut, `${name}.js`), js.outputText);
}

const env: NodeJS.ProcessEnv = { ...process.env, CDK8S_CHECK_UPGRADE: 'false' };
delete env.CDK8S_OUTDIR;
delete env.NODE_OPTIONS;

interface Measured {
  readonly wall: number;
  readonly cpu: number;
  readonly rssMiB: number;
  readonly report: ChildReport;
}
type RunResult = { readonly ok: true; readonly m: Measured } | { readonly ok: false; readonly why: 'timeout' | 'failed' };

let failures = 0;

/**
 * CPU seconds of this process's waited-for children and their descendants (Linux /proc/self/stat
 * fields 16 and 17, cutime and cstime, in clock ticks; proc(5)), or undefined elsewhere. The
 * children report their own CPU; this tells whether a run also spent CPU in processes it started.
 */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
function childrenCpu(): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // fields[0] is stat field 3 (state): field k is fields[k - 3].
    return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const grandchildNotes: string[] = [];

function run(label: string, child: 'fleet' | 'bare' | 'floor', args: readonly string[]): RunResult {
  const cpuBefore = childrenCpu();
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(benchOut, `${child}-child.js`), ...args], {
    cwd: work,
    env,
    encoding: 'utf8',
    timeout: TIMEOUT_S * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const cpuAfter = childrenCpu();
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    progress(`${label}: timeout after ${TIMEOUT_S} s`);
    return { ok: false, why: 'timeout' };
  }
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith(REPORT_PREFIX));
  if (r.status !== 0 || !line) {
    failures++;
    progress(`${label}: failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`})\n${r.stdout ?? ''}\n${r.stderr ?? ''}`);
    return { ok: false, why: 'failed' };
  }
  const report: ChildReport = JSON.parse(line.slice(REPORT_PREFIX.length));
  const m = { wall, cpu: (report.userCPUTime + report.systemCPUTime) / 1e6, rssMiB: report.maxRSS / 1024, report };
  progress(`${label}: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMiB.toFixed(0)} MiB`);
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    const tree = cpuAfter - cpuBefore;
    if (tree > m.cpu * 1.05 + 0.1) {
      grandchildNotes.push(`${label}: ${tree.toFixed(2)} s CPU with the processes it started, ${m.cpu.toFixed(2)} s its own`);
      progress(`  ... ${grandchildNotes[grandchildNotes.length - 1]}`);
    }
  }
  return { ok: true, m };
}

function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

// ---------------------------------------------------------------------------------------------
// Output folders: file lists, "wrote nothing" evidence, and the baselines' inputs.

/** Relative paths of the files under `dir` (sorted, '/'-separated), and the directories holding them. */
function walk(dir: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = (rel: string) => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        visit(r);
      } else files.push(r);
    }
  };
  visit('');
  return { files, dirs };
}

/** inode, size and mtime of every file: equal before and after a run that wrote nothing. */
function fileStamps(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  for (const f of walk(dir).files) {
    const s = fs.statSync(path.join(dir, f), { bigint: true });
    stamps.set(f, `${s.ino}:${s.size}:${s.mtimeNs}`);
  }
  return stamps;
}

function stampChanges(before: Map<string, string>, after: Map<string, string>): number {
  let n = 0;
  for (const [f, s] of after) if (before.get(f) !== s) n++;
  for (const f of before.keys()) if (!after.has(f)) n++;
  return n;
}

/** Reads spiremesh's output back and writes the two baselines' inputs; returns the number of files. */
function writeBaselineInputs(outdir: string, bareFile: string, floorFile: string): { files: number; apiObjects: number } {
  const { files, dirs } = walk(outdir);
  const floorInput: FloorInput = { dirs, files: files.map((file) => ({ file, text: fs.readFileSync(path.join(outdir, file), 'utf8') })) };
  const byDir = new Map<string, { id: string; docs: any[] }[]>();
  const raw: { file: string; text: string }[] = [];
  let apiObjects = 0;
  for (const { file, text } of floorInput.files) {
    const docs = file.endsWith('.yaml')
      ? parseAllDocuments(text)
          .map((d) => d.toJS())
          .filter((d) => d !== null && d !== undefined)
      : [];
    const objects =
      docs.length > 0 && docs.every((d) => typeof d === 'object' && typeof d.apiVersion === 'string' && typeof d.kind === 'string');
    if (!objects) {
      raw.push({ file, text });
      continue;
    }
    const dir = path.posix.dirname(file);
    if (!byDir.has(dir)) byDir.set(dir, []);
    byDir.get(dir)!.push({ id: path.posix.basename(file, '.yaml'), docs });
    apiObjects += docs.length;
  }
  const bareInput: BareInput = { directories: [...byDir].map(([dir, charts]) => ({ dir, charts })), raw };
  fs.writeFileSync(bareFile, JSON.stringify(bareInput));
  fs.writeFileSync(floorFile, JSON.stringify(floorInput));
  return { files: files.length, apiObjects };
}

// ---------------------------------------------------------------------------------------------
// The rounds.

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Kind = 'first' | 'resynth' | 'bare' | 'floor';
const KIND_LABEL: Record<Kind, string> = {
  first: 'spiremesh first synth',
  resynth: 'spiremesh unchanged re-synth',
  bare: 'bare cdk8s app, same objects',
  floor: 'write floor, same bytes',
};

interface SizeResult {
  readonly clusters: number;
  objects?: number;
  files?: number;
  apiObjects?: number;
  bareFiles?: number;
  readonly samples: Record<Kind, Measured[]>;
  readonly stopped: Partial<Record<Kind, 'timeout' | 'failed'>>;
  /** Per round: spiremesh first-synth CPU ÷ baseline CPU, and the same for wall. */
  readonly ratios: Record<'bare' | 'floor', { cpu: number[]; wall: number[] }>;
  resynthWrote: number;
}

function measureSize(n: number): SizeResult {
  const res: SizeResult = {
    clusters: n,
    samples: { first: [], resynth: [], bare: [], floor: [] },
    stopped: {},
    ratios: { bare: { cpu: [], wall: [] }, floor: { cpu: [], wall: [] } },
    resynthWrote: 0,
  };
  const dir = path.join(work, `fleet-${n}`);
  const baseDir = path.join(dir, 'project');
  fs.mkdirSync(baseDir, { recursive: true });
  const bareInput = path.join(dir, 'bare-input.json');
  const floorInput = path.join(dir, 'floor-input.json');

  for (let round = 0; round < ROUNDS; round++) {
    const tag = `${n} clusters, round ${round + 1}/${ROUNDS}`;
    let first: Measured | undefined;
    const baseline: Partial<Record<'bare' | 'floor', Measured>> = {};

    const spiremesh = (): boolean => {
      const out = path.join(dir, `out-${round}`);
      const r = run(`${tag}: ${KIND_LABEL.first}`, 'fleet', ['synth', out, String(n), baseDir]);
      if (!r.ok) {
        res.stopped.first = r.why;
        return false;
      }
      first = r.m;
      res.samples.first.push(r.m);
      if (res.objects === undefined) {
        res.objects = r.m.report.objects;
        const counted = writeBaselineInputs(out, bareInput, floorInput);
        res.files = counted.files;
        res.apiObjects = counted.apiObjects;
      }
      const before = fileStamps(out);
      const again = run(`${tag}: ${KIND_LABEL.resynth}`, 'fleet', ['synth', out, String(n), baseDir]);
      if (again.ok) {
        const wrote = stampChanges(before, fileStamps(out));
        if (wrote > 0 || again.m.report.upToDate !== true) {
          failures++;
          progress(`${tag}: the unchanged re-synth wrote ${wrote} files (upToDate: ${again.m.report.upToDate})`);
        }
        res.resynthWrote = Math.max(res.resynthWrote, wrote);
        res.samples.resynth.push(again.m);
      } else res.stopped.resynth = again.why;
      fs.rmSync(out, { recursive: true, force: true });
      return true;
    };

    const baselines = () => {
      for (const kind of ['bare', 'floor'] as const) {
        if (res.stopped[kind]) continue;
        const out = path.join(dir, `${kind}-${round}`);
        const r = run(`${tag}: ${KIND_LABEL[kind]}`, kind, [kind === 'bare' ? bareInput : floorInput, out]);
        if (r.ok) {
          res.samples[kind].push(r.m);
          baseline[kind] = r.m;
          if (kind === 'bare' && res.bareFiles === undefined) res.bareFiles = walk(out).files.length;
        } else res.stopped[kind] = r.why;
        fs.rmSync(out, { recursive: true, force: true });
      }
    };

    // A/B alternated; round 1 starts with spiremesh, whose output is the baselines' input.
    if (round % 2 === 0) {
      if (!spiremesh()) break;
      baselines();
    } else {
      baselines();
      if (!spiremesh()) break;
    }
    for (const kind of ['bare', 'floor'] as const) {
      const b = baseline[kind];
      if (first && b) {
        res.ratios[kind].cpu.push(first.cpu / b.cpu);
        res.ratios[kind].wall.push(first.wall / b.wall);
      }
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return res;
}

// ---------------------------------------------------------------------------------------------
// The table.

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const header = [
  'clusters',
  'run',
  'objects',
  'files',
  'wall s',
  'CPU s (user+sys)',
  'peak RSS MiB',
  'µs per object (CPU)',
  'spiremesh first synth ÷ this: CPU (wall)',
];

function rows(r: SizeResult): string[][] {
  const out: string[][] = [];
  for (const kind of ['first', 'resynth', 'bare', 'floor'] as const) {
    const xs = r.samples[kind];
    let label = KIND_LABEL[kind];
    if (kind === 'resynth' && xs.length > 0) label += r.resynthWrote > 0 ? ` — WROTE ${r.resynthWrote} FILES` : ' (wrote nothing)';
    const files = kind === 'bare' ? r.bareFiles : r.files;
    if (xs.length === 0) {
      const why = r.stopped[kind] ?? (r.stopped.first ? `not run (first synth: ${r.stopped.first})` : 'not run');
      out.push([String(r.clusters), label, r.objects ? int(r.objects) : '', files ? int(files) : '', why, why, '', '', '']);
      continue;
    }
    const cpu = median(xs.map((m) => m.cpu));
    const ratio =
      kind === 'bare' || kind === 'floor'
        ? r.ratios[kind].cpu.length > 0
          ? `${median(r.ratios[kind].cpu).toFixed(2)}× (${median(r.ratios[kind].wall).toFixed(2)}×)`
          : ''
        : '';
    const note = xs.length < ROUNDS ? ` (${xs.length} of ${ROUNDS} rounds${r.stopped[kind] ? `, then ${r.stopped[kind]}` : ''})` : '';
    out.push([
      String(r.clusters),
      label + note,
      r.objects ? int(r.objects) : '',
      files ? int(files) : '',
      median(xs.map((m) => m.wall)).toFixed(2),
      cpu.toFixed(2),
      int(median(xs.map((m) => m.rssMiB))),
      r.objects ? int((cpu * 1e6) / r.objects) : '',
      ratio,
    ]);
  }
  return out;
}

function table(lines: string[][]): string {
  const md = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const numeric = new Set([0, 2, 3, 4, 5, 6, 7]);
  return [md(header), md(header.map((_, i) => (numeric.has(i) ? '---:' : '---'))), ...lines.map(md)].join('\n');
}

const cpus = os.cpus();
const started = new Date();
progress(`sizes ${SIZES.join(', ')}; ${ROUNDS} rounds; timeout ${TIMEOUT_S} s per run; work folder ${work}`);
try {
  const results: SizeResult[] = [];
  for (const n of SIZES) results.push(measureSize(n));

  let pkiLine = '';
  if (PKI_CLUSTERS > 0) {
    const pkiBase = path.join(work, 'pki-project');
    fs.mkdirSync(pkiBase);
    const r = run(`PKI for ${PKI_CLUSTERS} clusters from nothing`, 'fleet', ['pki', String(PKI_CLUSTERS), pkiBase]);
    pkiLine = r.ok
      ? `PKI from nothing, ${PKI_CLUSTERS} clusters (\`PkiStore.ensure()\`, ${r.m.report.keysGenerated} keys generated): ` +
        `${r.m.wall.toFixed(1)} s wall, ${r.m.cpu.toFixed(1)} s CPU (user+sys), peak RSS ${int(r.m.rssMiB)} MiB (one run)`
      : `PKI from nothing, ${PKI_CLUSTERS} clusters: ${r.why}`;
  }

  const load = os.loadavg().map((l) => l.toFixed(2));
  console.log(
    `\`npm run bench\`, ${started.toISOString().slice(0, 10)}: Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} cores ` +
      `(load ${load.join(' ')}); all-to-all fleets of bench/fleet.ts; whole \`node\` processes of compiled JS (build/); ` +
      `medians of ${ROUNDS} A/B-alternated round${ROUNDS === 1 ? '' : 's'}; ratios are medians of the paired per-round ratios.\n`,
  );
  console.log(table(results.flatMap(rows)));
  const differs = results.filter((r) => r.bareFiles !== undefined && r.bareFiles !== r.files);
  const extra = results
    .filter((r) => r.apiObjects !== undefined && r.objects !== undefined)
    .map((r) => `${int(r.apiObjects!)} at ${r.clusters} clusters (${int(r.apiObjects! - r.objects!)} more than spiremesh counts)`);
  console.log(
    `\nBare cdk8s app: one ApiObject per YAML document with apiVersion and kind in spiremesh's output (${extra.join(', ')}: ` +
      "each cluster's kustomization.yaml is one too), one Chart per file, one App per output directory; " +
      'the files without objects (README.md, spiremesh-index.yaml) are written as they are.' +
      (differs.length > 0
        ? ` Its file count differs at ${differs.map((r) => r.clusters).join(', ')} clusters (cdk8s chart file names).`
        : ''),
  );
  if (pkiLine) console.log(`\n${pkiLine}`);
  if (grandchildNotes.length > 0)
    console.log(
      `\nRuns that spent CPU in processes they started (not in the CPU column):\n${grandchildNotes.map((n) => `- ${n}`).join('\n')}`,
    );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
if (failures > 0) {
  console.error(`bench: ${failures} run(s) failed or an unchanged re-synth wrote files (see [bench] lines above)`);
  process.exit(1);
}
