/**
 * The switch from the old output tree to the new one, safe against a crash or a kill at any instant.
 *
 * 1. Stage: every new or changed file is written into a staging folder at the top of the output
 *    folder (so on the same file system as its target). The files are not fsync'd one by one (at
 *    14,000 files that was most of a synth's wall time): a kill leaves the page cache intact, and
 *    after a power loss the recovery switches forward only when every staged file still has the
 *    sha256 the journal records (canSwitchForward), else back from the backups; a file emptied
 *    after a finished switch differs from the next synth's plan, which rewrites it. The journal
 *    and the directories are fsync'd.
 * 2. Journal: the planned renames and deletes are written to a temporary file, fsync'd, and renamed
 *    to JOURNAL_FILE, before the first rename of the switch.
 * 3. Switch: each file that is replaced or deleted is first moved into the staging folder (its
 *    backup), then the staged file is renamed onto its target; the parents are fsync'd.
 * 4. Finish: the staging folder (now the backups), directories left empty and the journal are removed.
 *
 * Killed before the journal exists, a run leaves the old tree (plus temporary files); killed after,
 * it leaves the journal, and the next run (synth or check) finishes it before reading anything:
 * forward when every new file is in place or still staged, else back from the backups.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SpiremeshError } from '../spec';
import { OutputConflictError, OutputRecoveryError, OutputWriteError, isErrnoError } from './output-errors';
import { NODE_OUTPUT_FS, OutputFs, SimulatedKill, isRealDirectory, isRegularFile, lstatOrUndefined, sha256OfFile } from './output-fs';
import {
  INDEX_FILE,
  JOURNAL_FILE,
  JOURNAL_NEXT_PREFIX,
  LEGACY_TEMP_FILE,
  STAGING_DIR_PREFIX,
  TEMP_PREFIX,
  isContainedPath,
} from './output-names';
import { sha256 } from './provenance';

const JOURNAL_FORMAT = 'spiremesh-output-journal/v1';

interface JournalEntry {
  /** The file, relative to the output folder, '/'-separated. */
  readonly target: string;
  /** The new content: a name in the staging folder, and its sha256. Absent for a delete. */
  readonly staged?: string;
  readonly sha256?: string;
  /** Where the previous file waits until the switch is done (a name in the staging folder). Absent when there was none. */
  readonly backup?: string;
}

interface Journal {
  readonly format: typeof JOURNAL_FORMAT;
  /** The staging folder of the run that wrote the journal (a name at the top of the output folder). */
  readonly staging: string;
  readonly entries: readonly JournalEntry[];
  /** Directories the switch creates, parents first; undoing the switch removes them when empty. */
  readonly createdDirs: readonly string[];
  /** Directories deletes may leave empty, deepest first; removed when empty once the switch is done. */
  readonly emptiedDirs: readonly string[];
}

export interface CommitOptions {
  /**
   * The filesystem operations.
   * @default NODE_OUTPUT_FS
   */
  readonly fs?: OutputFs;
  /**
   * Called once everything is staged, right before the journal is written (the caller checks it
   * still holds the output folder's lock); throwing aborts the write with nothing changed.
   * @default - nothing
   */
  readonly beforeSwitch?: () => void;
}

/** Relative, '/'-separated path of `abs` inside `outdir`; throws for a path outside it. */
function relativeInside(outdir: string, abs: string): string {
  // `abs` as the writer builds it (path.join of the output folder and a contained path): the rest after the folder.
  const prefix = outdir.endsWith(path.sep) ? outdir : `${outdir}${path.sep}`;
  if (outdir !== '' && abs.startsWith(prefix)) {
    const rest = abs.slice(prefix.length);
    const rel = path.sep === '/' ? rest : rest.split(path.sep).join('/');
    if (isContainedPath(rel)) return rel;
  }
  const rel = path.relative(outdir, abs).split(path.sep).join('/');
  if (!isContainedPath(rel)) throw new Error(`refusing to write '${abs}': it is not inside the output folder ${outdir}`);
  return rel;
}

