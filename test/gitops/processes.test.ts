/**
 * Real processes: a synth killed with SIGKILL at random moments of its write, and two synths of
 * different specs into one folder at the same time. The child is synth-child.ts (ts-node
 * --transpile-only), whose filesystem layer is slowed down so that the kills land inside the write.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import { App } from 'cdk8s';
import { SpireMesh, synthesize } from '../../lib';
import { HookedOutputFs, NODE_OUTPUT_FS, OutputFs } from '../../lib/gitops/output-fs';
import { resolveMeshSpec } from '../../lib/spec';
import { tempDir } from '../helpers';
import { FolderSnapshot, restore, snapshot, whichTree, writerLeftovers } from './output-helpers';
import { childSpecDocument } from './synth-child';

const ROOT = path.resolve(__dirname, '../..');
const TS_NODE = path.join(ROOT, 'node_modules/.bin/ts-node');
const CHILD = path.join(__dirname, 'synth-child.ts');
/** Milliseconds each filesystem operation of the child takes (a write then spans a few hundred ms). */
const SLOW_MS = 3;

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
async function startChild(out: string, waitMs = 20_000): Promise<Child> {
  const child = spawn(TS_NODE, ['--transpile-only', CHILD, out, project, String(SLOW_MS), String(waitMs)], {
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
/** How many filesystem operations the write of a → b takes. */
let writeSteps: number;

beforeAll(() => {
  // The PKI of both specs (b's clusters are a's first two), then the exact output of each spec.
  const a = tempDir();
  synthIn(a, 'a');
  treeA = snapshot(a);
  const b = tempDir();
  synthIn(b, 'b');
  treeB = snapshot(b);
  const out = tempDir();
  restore(out, treeA);
  const counter = new HookedOutputFs(NODE_OUTPUT_FS, () => undefined);
  synthIn(out, 'b', false, counter);
  writeSteps = counter.steps;
  expect(snapshot(out)).toEqual(treeB);
});

test('a synth killed with SIGKILL at random moments of its write leaves the old or the new tree once the next run started', async () => {
  expect(writeSteps).toBeGreaterThan(60);
  const runs = 3;
  const outs = Array.from({ length: runs }, () => {
    const out = tempDir();
    restore(out, treeA);
    return out;
  });
  const children = await Promise.all(outs.map((out) => startChild(out)));
  // The runs go in parallel; each is killed after a random operation in its own part of the write
  // (the last quarter is left out: the kill arrives a few operations after it is decided).
  const killed = await Promise.all(
    children.map(async (child, i) => {
      const span = Math.floor((writeSteps * 3) / 4 / runs);
      const step = 1 + i * span + Math.floor(Math.random() * span);
      child.send('synth b');
      const seen = await child.line(`op ${step} `);
      child.process.kill('SIGKILL');
      const { signal, stderr } = await child.exited;
      const lastOp = Math.max(...child.lines.filter((l) => l.startsWith('op ')).map((l) => Number(l.split(' ')[1])));
      return { step, seen, signal, stderr, lastOp, done: child.lines.some((l) => l.startsWith('done')) };
    }),
  );
  for (const [i, run] of killed.entries()) {
    expect([run.step, run.seen, run.signal, run.stderr, run.done]).toEqual([
      run.step,
      expect.stringMatching(/^op \d+ \d+$/),
      'SIGKILL',
      '',
      false,
    ]);
    expect(run.lastOp).toBeLessThan(writeSteps);
    // The next run: a check recovers (finishes or undoes the write) and writes nothing else.
    const out = outs[i];
    synthIn(out, 'b', true);
    expect([run.lastOp, whichTree(snapshot(out), treeA, treeB)]).toEqual([run.lastOp, expect.stringMatching(/^(old|new)$/)]);
    expect(writerLeftovers(out)).toEqual([]);
    synthIn(out, 'b');
    expect(snapshot(out)).toEqual(treeB);
    expect(writerLeftovers(out)).toEqual([]);
  }
});

test('two synths of different specs into one folder at the same time never interleave: the tree is exactly one spec', async () => {
  const out = tempDir();
  const [a, b] = await Promise.all([startChild(out), startChild(out)]);
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const from = [a.lines.length, b.lines.length];
    a.send('synth a');
    b.send('synth b');
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
  a.process.stdin!.end();
  b.process.stdin!.end();
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  expect([ea.code, ea.stderr, eb.code, eb.stderr]).toEqual([0, '', 0, '']);
});
