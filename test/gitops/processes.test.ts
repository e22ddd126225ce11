/**
 * Real processes: a synth killed with SIGKILL at random moments of its write, and two synths of
 * different specs into one folder at the same time. The child is synth-child.ts (run through
 * scripts/register.cjs, without type-checking), whose filesystem layer is slowed down so that the kills land inside the write.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { App } from 'cdk8s';
import { SpireMesh, synthesize } from '../../lib';
import { HookedOutputFs, NODE_OUTPUT_FS, OutputFs } from '../../lib/gitops/output-fs';
import { JOURNAL_FILE } from '../../lib/gitops/output-names';
import { resolveMeshSpec } from '../../lib/spec';
import { tempDir } from '../helpers';
import { FolderSnapshot, restore, snapshot, whichTree, writerLeftovers } from './output-helpers';
import { childSpecDocument } from './synth-child';

const ROOT = path.resolve(__dirname, '../..');
/** Runs a TypeScript file without type-checking (`npm test` type-checks first): the checkout's cached loader. */
const REGISTER = path.join(ROOT, 'scripts/register.cjs');
const CHILD = path.join(__dirname, 'synth-child.ts');
/** Milliseconds each filesystem operation of the child takes (a write then spans a few hundred ms). */
const SLOW_MS = 2;

const project = tempDir('spiremesh-processes-');

function synthIn(out: string, spec: 'a' | 'b', check = false, outputFs?: OutputFs): void {
  const app = new App({ outdir: out });
  SpireMesh.fromModel(app, 'mesh', resolveMeshSpec(childSpecDocument(spec), `spec ${spec}`));
  synthesize(app, { outdir: out, baseDir: project, check, outputFs });
}

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  /** Resolves with the next line starting with `prefix` from line `from` on, or undefined when the child exits first. */
  readonly line: (prefix: string, from?: number) => Promise<string | undefined>;
  readonly send: (command: string) => void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts a child and resolves once it has loaded spiremesh (`ready`). */
async function startChild(waitMs = 20_000): Promise<Child> {
  const child = spawn(process.execPath, ['-r', REGISTER, CHILD, project, String(SLOW_MS), String(waitMs)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; from: number; resolve: (l: string | undefined) => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    buffer += String(chunk);
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const l = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      lines.push(l);
      for (const w of waiters.filter((x) => l.startsWith(x.prefix) && lines.length > x.from)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve(undefined);
      resolve({ code, signal, stderr });
    }),
  );
  const started: Child = {
    process: child,
    lines,
    exited,
    send: (command) => child.stdin!.write(`${command}\n`),
    line: (prefix, from = 0) => {
      const seen = lines.slice(from).find((l) => l.startsWith(prefix));
      return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ prefix, from, resolve }));
    },
  };
  if ((await started.line('ready')) === undefined) throw new Error(`the child did not start: ${(await exited).stderr}`);
  return started;
}

let treeA: FolderSnapshot;
let treeB: FolderSnapshot;
/** How many filesystem operations the write of a → b takes, and which one puts its journal in place. */
let writeSteps: number;
let journalStep = 0;
/** Three children, started together (loading spiremesh is most of their cost): two race, then all three are killed. */
let children: Promise<Child[]>;

beforeAll(() => {
  children = Promise.all([startChild(), startChild(), startChild()]);
  // The PKI of both specs (b's clusters are a's first two), then the exact output of each spec.
  const a = tempDir();
  synthIn(a, 'a');
  treeA = snapshot(a);
  const b = tempDir();
  synthIn(b, 'b');
  treeB = snapshot(b);
  const out = tempDir();
  restore(out, treeA);
  const counter = new HookedOutputFs(NODE_OUTPUT_FS, (s) => {
    if (s.op === 'rename' && s.dest?.endsWith(`/${JOURNAL_FILE}`)) journalStep = s.step;
  });
  synthIn(out, 'b', false, counter);
  writeSteps = counter.steps;
  expect(snapshot(out)).toEqual(treeB);
});

