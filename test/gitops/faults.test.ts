/**
 * Crash safety of the output writer by fault injection: every filesystem operation of a write goes
 * through an injectable layer, so a write can be killed after any step k, or made to fail (disk
 * full, permission denied, read-only file system), and the tree checked afterwards.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { SynthesisResult, synthesize } from '../../lib';
import { describeError } from '../../lib/cli/main';
import { applyOutput, planOutput } from '../../lib/gitops';
import { recoverOutput } from '../../lib/gitops/journal';
import { OutputWriteError } from '../../lib/gitops/output-errors';
import { HookedOutputFs, NODE_OUTPUT_FS, OutputFs, OutputFsHook, SimulatedKill, failWith, killAfter } from '../../lib/gitops/output-fs';
import { JOURNAL_FILE } from '../../lib/gitops/output-names';
import { TEST_PROJECT, errorOf, tempDir } from '../helpers';
import { FolderSnapshot, declareFleet, renderedOutputs, restore, snapshot, whichTree, writerLeftovers } from './output-helpers';

// The change under test, over three clusters: c3 leaves (its directory is pruned), c1 and c2 lose
// their peer Gateway to c3 (pruned), a ConfigMap changes, one is created in a new folder, one is
// pruned, and kustomizations and indexes change. A hand-written file must survive everything.
const OLD = declareFleet(3, { extra: { kept: { v: '1' }, gone: { v: '1' } } });
const NEW = declareFleet(2, { extra: { kept: { v: '2' } }, added: { fresh: { v: '1' } } });
const FOREIGN = 'c1/NOTES.md';

const fleet = 'fleet';
const old = renderedOutputs(OLD).outputs;
const next = renderedOutputs(NEW).outputs;

/** The old tree on disk, and the tree the new output gives when written over it. */
function trees(): { oldTree: FolderSnapshot; newTree: FolderSnapshot } {
  const out = tempDir();
  applyOutput(planOutput(out, fleet, old));
  fs.writeFileSync(path.join(out, FOREIGN), 'hand-written\n');
  const oldTree = snapshot(out);
  applyOutput(planOutput(out, fleet, next));
  return { oldTree, newTree: snapshot(out) };
}

/**
 * Node's fs without the flush: the loops below test the order of operations, which a flush does
 * not change (fsync is still a step), and run hundreds of writes. Real writes fsync.
 */
const UNFLUSHED: OutputFs = { ...NODE_OUTPUT_FS, fsync: () => undefined };

/** Runs the new write over the old tree through `hook`; returns the steps attempted and the error thrown. */
function writeWith(out: string, hook: OutputFsHook, plan = planOutput(out, fleet, next)): { steps: number; error?: unknown } {
  const layer = new HookedOutputFs(UNFLUSHED, hook);
  try {
    applyOutput(plan, { fs: layer });
    return { steps: layer.steps };
  } catch (error) {
    return { steps: layer.steps, error };
  }
}

