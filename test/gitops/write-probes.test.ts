/**
 * The writer knows from its plan what exists: it reads each directory once instead of probing each file, creates each
 * directory once, and still refuses what appeared since the plan (a link, a directory where a file goes). Counts are of
 * calls, not of time (no timed assertion: the numbers are in bench/).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { applyOutput, planOutput, OutputConflictError } from '../../lib/gitops';
import { HookedOutputFs, LINK, NODE_OUTPUT_FS, NOT_REGULAR, OutputFsStep, readRegularFile } from '../../lib/gitops/output-fs';
import { errorOf, tempDir } from '../helpers';
import { declareFleet, renderedOutputs, snapshot, writerLeftovers } from './output-helpers';

// The module object itself (the `import * as` binding is a read-only view): what the writer's calls go to.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFs: typeof fs = require('fs');

const fleet = 'fleet';
const first = renderedOutputs(declareFleet(3, { kept: { settings: { v: '1' } } })).outputs;
const second = renderedOutputs(declareFleet(3, { kept: { settings: { v: '2' } } })).outputs;
const fileCount = first.reduce((n, o) => n + o.files.size, 0);
const dirsOf = (outputs: typeof first) =>
  new Set(
    outputs.flatMap((o) =>
      [...o.files.keys()].flatMap((rel) => {
        const parts = `${o.dir}/${rel}`.split('/').slice(0, -1);
        return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
      }),
    ),
  );
const dirCount = dirsOf(first).size;

/** Runs `fn` counting fs.lstatSync calls and the write's steps. */
function counted(fn: (fsx: HookedOutputFs) => void): { lstat: number; steps: OutputFsStep[] } {
  const steps: OutputFsStep[] = [];
  const fsx = new HookedOutputFs(NODE_OUTPUT_FS, (s) => void steps.push(s));
  const spy = jest.spyOn(nodeFs, 'lstatSync');
  try {
    fn(fsx);
    return { lstat: spy.mock.calls.length, steps };
  } finally {
    spy.mockRestore();
  }
}

describe('no probe per file', () => {
  test('a first write: one look per directory, one mkdir per directory, no lstat per file', () => {
    const out = tempDir();
    const { lstat, steps } = counted((fsx) => applyOutput(planOutput(out, fleet, first), { fs: fsx }));
    expect(fileCount).toBeGreaterThan(3 * dirCount);
    // The plan looks at each cluster directory, the journal at each directory once; nothing per file.
    expect(lstat).toBeLessThanOrEqual(2 * dirCount + 10);
    const mkdirs = steps.filter((s) => s.op === 'mkdir').map((s) => s.path);
    expect(new Set(mkdirs).size).toBe(mkdirs.length);
    expect(mkdirs).toHaveLength(dirCount + 1); // every directory, and the staging folder
    expect(snapshot(out).files[`${first[0].dir}/spiremesh-index.yaml`]).toBe(first[0].files.get('spiremesh-index.yaml'));
    expect(writerLeftovers(out)).toEqual([]);
  });

  test('a rewrite: existing files are read once each (no lstat before the read), replaced ones probed once', () => {
    const out = tempDir();
    applyOutput(planOutput(out, fleet, first));
    let changed = 0;
    const { lstat, steps } = counted((fsx) => {
      const plan = planOutput(out, fleet, second);
      changed = plan.operations.size;
      applyOutput(plan, { fs: fsx });
    });
    expect(changed).toBeGreaterThan(0);
    expect(changed).toBeLessThan(fileCount / 3);
    // Per directory (scan, journal) and per replaced file (its backup is taken, then removed); none per unchanged file.
    expect(lstat).toBeLessThanOrEqual(2 * dirCount + 2 * changed + 10);
    expect(steps.filter((s) => s.op === 'mkdir')).toHaveLength(1); // the staging folder only
    const after = snapshot(out);
    for (const o of second) for (const [rel, text] of o.files) expect(after.files[`${o.dir}/${rel}`]).toBe(text);
    expect(writerLeftovers(out)).toEqual([]);
  });
});