/** Every ancestor of `rel` inside the output folder, outermost first ('a/b/c' → 'a', 'a/b'). */
function ancestors(rel: string): string[] {
  const parts = rel.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * Applies `operations` (absolute path → new content, or null to delete) to the output folder
 * through staging, journal and switch. On an error the folder is left as it was (the switch is
 * undone); on a kill the next run's {@link recoverOutput} finishes or undoes it.
 */
export function commitChanges(outdir: string, operations: ReadonlyMap<string, string | null>, options: CommitOptions = {}): void {
  if (operations.size === 0) return;
  const fsx = options.fs ?? NODE_OUTPUT_FS;
  const runId = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const { journal, contents } = planJournal(outdir, operations, `${STAGING_DIR_PREFIX}${runId}`);
  const staging = path.join(outdir, journal.staging);
  const journalNext = path.join(outdir, `${JOURNAL_NEXT_PREFIX}${runId}`);

  try {
    fsx.mkdir(staging);
    for (const [name, content] of contents) {
      const file = path.join(staging, name);
      fsx.writeFile(file, content);
    }
    fsx.fsync(staging);
    options.beforeSwitch?.();
    fsx.writeFile(journalNext, `${JSON.stringify(journal, null, 1)}\n`);
    fsx.fsync(journalNext);
    fsx.rename(journalNext, path.join(outdir, JOURNAL_FILE));
    fsx.fsync(outdir);
  } catch (e) {
    if (e instanceof SimulatedKill) throw e;
    bestEffort(() => removeTree(journalNext, fsx));
    bestEffort(() => removeTree(staging, fsx));
    throw outputError(outdir, e, 'unchanged');
  }

  try {
    switchForward(outdir, journal, fsx, true);
  } catch (e) {
    if (e instanceof SimulatedKill) throw e;
    try {
      switchBack(outdir, journal, fsx);
      finishJournal(outdir, journal, fsx);
    } catch (undo) {
      if (undo instanceof SimulatedKill) throw undo;
      throw outputError(outdir, e, 'journaled');
    }
    throw outputError(outdir, e, 'unchanged');
  }
  try {
    finishJournal(outdir, journal, fsx);
  } catch (e) {
    if (e instanceof SimulatedKill) throw e;
    throw outputError(outdir, e, 'written');
  }
}

/** What is at a directory inside the output folder: a directory, nothing (also below a file), or a file or device. */
type DirState = 'dir' | 'missing' | 'notdir';

/**
 * The journal of `operations`, and the content of each staged file by its name in the staging folder.
 * What exists is read once per directory (its state, then one listing of each existing parent), not once per file.
 */
function planJournal(
  outdir: string,
  operations: ReadonlyMap<string, string | null>,
  staging: string,
): { journal: Journal; contents: Map<string, string> } {
  const entries: JournalEntry[] = [];
  const contents = new Map<string, string>();
  const createdDirs = new Set<string>();
  const emptiedDirs = new Set<string>();
  const dirStates = new Map<string, DirState>();
  const listings = new Map<string, DirectoryListing>();
  const stateOf = (dir: string): DirState => {
    const known = dirStates.get(dir);
    if (known !== undefined) return known;
    const parent = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : undefined;
    let state: DirState;
    if (parent !== undefined && stateOf(parent) !== 'dir') state = 'missing';
    else {
      const st = lstatOrUndefined(path.join(outdir, dir));
      if (st?.isSymbolicLink()) {
        // Replaced by a link since the plan was made: nothing is written through it.
        throw new OutputConflictError(
          path.join(outdir, dir),
          'is a symbolic link where spiremesh writes a directory',
          'remove the link (spiremesh never reads or writes through one) and synthesize again',
        );
      }
      state = !st ? 'missing' : st.isDirectory() ? 'dir' : 'notdir';
    }
    dirStates.set(dir, state);
    return state;
  };
  /** The entry at `target` (relative): undefined when nothing is there, else whether it is a regular file. */
  const entryAt = (target: string, abs: string): { isFile(): boolean } | undefined => {
    const slash = target.lastIndexOf('/');
    const parent = slash === -1 ? '' : target.slice(0, slash);
    if (parent !== '' && stateOf(parent) !== 'dir') return undefined;
    let listing = listings.get(parent);
    if (listing === undefined) {
      listing = listDirectory(path.join(outdir, parent));
      listings.set(parent, listing);
    }
    const name = target.slice(slash + 1);
    const entry = listing.byName.get(name);
    if (entry !== undefined) return entry;
    // A name the listing may hold in another case (case-insensitive file systems) or another normalisation: ask the file system.
    if (!/^[\x20-\x7e]*$/.test(name) || listing.folded.has(name.toLowerCase())) return lstatOrUndefined(abs);
    return undefined;
  };
  let n = 0;
  for (const [abs, content] of operations) {
    const target = relativeInside(outdir, abs);
    const i = n++;
    const st = entryAt(target, abs);
    if (st && !st.isFile()) {
      // Appeared since the plan was made: never moved, never deleted.
      throw new OutputConflictError(
        abs,
        'is not a regular file (a directory, link or device) where spiremesh writes a file',
        'move it away, then synthesize again',
      );
    }
    const existed = st !== undefined;
    if (content !== null) contents.set(`${i}.new`, content);
    entries.push({
      target,
      ...(content !== null ? { staged: `${i}.new`, sha256: sha256(content) } : {}),
      ...(existed ? { backup: `${i}.old` } : {}),
    });
    for (const dir of ancestors(target)) {
      if (content !== null && stateOf(dir) !== 'dir') createdDirs.add(dir);
      if (content === null) emptiedDirs.add(dir);
    }
  }
  const depth = (d: string) => d.split('/').length;
  const journal: Journal = {
    format: JOURNAL_FORMAT,
    staging,
    entries,
    createdDirs: [...createdDirs].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1)),
    emptiedDirs: [...emptiedDirs].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : 1)),
  };
  return { journal, contents };
}