afterAll(async () => {
  for (const child of await children) child.process.kill('SIGKILL');
});

test('two synths of different specs into one folder at the same time never interleave: the tree is exactly one spec', async () => {
  const [a, b] = await children;
  const out = tempDir();
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const from = [a.lines.length, b.lines.length];
    a.send(`synth a ${out}`);
    b.send(`synth b ${out}`);
    const results = await Promise.all(
      [a.line('done a', from[0]), b.line('done b', from[1])].map((p, i) => Promise.race([p, [a, b][i].line('refused', from[i])])),
    );
    // One waits for the other (or is refused after waiting); never both at once.
    for (const r of results) expect(r).toMatch(/^(done [ab] \d+ \d+|refused another spiremesh run is writing the output folder.*)$/);
    const writes = results
      .filter((r): r is string => r?.startsWith('done') ?? false)
      .map((r) => r.split(' ').slice(2).map(Number))
      .filter(([first]) => first > 0)
      .sort((x, y) => x[0] - y[0]);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (let w = 1; w < writes.length; w++) expect(writes[w][0]).toBeGreaterThan(writes[w - 1][1]);
    expect([round, whichTree(snapshot(out), treeA, treeB)]).toEqual([round, expect.stringMatching(/^(old|new)$/)]);
    expect(writerLeftovers(out)).toEqual([]);
  }
});

test('a synth killed with SIGKILL at random moments of its write leaves the old or the new tree once the next run started', async () => {
  expect(writeSteps).toBeGreaterThan(60);
  const all = await children;
  expect(journalStep).toBeGreaterThan(5);
  // The runs go in parallel; each is killed after a random operation of its own part of the write:
  // before the journal, early in the switch, late in it (the last quarter is left out: the kill
  // lands a few operations after it is sent).
  const parts = [
    [1, journalStep - 1],
    [journalStep, Math.floor(writeSteps / 2)],
    [Math.floor(writeSteps / 2), Math.floor((writeSteps * 3) / 4)],
  ];
  const killed = await Promise.all(
    all.map(async (child, i) => {
      const out = tempDir();
      restore(out, treeA);
      const [low, high] = parts[i];
      const step = low + Math.floor(Math.random() * (high - low));
      const from = child.lines.length;
      child.send(`synth b ${out}`);
      const seen = await child.line(`op ${step} `, from);
      child.process.kill('SIGKILL');
      const { signal, stderr } = await child.exited;
      const ops = child.lines.slice(from).filter((l) => l.startsWith('op '));
      const lastOp = Math.max(...ops.map((l) => Number(l.split(' ')[1])));
      return { out, step, seen, signal, stderr, lastOp, done: child.lines.slice(from).some((l) => l.startsWith('done')) };
    }),
  );
  for (const run of killed) {
    expect([run.step, run.seen, run.signal, run.stderr, run.done]).toEqual([
      run.step,
      expect.stringMatching(/^op \d+ \d+$/),
      'SIGKILL',
      '',
      false,
    ]);
    expect(run.lastOp).toBeLessThan(writeSteps);
    // The next run: a check recovers (finishes or undoes the write) and writes nothing else. Killed
    // before its journal was renamed into place, the write is undone; after, it is finished.
    synthIn(run.out, 'b', true);
    const expected = run.lastOp < journalStep ? /^old$/ : run.lastOp > journalStep ? /^new$/ : /^(old|new)$/;
    expect([run.lastOp, whichTree(snapshot(run.out), treeA, treeB)]).toEqual([run.lastOp, expect.stringMatching(expected)]);
    expect(writerLeftovers(run.out)).toEqual([]);
    synthIn(run.out, 'b');
    expect(snapshot(run.out)).toEqual(treeB);
    expect(writerLeftovers(run.out)).toEqual([]);
  }
});