describe('what appeared since the plan is still refused', () => {
  test('a directory replaced by a link: refused, nothing written through it', () => {
    const out = tempDir();
    const elsewhere = tempDir();
    applyOutput(planOutput(out, fleet, first));
    const plan = planOutput(out, fleet, second);
    const dir = path.join(out, first[0].dir, 'kept');
    fs.renameSync(dir, path.join(elsewhere, 'kept'));
    fs.symlinkSync(path.join(elsewhere, 'kept'), dir);
    const before = snapshot(out);
    const elsewhereBefore = snapshot(elsewhere);
    const e = errorOf(() => applyOutput(plan));
    expect(e).toBeInstanceOf(OutputConflictError);
    expect((e as Error).message).toContain('symbolic link');
    expect(snapshot(out)).toEqual(before);
    expect(snapshot(elsewhere)).toEqual(elsewhereBefore);
    expect(writerLeftovers(out)).toEqual([]);
  });

  test('a directory where a new file goes: refused, the folder as it was', () => {
    const out = tempDir();
    const plan = planOutput(out, fleet, first);
    const target = [...plan.operations.keys()].find((p) => p.endsWith('kustomization.yaml'))!;
    fs.mkdirSync(target, { recursive: true });
    const before = snapshot(out);
    const e = errorOf(() => applyOutput(plan));
    expect(e).toBeInstanceOf(OutputConflictError);
    expect((e as Error).message).toContain('not a regular file');
    expect(snapshot(out)).toEqual(before);
  });

  test('a link where a changed file goes: refused, the link and its target kept', () => {
    const out = tempDir();
    applyOutput(planOutput(out, fleet, first));
    const plan = planOutput(out, fleet, second);
    const target = [...plan.operations.keys()].find((p) => p.includes(`${path.sep}kept${path.sep}`))!;
    const outside = path.join(tempDir(), 'outside.yaml');
    fs.writeFileSync(outside, 'outside\n');
    fs.rmSync(target);
    fs.symlinkSync(outside, target);
    const before = snapshot(out);
    expect(errorOf(() => applyOutput(plan))).toBeInstanceOf(OutputConflictError);
    expect(snapshot(out)).toEqual(before);
    expect(fs.readFileSync(outside, 'utf8')).toBe('outside\n');
  });

  test('planning over a link at a file path still refuses it (the read does not follow links)', () => {
    const out = tempDir();
    applyOutput(planOutput(out, fleet, first));
    const rel = [...first[0].files.keys()].find((p) => p.startsWith('kept/'))!;
    const abs = path.join(out, first[0].dir, rel);
    const outside = path.join(tempDir(), 'outside.yaml');
    fs.writeFileSync(outside, first[0].files.get(rel)!);
    fs.rmSync(abs);
    fs.symlinkSync(outside, abs);
    expect(errorOf(() => planOutput(out, fleet, first))).toBeInstanceOf(OutputConflictError);
  });
});

describe('readRegularFile', () => {
  test('a regular file, nothing, a link, a directory, a pipe', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.yaml');
    fs.writeFileSync(file, 'é: 1\n'.repeat(20_000));
    expect(readRegularFile(file)).toBe('é: 1\n'.repeat(20_000));
    fs.writeFileSync(path.join(dir, 'empty'), '');
    expect(readRegularFile(path.join(dir, 'empty'))).toBe('');
    expect(readRegularFile(path.join(dir, 'missing'))).toBeUndefined();
    expect(readRegularFile(path.join(dir, 'a.yaml', 'below-a-file'))).toBeUndefined();
    fs.symlinkSync(file, path.join(dir, 'link'));
    expect(readRegularFile(path.join(dir, 'link'))).toBe(LINK);
    expect(readRegularFile(dir)).toBe(NOT_REGULAR);
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    // Opened without blocking (no writer), then refused.
    expect(readRegularFile(path.join(dir, 'pipe'))).toBe(NOT_REGULAR);
  });
});