interface DirectoryListing {
  /** Entry name → its type (links are neither files nor directories). */
  readonly byName: ReadonlyMap<string, fs.Dirent>;
  /** Every name, lower case. */
  readonly folded: ReadonlySet<string>;
}

function listDirectory(dir: string): DirectoryListing {
  const byName = new Map<string, fs.Dirent>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) byName.set(e.name, e);
  return { byName, folded: new Set([...byName.keys()].map((k) => k.toLowerCase())) };
}

interface EntryPaths {
  readonly target: string;
  readonly staged?: string;
  readonly backup?: string;
}

function pathsOf(outdir: string, journal: Journal, entry: JournalEntry): EntryPaths {
  const staging = path.join(outdir, journal.staging);
  return {
    target: path.join(outdir, entry.target),
    staged: entry.staged === undefined ? undefined : path.join(staging, entry.staged),
    backup: entry.backup === undefined ? undefined : path.join(staging, entry.backup),
  };
}

/**
 * Moves each replaced or deleted file to its backup, then each staged file onto its target. Idempotent.
 * `fresh`: right after this run staged the files and wrote the journal, so every staged file is in
 * the staging folder and no backup exists yet (its names are new); only the targets are looked at.
 * (A staged file that went missing makes its rename fail, and the switch is undone.)
 */
function switchForward(outdir: string, journal: Journal, fsx: OutputFs, fresh = false): void {
  for (const dir of journal.createdDirs) {
    // Parents first; the plan found none of them (mkdir is recursive, so one made meanwhile is no error).
    if (fresh || !isRealDirectory(path.join(outdir, dir))) fsx.mkdir(path.join(outdir, dir));
  }
  if (fresh) {
    for (const entry of journal.entries) {
      const { target, staged, backup } = pathsOf(outdir, journal, entry);
      if (backup && isRegularFile(target)) fsx.rename(target, backup);
      if (staged) fsx.rename(staged, target);
    }
    syncParents(outdir, journal, fsx);
    return;
  }
  for (const entry of journal.entries) {
    const { target, staged, backup } = pathsOf(outdir, journal, entry);
    const stagedThere = staged !== undefined && isRegularFile(staged);
    // The target is still the previous file when its backup is not taken yet and its new file is still staged.
    if (backup && !lstatOrUndefined(backup) && isRegularFile(target) && (staged === undefined || stagedThere)) fsx.rename(target, backup);
    if (stagedThere) fsx.rename(staged, target);
  }
  syncParents(outdir, journal, fsx);
}

