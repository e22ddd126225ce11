/**
 * Writes the per-cluster directories into the output folder, atomically and with scoped pruning.
 *
 * - Everything is rendered and validated in memory before the first byte is written, so a bad
 *   spec or object leaves the output folder untouched.
 * - A directory is owned by spiremesh when its `spiremesh-index.yaml` names this mesh. Only the
 *   files listed in that index are ever changed or deleted, and a file is pruned only while its
 *   bytes still match the sha256 the index recorded (a file edited by hand is kept, with a
 *   warning). Anything else in the output folder, including foreign files inside an owned
 *   directory, is left alone. An index that cannot be parsed, or that names a path outside its
 *   directory, is refused.
 * - Nothing is read or written through a symbolic link: a link at a cluster directory's path or
 *   anywhere inside one is refused.
 * - The write itself (journal.ts) stages every new file, writes a journal, then switches by rename,
 *   so a crash or kill at any instant leaves the old tree or the new one once the next run started.
 *   (The cdk8s CLI's `cdk8s synth` deletes its whole output folder before running the app,
 *   cdk8s#2146; `npm run synth` runs the same app without that wipe.)
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { CommitOptions, commitChanges } from './journal';
import { OutputConflictError } from './output-errors';
import { LINK, NOT_REGULAR, lstatOrUndefined, readRegularFile, sha256OfFile } from './output-fs';
import { sha256OfRegularFiles } from './file-digests';
import { objectFilePath } from './layout';
import { parseIndexText } from './yaml-text';
import { sha256 } from './provenance';
import { GENERATED_HEADER, INDEX_FILE, KUSTOMIZATION_FILE, KUSTOMIZE_API_VERSION, isContainedPath, isWriterName } from './output-names';

export { INDEX_FILE } from './output-names';
export { OutputConflictError } from './output-errors';

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

interface PreviousIndex {
  readonly mesh: string;
  /** Every file the index lists (relative path) → the sha256 it was written with. */
  readonly files: ReadonlyMap<string, string>;
}

const LINK_FIX =
  'remove the link (spiremesh never reads or writes through one) and synthesize again; to keep the output elsewhere, pass that folder as --out DIR';

function refuseLink(p: string, what: string): OutputConflictError {
  let to = '';
  try {
    to = ` to ${fs.readlinkSync(p)}`;
  } catch {
    // The target is only for the message.
  }
  return new OutputConflictError(p, `${what} is a symbolic link${to}`, LINK_FIX);
}

