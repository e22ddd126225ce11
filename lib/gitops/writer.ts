/**
 * Writes the per-cluster directories into the output folder, atomically and with scoped pruning.
 *
 * - Everything is rendered and validated in memory before the first byte is written, so a bad
 *   spec or object leaves the output folder untouched.
 * - A directory is owned by spiremesh when its `spiremesh-index.yaml` names this mesh. Only the
 *   files listed in that index are ever changed or deleted (pruned); anything else in the output
 *   folder, including foreign files inside an owned directory, is left alone.
 * - Files are replaced by rename; if a write fails half-way, every file already changed is
 *   restored from an in-memory backup before the error is rethrown.
 *   (The cdk8s CLI's `cdk8s synth` deletes its whole output folder before running the app,
 *   cdk8s#2146; `npm run synth` runs the same app without that wipe.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { SpiremeshError } from '../spec';

/** Name of the per-directory index that records what spiremesh wrote. */
export const INDEX_FILE = 'spiremesh-index.yaml';

export interface DirectoryOutput {
  /** Directory relative to the output folder, e.g. 'cluster1'. */
  readonly dir: string;
  /** File path (relative to `dir`, '/'-separated) to content; must include INDEX_FILE. */
  readonly files: ReadonlyMap<string, string>;
}

export interface DirectoryReport {
  readonly dir: string;
  /** Files that did not exist before. */
  readonly created: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
  /** Files the previous run wrote and this run does not. */
  readonly pruned: readonly string[];
}

export interface WritePlan {
  readonly outdir: string;
  readonly directories: readonly DirectoryReport[];
  readonly warnings: readonly string[];
  /** Absolute path → new content, or null to delete. */
  readonly operations: ReadonlyMap<string, string | null>;
}

/** True when applying the plan would change anything on disk. */
export function planHasChanges(plan: WritePlan): boolean {
  return plan.operations.size > 0;
}

/** The output folder holds files spiremesh must not touch where it wants to write. */
export class OutputConflictError extends SpiremeshError {
  public constructor(file: string, message: string, fix: string) {
    super('the output folder cannot be written as planned; nothing was written:', [
      { severity: 'error', source: 'output', subject: file, message, fix },
    ]);
  }
}

interface PreviousIndex {
  readonly mesh: string;
  readonly files: readonly string[];
}