describe('a write killed at any step', () => {
  const { oldTree, newTree } = trees();

  test('the change creates, changes and prunes files in three clusters', () => {
    const changed = Object.keys(newTree.files).filter((f) => f in oldTree.files && newTree.files[f] !== oldTree.files[f]);
    expect(Object.keys(newTree.files).filter((f) => !(f in oldTree.files))).toContain('c1/added/configmap_spire-server_fresh.yaml');
    expect(changed).toEqual(expect.arrayContaining(['c1/extra/configmap_spire-server_kept.yaml', 'c2/kustomization.yaml']));
    expect(Object.keys(oldTree.files).filter((f) => !(f in newTree.files))).toEqual(
      expect.arrayContaining(['c1/extra/configmap_spire-server_gone.yaml', 'c3/spiremesh-index.yaml']),
    );
    expect(newTree.dirs).not.toContain('c3');
    expect(newTree.files[FOREIGN]).toBe('hand-written\n');
  });

  test('leaves exactly the old tree or the new one after recovery, and no temporary file, for every k', () => {
    const out = tempDir();
    restore(out, oldTree);
    const steps: string[] = [];
    const total = writeWith(out, (s) => void steps.push(`${s.op} ${s.dest ?? s.path}`)).steps;
    expect(snapshot(out)).toEqual(newTree);
    // The switch starts with the rename that puts the journal in place: before it the old tree, from it on the new one.
    const journalStep = steps.findIndex((s) => s.startsWith('rename ') && s.endsWith(`/${JOURNAL_FILE}`)) + 1;
    expect(journalStep).toBeGreaterThan(10);
    expect(total).toBeGreaterThan(journalStep + 40);

    const outcomes: string[] = [];
    restore(out, oldTree);
    // The disk is restored to the old tree before each k, so the plan against it is the same every time.
    const plan = planOutput(out, fleet, next);
    for (let k = 0; k <= total; k++) {
      restore(out, oldTree);
      const { error } = writeWith(out, killAfter(k), plan);
      if (k < total) expect(error).toBeInstanceOf(SimulatedKill);
      else expect(error).toBeUndefined();
      recoverOutput(out, UNFLUSHED);
      const outcome = whichTree(snapshot(out), oldTree, newTree);
      outcomes.push(outcome);
      expect([k, outcome]).toEqual([k, k < journalStep ? 'old' : 'new']);
      expect(writerLeftovers(out)).toEqual([]);
      // And the next normal write gives the new tree.
      if (outcome === 'old' || k % 5 === 0) {
        applyOutput(planOutput(out, fleet, next), { fs: UNFLUSHED });
        expect(snapshot(out)).toEqual(newTree);
      }
    }
    expect(outcomes.filter((o) => o === 'old')).toHaveLength(journalStep);
    expect(outcomes.filter((o) => o === 'new')).toHaveLength(total + 1 - journalStep);
  });

  test("a power loss that empties staged files (they are not fsync'd one by one) sends the recovery back to the old tree", () => {
    const out = tempDir();
    restore(out, oldTree);
    const steps: string[] = [];
    writeWith(out, (s) => void steps.push(`${s.op} ${s.dest ?? s.path}`));
    const journalStep = steps.findIndex((s) => s.startsWith('rename ') && s.endsWith(`/${JOURNAL_FILE}`)) + 1;
    // Killed right after the journal is in place, and a few renames into the switch.
    for (const k of [journalStep, journalStep + 4]) {
      restore(out, oldTree);
      expect(writeWith(out, killAfter(k)).error).toBeInstanceOf(SimulatedKill);
      // The data of the new files still staged never reached the disk: they come back empty (the backups of the old
      // files are renamed, not written, so they keep their bytes).
      const journal = JSON.parse(fs.readFileSync(path.join(out, JOURNAL_FILE), 'utf8'));
      const staged = journal.entries
        .filter((e: { staged?: string }) => e.staged !== undefined)
        .map((e: { staged: string }) => path.join(out, journal.staging, e.staged))
        .filter((f: string) => fs.existsSync(f));
      expect(staged.length).toBeGreaterThan(0);
      for (const f of staged) fs.truncateSync(f, 0);
      recoverOutput(out, UNFLUSHED);
      expect([k, whichTree(snapshot(out), oldTree, newTree)]).toEqual([k, 'old']);
      expect(writerLeftovers(out)).toEqual([]);
    }
  });

  test('a recovery that is itself killed at any step is finished by the next one', () => {
    const out = tempDir();
    restore(out, oldTree);
    const total = writeWith(out, () => undefined).steps;
    // Kill the write in the middle of its switch, then kill the recovery at every step j.
    const k = Math.floor((total * 2) / 3);
    restore(out, oldTree);
    writeWith(out, killAfter(k));
    const killed = snapshot(out);
    const recoverySteps = new HookedOutputFs(UNFLUSHED, () => undefined);
    recoverOutput(out, recoverySteps);
    expect(recoverySteps.steps).toBeGreaterThan(10);
    for (let j = 0; j <= recoverySteps.steps; j++) {
      restore(out, killed);
      try {
        recoverOutput(out, new HookedOutputFs(UNFLUSHED, killAfter(j)));
      } catch (e) {
        expect(e).toBeInstanceOf(SimulatedKill);
      }
      recoverOutput(out, UNFLUSHED);
      expect([j, whichTree(snapshot(out), oldTree, newTree)]).toEqual([j, 'new']);
      expect(writerLeftovers(out)).toEqual([]);
    }
  });

  test('a journal whose staged file is gone is rolled back to the old tree', () => {
    const out = tempDir();
    restore(out, oldTree);
    const journalStep: number[] = [];
    writeWith(out, (s) => {
      if (s.op === 'rename' && s.dest?.endsWith(JOURNAL_FILE)) journalStep.push(s.step);
    });
    restore(out, oldTree);
    // Killed a few renames into the switch; then one staged file that was not switched yet is lost.
    writeWith(out, killAfter(journalStep[0] + 6));
    const staging = fs.readdirSync(out).find((n) => n.startsWith('.spiremesh-tmp-staging-'))!;
    const staged = fs.readdirSync(path.join(out, staging)).filter((n) => n.endsWith('.new'));
    expect(staged.length).toBeGreaterThan(0);
    fs.rmSync(path.join(out, staging, staged[staged.length - 1]));
    const notes = recoverOutput(out);
    expect(notes.join('\n')).toContain('undid the write an earlier run was interrupted in');
    expect(whichTree(snapshot(out), oldTree, newTree)).toBe('old');
    expect(writerLeftovers(out)).toEqual([]);
  });

  test('a first synth killed half-way does not make the next one refuse its own files', () => {
    const fresh = tempDir();
    applyOutput(planOutput(fresh, fleet, next));
    const expected = snapshot(fresh);
    const out = tempDir();
    const total = (() => {
      const layer = new HookedOutputFs(UNFLUSHED, () => undefined);
      applyOutput(planOutput(out, fleet, next), { fs: layer });
      return layer.steps;
    })();
    for (let k = 0; k < total; k += 7) {
      fs.rmSync(out, { recursive: true });
      fs.mkdirSync(out);
      expect(() => applyOutput(planOutput(out, fleet, next), { fs: new HookedOutputFs(UNFLUSHED, killAfter(k)) })).toThrow(SimulatedKill);
      recoverOutput(out, UNFLUSHED);
      applyOutput(planOutput(out, fleet, next), { fs: UNFLUSHED });
      expect(snapshot(out)).toEqual(expected);
    }
  });
});