/** The index of a directory, validated: it must parse and list only paths inside its directory. */
function readIndex(dirAbs: string): PreviousIndex | undefined {
  const file = path.join(dirAbs, INDEX_FILE);
  const st = lstatOrUndefined(file);
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw refuseLink(file, 'the index');
  const refuse = (message: string) =>
    new OutputConflictError(
      file,
      message,
      `restore it from git (git checkout -- ${file}) or delete it and the files it would list; if the directory is not spiremesh's, move it out of the output folder`,
    );
  if (!st.isFile()) throw refuse('is not a regular file');
  let doc: any;
  try {
    const text = fs.readFileSync(file, 'utf8');
    // The shape spiremesh writes is read without the YAML parser (yaml-text.ts; the same document), any other by it.
    doc = parseIndexText(text) ?? parseYaml(text);
  } catch (e) {
    throw refuse(`cannot be parsed as a spiremesh index: ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || typeof doc.mesh !== 'string' || !Array.isArray(doc.files)) {
    throw refuse('cannot be parsed as a spiremesh index: it needs a `mesh` name and a `files` list');
  }
  const files = new Map<string, string>();
  doc.files.forEach((entry: any, i: number) => {
    const rel = entry?.path;
    if (typeof rel !== 'string' || !isContainedPath(rel) || isWriterName(rel)) {
      throw refuse(
        `files[${i}] names ${JSON.stringify(rel)}, a path outside its directory (absolute, empty, '.' or '..' segments are never written by spiremesh)`,
      );
    }
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256)) {
      throw refuse(`files[${i}] (${rel}) has no valid sha256`);
    }
    files.set(rel, entry.sha256);
  });
  return { mesh: doc.mesh, files };
}

function notRegular(file: string): OutputConflictError {
  return new OutputConflictError(
    file,
    'is not a regular file (a directory or device) where spiremesh writes a file',
    'move it away, then synthesize again',
  );
}

/** Content of a file about to be written, or undefined; anything but a regular file is a conflict. */
function readTarget(file: string): string | undefined {
  const st = lstatOrUndefined(file);
  if (!st) return undefined;
  if (st.isSymbolicLink()) throw refuseLink(file, 'a file spiremesh writes');
  if (!st.isFile()) throw notRegular(file);
  return fs.readFileSync(file, 'utf8');
}

/**
 * Every entry under a cluster directory, relative and '/'-separated: `files` (everything but
 * directories, sorted) and `all` (directories too). Refuses a link at the directory's path or
 * anywhere inside it, and a file where the directory should be.
 */
function scanDirectory(dirAbs: string): DirectoryScan {
  const st = lstatOrUndefined(dirAbs);
  if (!st) return { files: [], all: new Set(), regular: new Set() };
  if (st.isSymbolicLink()) throw refuseLink(dirAbs, 'the cluster directory');
  if (!st.isDirectory()) {
    throw new OutputConflictError(dirAbs, 'is a file where spiremesh writes a cluster directory', 'move it away, then synthesize again');
  }
  const files: string[] = [];
  const all = new Set<string>();
  const regular = new Set<string>();
  const walk = (dir: string, prefix: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isSymbolicLink()) throw refuseLink(p, 'an entry of an owned cluster directory');
      all.add(`${prefix}${e.name}`);
      if (e.isDirectory()) walk(p, `${prefix}${e.name}/`);
      else files.push(`${prefix}${e.name}`);
      if (e.isFile()) regular.add(`${prefix}${e.name}`);
    }
  };
  walk(dirAbs, '');
  return { files: files.sort(), all, regular };
}

interface DirectoryScan {
  readonly files: readonly string[];
  /** Every entry, files and directories. */
  readonly all: ReadonlySet<string>;
  /** The entries that were regular files. */
  readonly regular: ReadonlySet<string>;
}

/** Content of a file the scan saw as a regular file (read without following a link; see readRegularFile). */
function readScannedFile(file: string): string | undefined {
  const text = readRegularFile(file);
  if (text === LINK) throw refuseLink(file, 'a file spiremesh writes');
  if (text === NOT_REGULAR) throw notRegular(file);
  return text;
}

/**
 * True when the scan shows nothing at `rel`, so the file need not be probed. Only for ASCII paths
 * with no entry that differs from it in case alone: on a case-insensitive file system (macOS,
 * Windows) such an entry is the same file, which the probe finds.
 */
function scanShowsAbsent(scan: DirectoryScan, folded: ReadonlySet<string>, rel: string): boolean {
  return !scan.all.has(rel) && /^[\x20-\x7e]*$/.test(rel) && !folded.has(rel.toLowerCase());
}

/** Rejects paths that would escape their directory. */
function assertInside(rel: string): void {
  if (!isContainedPath(rel)) {
    throw new Error(`refusing to write '${rel}': output paths must be relative and stay inside their directory`);
  }
}

/** Files of a previous index still on disk: those spiremesh wrote as they are can be pruned; the others are kept (`edited`: their warnings). */
function prunable(dirAbs: string, previous: PreviousIndex, keep: (rel: string) => boolean): { pruned: string[]; edited: string[] } {
  const pruned: string[] = [];
  const edited: string[] = [];
  for (const [rel, sha] of [...previous.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (keep(rel)) continue;
    const abs = path.join(dirAbs, rel);
    const st = lstatOrUndefined(abs);
    if (!st) continue;
    if (!st.isFile() || sha256OfFile(abs) !== sha) edited.push(editedWarning(abs));
    else if (!isRenderedFile(rel, abs)) edited.push(`listed in ${INDEX_FILE} but not a file spiremesh renders: ${abs}; left alone`);
    else pruned.push(rel);
  }
  return { pruned, edited };
}

/**
 * The index is the record of what spiremesh wrote, but it is a file in a repository anyone can
 * edit: a file is pruned only when its bytes are also what spiremesh renders there, the
 * kustomization, or one Kubernetes object whose file path is the one spiremesh derives from it
 * (so an index entry added for a hand-written file, even with the right sha256, deletes nothing).
 */
function isRenderedFile(rel: string, abs: string): boolean {
  let doc: any;
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
    doc = parseYaml(text);
  } catch {
    return false;
  }
  if (rel === KUSTOMIZATION_FILE) return doc?.kind === 'Kustomization';
  // The fleet bootstrap's per-cluster kustomizations (`_fleet/<cluster>/kustomization.yaml`), with spiremesh's header.
  if (rel.endsWith(`/${KUSTOMIZATION_FILE}`))
    return text.startsWith(GENERATED_HEADER) && doc?.apiVersion === KUSTOMIZE_API_VERSION && doc?.kind === 'Kustomization';
  const component = rel.split('/')[0];
  return (
    typeof doc?.kind === 'string' && typeof doc?.metadata?.name === 'string' && rel.includes('/') && objectFilePath(component, doc) === rel
  );
}

function editedWarning(abs: string): string {
  return `edited since spiremesh wrote it: ${abs}; delete it or restore it`;
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
    const scan = scanDirectory(dirAbs);
    const onDisk = scan.files;
    const folded = new Set([...scan.all].map((e) => e.toLowerCase()));
    const previous = readIndex(dirAbs);
    if (previous && previous.mesh !== mesh) {
      throw new OutputConflictError(
        path.join(outdir, out.dir),
        `belongs to mesh '${previous.mesh}' (see its ${INDEX_FILE}), not '${mesh}'`,
        'rename one of the clusters or write to another output folder',
      );
    }
    const owned = previous?.files ?? new Map<string, string>();
    const created: string[] = [];
    const changed: string[] = [];
    const unchanged: string[] = [];
    for (const [rel, content] of [...out.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      assertInside(rel);
      const abs = path.join(dirAbs, rel);
      // The scan of the directory lists what exists: only those paths are read (the others are new files).
      const current = scan.regular.has(rel) ? readScannedFile(abs) : scanShowsAbsent(scan, folded, rel) ? undefined : readTarget(abs);
      if (current === undefined) {
        created.push(rel);
        operations.set(abs, content);
      } else if (current === content) {
        // Ours, or byte-identical to what spiremesh writes (e.g. left by a run that was killed before its index).
        unchanged.push(rel);
      } else if (!owned.has(rel) && rel !== INDEX_FILE) {
        throw new OutputConflictError(
          abs,
          `exists but was not written by spiremesh (it is not in ${INDEX_FILE})`,
          'move it away, then synthesize again',
        );
      } else {
        changed.push(rel);
        operations.set(abs, content);
      }
    }
    const { pruned, edited } = previous ? prunable(dirAbs, previous, (rel) => out.files.has(rel)) : { pruned: [], edited: [] };
    for (const rel of pruned) operations.set(path.join(dirAbs, rel), null);
    warnings.push(...edited);
    for (const rel of onDisk) {
      if (!out.files.has(rel) && !owned.has(rel))
        warnings.push(`${path.join(outdir, out.dir, rel)} was not written by spiremesh; left alone`);
    }
    reports.push({ dir: out.dir, created, changed, unchanged, pruned });
  }

  // Directories of this mesh whose cluster is gone from the spec: prune what the last run wrote.
  // Links are not directories here, so a linked directory is never followed.
  if (fs.existsSync(outdir)) {
    for (const entry of fs
      .readdirSync(outdir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !isWriterName(e.name))
      .map((e) => e.name)
      .sort()) {
      if (wanted.has(entry)) continue;
      const dirAbs = path.join(outdir, entry);
      if (!lstatOrUndefined(path.join(dirAbs, INDEX_FILE))) continue;
      const previous = readIndex(dirAbs);
      if (!previous || previous.mesh !== mesh) continue;
      scanDirectory(dirAbs);
      const { pruned, edited } = prunable(dirAbs, previous, () => false);
      warnings.push(...edited);
      // The index goes last, and only when nothing it lists was kept: until then the directory stays owned.
      if (edited.length === 0) pruned.push(INDEX_FILE);
      for (const rel of pruned) operations.set(path.join(dirAbs, rel), null);
      reports.push({ dir: entry, created: [], changed: [], unchanged: [], pruned: pruned.sort() });
    }
  }
  return { outdir, directories: reports, warnings, operations };
}

/** One mesh's directories as a synth recorded them: each directory (in output order) with the sha256 of its index. */
export interface RecordedMeshOutput {
  readonly mesh: string;
  readonly directories: readonly (readonly [dir: string, indexSha256: string])[];
}

/**
 * The files of every recorded directory (sorted, the index included) when the output folder holds exactly what a synth
 * recorded; undefined as soon as anything differs. Exactly: each top-level file has its recorded sha256; each directory
 * is a real directory without a link anywhere inside, its index has the recorded sha256 and names the mesh, and it holds
 * the files that index lists and nothing else, each with the sha256 listed; and no other directory of these meshes is
 * in the output folder (a synth would prune it). Reads only. Whatever differs, the caller synthesizes in full, which
 * reports it (a foreign file, an edited one, a link, an index that cannot be parsed).
 */
export function recordedOutputFiles(
  outdir: string,
  meshes: readonly RecordedMeshOutput[],
  topLevelFiles: readonly (readonly [name: string, sha256: string])[],
): Map<string, string[]> | undefined {
  try {
    for (const [name, sha] of topLevelFiles) {
      const text = isContainedPath(name) ? readRegularFile(path.join(outdir, name)) : undefined;
      if (typeof text !== 'string' || sha256(text) !== sha) return undefined;
    }
    const files = new Map<string, string[]>();
    const listed: string[] = [];
    const expected: string[] = [];
    for (const { mesh, directories } of meshes) {
      for (const [dir, indexSha] of directories) {
        if (!isContainedPath(dir) || files.has(dir)) return undefined;
        const dirAbs = path.join(outdir, dir);
        const scan = scanDirectory(dirAbs);
        if (!scan.regular.has(INDEX_FILE)) return undefined;
        const indexText = readScannedFile(path.join(dirAbs, INDEX_FILE));
        if (indexText === undefined || sha256(indexText) !== indexSha) return undefined;
        const index = parseIndexText(indexText);
        // Every entry of the scan is a listed file or the index: one more than the index lists, each listed one regular.
        if (!index || index.mesh !== mesh || scan.files.length !== index.files.length + 1) return undefined;
        for (const entry of index.files) {
          if (entry.path === INDEX_FILE || !scan.regular.has(entry.path)) return undefined;
          listed.push(path.join(dirAbs, entry.path));
          expected.push(entry.sha256);
        }
        files.set(dir, [...index.files.map((f) => f.path), INDEX_FILE].sort());
      }
    }
    // The bytes, hashed as they are (no decoding, nothing kept: a fleet's files add up to hundreds of megabytes), on
    // several threads: reading them waits on the file system as much as on a core.
    const digests = sha256OfRegularFiles(listed);
    if (digests.some((d, i) => d !== expected[i])) return undefined;
    const names = new Set(meshes.map((m) => m.mesh));
    for (const e of fs.readdirSync(outdir, { withFileTypes: true })) {
      if (!e.isDirectory() || isWriterName(e.name) || files.has(e.name)) continue;
      if (!lstatOrUndefined(path.join(outdir, e.name, INDEX_FILE))) continue;
      const previous = readIndex(path.join(outdir, e.name));
      if (!previous || names.has(previous.mesh)) return undefined;
    }
    return files;
  } catch {
    return undefined;
  }
}

/**
 * Applies a plan: stages every new file, writes a journal, then switches by rename (journal.ts).
 * On an error the output folder is left as it was; after a kill the next run finishes or undoes
 * the switch. The caller holds the output folder's lock.
 */
export function applyOutput(plan: WritePlan, options: CommitOptions = {}): void {
  commitChanges(plan.outdir, plan.operations, options);
}

/**
 * Plans one top-level file that spiremesh owns by content: it is written only when absent or
 * when its first line is `marker` (written by spiremesh); a hand-written file of that name is a
 * conflict, never overwritten.
 */
export function planOwnedFile(outdir: string, name: string, content: string, marker: string): WritePlan {
  assertInside(name);
  const abs = path.join(outdir, name);
  const current = readTarget(abs);
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