function readIndex(dirAbs: string): PreviousIndex | undefined {
  const file = path.join(dirAbs, INDEX_FILE);
  if (!fs.existsSync(file)) return undefined;
  const doc = parseYaml(fs.readFileSync(file, 'utf8'));
  const files = Array.isArray(doc?.files) ? doc.files.map((f: { path?: unknown }) => String(f.path)) : [];
  return { mesh: String(doc?.mesh ?? ''), files };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Every file under `dirAbs`, relative and '/'-separated, sorted. */
function listFiles(dirAbs: string, prefix = ''): string[] {
  if (!fs.existsSync(dirAbs)) return [];
  return fs
    .readdirSync(dirAbs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dirAbs, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** Rejects paths that would escape their directory. */
function assertInside(rel: string): void {
  if (rel.startsWith('/') || rel.split('/').some((p) => p === '..' || p === '')) {
    throw new Error(`refusing to write '${rel}': output paths must be relative and stay inside their directory`);
  }
}

/**
 * Compares the desired output with the disk and lists what would change. Reads only.
 * `mesh` names the owner: directories whose index names another mesh are never touched.
 */
export function planOutput(outdir: string, mesh: string, outputs: readonly DirectoryOutput[]): WritePlan {
  const operations = new Map<string, string | null>();
  const warnings: string[] = [];
  const reports: DirectoryReport[] = [];
  const wanted = new Set(outputs.map((o) => o.dir));

  for (const out of outputs) {
    assertInside(out.dir);
    if (!out.files.has(INDEX_FILE)) throw new Error(`output for '${out.dir}' has no ${INDEX_FILE}`);
    const dirAbs = path.join(outdir, out.dir);
    const previous = readIndex(dirAbs);
    if (previous && previous.mesh !== mesh) {
      throw new OutputConflictError(
        path.join(outdir, out.dir),
        `belongs to mesh '${previous.mesh}' (see its ${INDEX_FILE}), not '${mesh}'`,
        'rename one of the clusters or write to another output folder',
      );
    }
    const owned = new Set(previous?.files ?? []);
    const created: string[] = [];
    const changed: string[] = [];
    const unchanged: string[] = [];
    for (const [rel, content] of [...out.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      assertInside(rel);
      const abs = path.join(dirAbs, rel);
      const current = readIfExists(abs);
      if (current === undefined) {
        created.push(rel);
        operations.set(abs, content);
      } else if (!owned.has(rel) && rel !== INDEX_FILE) {
        throw new OutputConflictError(
          abs,
          `exists but was not written by spiremesh (it is not in ${INDEX_FILE})`,
          'move it away, then synthesize again',
        );
      } else if (current === content) {
        unchanged.push(rel);
      } else {
        changed.push(rel);
        operations.set(abs, content);
      }
    }
    const pruned = [...owned].filter((rel) => !out.files.has(rel) && fs.existsSync(path.join(dirAbs, rel))).sort();
    for (const rel of pruned) {
      assertInside(rel);
      operations.set(path.join(dirAbs, rel), null);
    }
    for (const rel of listFiles(dirAbs)) {
      if (!out.files.has(rel) && !owned.has(rel))
        warnings.push(`${path.join(outdir, out.dir, rel)} was not written by spiremesh; left alone`);
    }
    reports.push({ dir: out.dir, created, changed, unchanged, pruned });
  }

  // Directories of this mesh whose cluster is gone from the spec: prune what the last run wrote.
  if (fs.existsSync(outdir)) {
    for (const entry of fs
      .readdirSync(outdir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort()) {
      if (wanted.has(entry)) continue;
      const previous = readIndex(path.join(outdir, entry));
      if (!previous || previous.mesh !== mesh) continue;
      const pruned = [...previous.files, INDEX_FILE].filter((rel) => fs.existsSync(path.join(outdir, entry, rel))).sort();
      for (const rel of pruned) {
        assertInside(rel);
        operations.set(path.join(outdir, entry, rel), null);
      }
      reports.push({ dir: entry, created: [], changed: [], unchanged: [], pruned });
    }
  }
  return { outdir, directories: reports, warnings, operations };
}

/** Applies a plan; on any error restores every file it had already changed, then rethrows. */
export function applyOutput(plan: WritePlan): void {
  const backups = new Map<string, string | undefined>();
  const tempFiles: string[] = [];
  try {
    // Stage every new file next to its target first (same filesystem, so the rename is atomic).
    const staged = new Map<string, string>();
    let n = 0;
    for (const [abs, content] of plan.operations) {
      if (content === null) continue;
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.spiremesh-${process.pid}-${n++}.tmp`);
      fs.writeFileSync(tmp, content);
      tempFiles.push(tmp);
      staged.set(abs, tmp);
    }
    for (const abs of plan.operations.keys()) {
      backups.set(abs, readIfExists(abs));
      // Only files with content were staged; the others are deletions.
      const tmp = staged.get(abs);
      if (tmp === undefined) fs.rmSync(abs, { force: true });
      else fs.renameSync(tmp, abs);
    }
  } catch (e) {
    for (const [abs, original] of backups) {
      if (original === undefined) fs.rmSync(abs, { force: true });
      else fs.writeFileSync(abs, original);
    }
    for (const tmp of tempFiles) fs.rmSync(tmp, { force: true });
    throw e;
  }
  removeEmptyDirectories(plan);
}

/** Removes directories that pruning left empty, but only up to the owned directories. */
function removeEmptyDirectories(plan: WritePlan): void {
  const candidates = new Set<string>();
  for (const [abs, content] of plan.operations) {
    if (content !== null) continue;
    for (let dir = path.dirname(abs); dir.startsWith(plan.outdir + path.sep); dir = path.dirname(dir)) candidates.add(dir);
  }
  for (const dir of [...candidates].sort((a, b) => b.length - a.length)) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

/**
 * Plans one top-level file that spiremesh owns by content: it is written only when absent or
 * when its first line is `marker` (written by spiremesh); a hand-written file of that name is a
 * conflict, never overwritten.
 */
export function planOwnedFile(outdir: string, name: string, content: string, marker: string): WritePlan {
  assertInside(name);
  const abs = path.join(outdir, name);
  const current = readIfExists(abs);
  if (current !== undefined && !current.startsWith(marker)) {
    throw new OutputConflictError(
      abs,
      'exists but was not written by spiremesh (its first line is not the spiremesh marker)',
      'move it away, then synthesize again',
    );
  }
  const operations = new Map<string, string | null>();
  if (current !== content) operations.set(abs, content);
  const report: DirectoryReport = {
    dir: '.',
    created: current === undefined ? [name] : [],
    changed: current !== undefined && current !== content ? [name] : [],
    unchanged: current === content ? [name] : [],
    pruned: [],
  };
  return { outdir, directories: [report], warnings: [], operations };
}