/** Synthesizes a fleet into `out` through `outputFs`; check mode writes nothing (but recovers). */
function synth(declare: (app: App) => unknown, out: string, options: { outputFs?: OutputFs; check?: boolean } = {}): SynthesisResult {
  const app = new App({ outdir: out });
  declare(app);
  return synthesize(app, { outdir: out, baseDir: TEST_PROJECT, ...options });
}

describe('synth through the injectable layer', () => {
  let oldTree: FolderSnapshot;
  beforeAll(() => {
    const base = tempDir();
    synth(OLD, base);
    oldTree = snapshot(base);
  });

  // Whole synths (review page included), killed at a few steps; then a check run recovers.
  test('a synth killed just before and after its journal leaves the old or the new output', () => {
    const newDir = tempDir();
    restore(newDir, oldTree);
    const steps: string[] = [];
    synth(NEW, newDir, { outputFs: new HookedOutputFs(NODE_OUTPUT_FS, (s) => void steps.push(`${s.op} ${s.dest ?? s.path}`)) });
    const newTree = snapshot(newDir);
    const journalStep = steps.findIndex((s) => s.startsWith('rename ') && s.endsWith(`/${JOURNAL_FILE}`)) + 1;
    for (const [k, expected] of [
      [journalStep - 1, 'old'],
      [journalStep + 5, 'new'],
    ] as const) {
      const out = tempDir();
      restore(out, oldTree);
      expect(() => synth(NEW, out, { outputFs: new HookedOutputFs(NODE_OUTPUT_FS, killAfter(k)) })).toThrow(SimulatedKill);
      const checked = synth(NEW, out, { check: true });
      expect([k, whichTree(snapshot(out), oldTree, newTree)]).toEqual([k, expected]);
      expect(checked.upToDate).toBe(expected === 'new');
      expect(writerLeftovers(out)).toEqual([]);
      synth(NEW, out);
      expect(snapshot(out)).toEqual(newTree);
    }
  });

  const cases: { name: string; code: string; when: (out: string) => OutputFsHook; message: RegExp; fix: RegExp }[] = [
    {
      name: 'disk full while staging (ENOSPC)',
      code: 'ENOSPC',
      when: () => {
        let writes = 0;
        return failWith('ENOSPC', (s) => s.op === 'writeFile' && ++writes >= 3);
      },
      message: /no space left on the device \(ENOSPC, writeFile\)/,
      fix: /free space on the file system that holds .* \(see df -h /,
    },
    {
      name: 'disk full while writing the journal (ENOSPC)',
      code: 'ENOSPC',
      when: () => failWith('ENOSPC', (s) => s.op === 'writeFile' && s.path.includes('.spiremesh-tmp-journal-')),
      message: /no space left on the device/,
      fix: /free space/,
    },
    {
      name: 'a read-only cluster directory (EACCES: chmod 0555, as a non-root user sees it)',
      code: 'EACCES',
      // c3 is pruned after c1 and c2 were switched: those are put back.
      // (Reading a directory to fsync it needs no write permission.)
      when: (out) =>
        failWith('EACCES', (s) => s.op !== 'fsync' && [s.path, s.dest].some((p) => p?.startsWith(path.join(out, 'c3') + path.sep))),
      message: /permission denied \(EACCES, rename\)/,
      fix: /make .*\/c3\/delivery writable for this user \(e\.g\. chmod u\+w .*\/c3\/delivery\), or write to another folder with --out DIR/,
    },
    {
      name: 'a read-only file system (EROFS)',
      code: 'EROFS',
      when: () => failWith('EROFS', () => true),
      message: /the file system is mounted read-only \(EROFS, mkdir\)/,
      fix: /remount the file system that holds .* read-write, or write to another folder with --out DIR/,
    },
  ];

  test.each(cases)(
    '$name: one clear message naming the path and the fix; the tree unchanged, no temporary file',
    ({ code, when, message, fix }) => {
      const out = tempDir();
      restore(out, oldTree);
      const before = snapshot(out);
      const e = errorOf(() => synth(NEW, out, { outputFs: new HookedOutputFs(NODE_OUTPUT_FS, when(out)) }));
      expect(e).toBeInstanceOf(OutputWriteError);
      expect((e as OutputWriteError).code).toBe(code);
      expect(e.message).toMatch(/^the output folder could not be written; it was left as it was:\n {2}error \[output\] \//);
      expect(e.message).toMatch(message);
      expect(e.message).toMatch(fix);
      expect(e.message.split('\n')).toHaveLength(3);
      const printed = describeError(e, false);
      expect(printed).not.toContain('    at ');
      expect(printed.startsWith('spiremesh: the output folder could not be written')).toBe(true);
      expect(snapshot(out)).toEqual(before);
      expect(writerLeftovers(out)).toEqual([]);
      // Nothing half-written: no empty index anywhere.
      expect(Object.entries(before.files).filter(([f, text]) => f.endsWith('spiremesh-index.yaml') && text === '')).toEqual([]);
    },
  );

  const isRoot = process.getuid?.() === 0;
  // Root ignores permission bits (CI runs as root), so the injected EACCES above is what runs there.
  (isRoot ? test.skip : test)('a cluster directory made read-only with chmod 0555 is refused, the tree unchanged', () => {
    const out = tempDir();
    restore(out, oldTree);
    const before = snapshot(out);
    fs.chmodSync(path.join(out, 'c3'), 0o555);
    try {
      const e = errorOf(() => synth(NEW, out));
      expect(e).toBeInstanceOf(OutputWriteError);
      expect(e.message).toContain('permission denied (EACCES');
      expect(snapshot(out)).toEqual(before);
      expect(writerLeftovers(out)).toEqual([]);
    } finally {
      fs.chmodSync(path.join(out, 'c3'), 0o755);
    }
  });
});