/** Puts every backup back and removes the files the switch created. Idempotent. */
function switchBack(outdir: string, journal: Journal, fsx: OutputFs): void {
  for (const entry of [...journal.entries].reverse()) {
    const { target, staged, backup } = pathsOf(outdir, journal, entry);
    if (backup && lstatOrUndefined(backup)) fsx.rename(backup, target);
    else if (!backup && staged && !lstatOrUndefined(staged) && isRegularFile(target) && sha256OfFile(target) === entry.sha256)
      fsx.rm(target);
  }
  for (const dir of [...journal.createdDirs].reverse()) removeIfEmpty(path.join(outdir, dir), fsx);
  syncParents(outdir, journal, fsx);
}

/** True when every new file is either still staged or already in place (so the switch can be completed). */
function canSwitchForward(outdir: string, journal: Journal): boolean {
  const holds = (file: string | undefined, sha: string | undefined) =>
    file !== undefined && isRegularFile(file) && sha256OfFile(file) === sha;
  return journal.entries.every((entry) => {
    if (entry.staged === undefined) return true;
    const { target, staged } = pathsOf(outdir, journal, entry);
    return holds(staged, entry.sha256) || holds(target, entry.sha256);
  });
}

function syncParents(outdir: string, journal: Journal, fsx: OutputFs): void {
  const dirs = new Set<string>([path.join(outdir, journal.staging)]);
  for (const entry of journal.entries) dirs.add(path.dirname(path.join(outdir, entry.target)));
  for (const dir of dirs) if (isRealDirectory(dir)) fsx.fsync(dir);
}

/** Removes the staging folder (backups or unused new files), the directories left empty, then the journal. */
function finishJournal(outdir: string, journal: Journal, fsx: OutputFs): void {
  removeTree(path.join(outdir, journal.staging), fsx);
  for (const dir of journal.emptiedDirs) removeIfEmpty(path.join(outdir, dir), fsx);
  fsx.rm(path.join(outdir, JOURNAL_FILE));
  fsx.fsync(outdir);
}

function removeIfEmpty(dir: string, fsx: OutputFs): void {
  if (isRealDirectory(dir) && fs.readdirSync(dir).length === 0) fsx.rmdir(dir);
}

/** Removes a file, a link (never what it points to) or a directory tree; returns how many files it removed. */
function removeTree(p: string, fsx: OutputFs): number {
  const st = lstatOrUndefined(p);
  if (!st) return 0;
  if (!st.isDirectory()) {
    fsx.rm(p);
    return 1;
  }
  let removed = 0;
  for (const name of fs.readdirSync(p)) removed += removeTree(path.join(p, name), fsx);
  fsx.rmdir(p);
  return removed;
}

function bestEffort(action: () => void): void {
  try {
    action();
  } catch {
    // The next run removes whatever is left (every temporary name carries TEMP_PREFIX).
  }
}

/** Errors from the operating system become one clear message; errors of spiremesh or bugs pass unchanged. */
function outputError(outdir: string, e: unknown, outcome: 'unchanged' | 'journaled' | 'written'): unknown {
  if (SpiremeshError.isSpiremeshError(e) || !isErrnoError(e)) return e;
  return new OutputWriteError(outdir, e, outcome);
}

// Recovery -------------------------------------------------------------------------------------

/**
 * Run first by every synth and check, under the output folder's lock: finishes the journal of an
 * interrupted write (forward when all its new files exist, else back), then removes every
 * temporary file. Returns one note per thing it did (none when the folder was clean).
 */
export function recoverOutput(outdir: string, fsx: OutputFs = NODE_OUTPUT_FS): string[] {
  if (!fs.existsSync(outdir) || !fs.statSync(outdir).isDirectory()) return [];
  const notes: string[] = [];
  const journalFile = path.join(outdir, JOURNAL_FILE);
  if (lstatOrUndefined(journalFile)) {
    const journal = readJournal(outdir, journalFile);
    const forward = canSwitchForward(outdir, journal);
    try {
      if (forward) switchForward(outdir, journal, fsx);
      else switchBack(outdir, journal, fsx);
    } catch (e) {
      if (e instanceof SimulatedKill) throw e;
      if (forward) bestEffort(() => switchBack(outdir, journal, fsx));
      throw outputError(outdir, e, 'journaled');
    }
    finishJournal(outdir, journal, fsx);
    notes.push(
      forward
        ? `${outdir}: finished the write an earlier run was interrupted in (its new files are in place)`
        : `${outdir}: undid the write an earlier run was interrupted in (the previous files are back)`,
    );
  }
  const removed = removeTemporaries(outdir, fsx);
  if (removed > 0) notes.push(`${outdir}: removed ${removed} temporary file(s) left by an interrupted run`);
  return notes;
}

/**
 * True when an earlier run left its write unfinished: a journal, or temporary names at the top of the output folder
 * (recoverOutput finishes or undoes it). Reads only.
 */
export function hasInterruptedWrite(outdir: string): boolean {
  if (lstatOrUndefined(path.join(outdir, JOURNAL_FILE))) return true;
  return fs.readdirSync(outdir).some((name) => name.startsWith(TEMP_PREFIX));
}

/** Temporary names at the top of the output folder, and the older writer's temporary files inside owned directories. */
function removeTemporaries(outdir: string, fsx: OutputFs): number {
  let removed = 0;
  for (const entry of fs.readdirSync(outdir, { withFileTypes: true })) {
    const p = path.join(outdir, entry.name);
    if (entry.name.startsWith(TEMP_PREFIX)) removed += removeTree(p, fsx);
    else if (entry.isDirectory() && isRegularFile(path.join(p, INDEX_FILE))) removed += removeLegacyTemporaries(p, fsx);
  }
  return removed;
}

function removeLegacyTemporaries(dir: string, fsx: OutputFs): number {
  let removed = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) removed += removeLegacyTemporaries(p, fsx);
    else if (entry.isFile() && LEGACY_TEMP_FILE.test(entry.name)) removed += removeTree(p, fsx);
  }
  return removed;
}

/** Reads and validates a journal: it must name only paths inside the output folder, reached without a symbolic link. */
function readJournal(outdir: string, file: string): Journal {
  const fix =
    `the journal is written in one rename and never edited, so it was damaged: compare ${outdir} with git (git status -- ${outdir}), ` +
    `restore what is wrong, then delete ${file} and the ${TEMP_PREFIX}* entries next to it`;
  const refuse = (message: string) => new OutputRecoveryError(file, message, fix);
  if (!isRegularFile(file)) throw refuse('is not a regular file');
  let doc: any;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw refuse(`cannot be parsed (${(e as Error).message})`);
  }
  const pathList = (v: unknown) => Array.isArray(v) && v.every((d) => isContainedPath(d));
  const validEntry = (e: any) =>
    e !== null &&
    typeof e === 'object' &&
    isContainedPath(e.target) &&
    (e.staged === undefined ? e.sha256 === undefined : /^\d+\.new$/.test(e.staged) && /^[0-9a-f]{64}$/.test(e.sha256)) &&
    (e.backup === undefined || /^\d+\.old$/.test(e.backup));
  if (
    doc === null ||
    typeof doc !== 'object' ||
    doc.format !== JOURNAL_FORMAT ||
    typeof doc.staging !== 'string' ||
    !new RegExp(`^${STAGING_DIR_PREFIX.replace(/\./g, '\\.')}[0-9a-f-]+$`).test(doc.staging) ||
    !Array.isArray(doc.entries) ||
    !doc.entries.every(validEntry) ||
    !pathList(doc.createdDirs) ||
    !pathList(doc.emptiedDirs)
  ) {
    throw refuse(`is not a ${JOURNAL_FORMAT} journal, or names a path outside the output folder`);
  }
  const journal = doc as Journal;
  const staging = path.join(outdir, journal.staging);
  if (lstatOrUndefined(staging) && !isRealDirectory(staging)) throw refuse(`its staging folder ${staging} is not a directory`);
  for (const rel of [...journal.entries.map((e) => e.target), ...journal.createdDirs, ...journal.emptiedDirs]) {
    for (const dir of ancestors(rel)) {
      if (lstatOrUndefined(path.join(outdir, dir))?.isSymbolicLink()) {
        throw refuse(`names ${rel}, but ${path.join(outdir, dir)} is a symbolic link (spiremesh never writes through a link)`);
      }
    }
  }
  return journal;
}
