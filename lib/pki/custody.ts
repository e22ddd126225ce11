/**
 * Key custody on disk: where private material (CA keys, kubectl Secret manifests, export files)
 * may be written. Every folder is judged by its real path (symlinks resolved), never by its text:
 * it may not overlap the output folder or the certificate folder (both committed), and inside a
 * git work tree git itself must ignore it. A folder spiremesh creates gets a `.gitignore` holding
 * `*` first (see secure-fs.ts), so git ignores it whatever the repository's own .gitignore says.
 */
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_KEY_DIRECTORY, DEFAULT_SECRETS_DIRECTORY } from '../spec';
import { PkiError } from './errors';
import { statOrUndefined } from './secure-fs';

/** The folders {@link assertKeyCustody} judges; every path absolute, or relative to `projectDir`. */
export interface KeyCustodyProps {
  /** The project folder: messages show paths relative to it, and export files may not pass a symlink inside it. */
  readonly projectDir: string;
  /** Folder of the CA private keys (the spec's `pki.keyDirectory`). */
  readonly keyDirectory: string;
  /**
   * Folder of the kubectl Secret manifests and export files (`pki.delivery.outputDirectory`).
   * @default - no secret folder is involved
   */
  readonly secretsDirectory?: string;
  /** The output folder synthesis writes the manifests to (committed). */
  readonly outputDirectory: string;
  /** The folder of the public certificates (`pki.certificateDirectory`, committed). */
  readonly certificateDirectory: string;
  /**
   * Mesh the folders belong to, for the error.
   * @default - not named
   */
  readonly mesh?: string;
}

/** One folder that holds private material, as messages name it. */
interface PrivateFolder {
  readonly dir: string;
  /** `key folder`, `secret folder`. */
  readonly role: string;
  /** What it holds, as a plural noun phrase. */
  readonly holds: string;
  /** The spec setting that moves it, and its default. */
  readonly setting: string;
  readonly defaultValue: string;
}

/** A committed folder that private material must stay out of. */
interface CommittedFolder {
  readonly label: string;
  readonly real: string;
}

/**
 * Refuses, with one {@link PkiError} naming the folder, why and the fix, a key folder or secret
 * folder that overlaps the output or certificate folder (compared by real path) or that lies in
 * a git work tree without git ignoring it. Reads only: call it before anything is written. A
 * folder that does not exist yet passes the git check: spiremesh creates it with a `.gitignore`.
 * Outside any git work tree nothing can stage it, so only the overlap rules apply.
 */
export function assertKeyCustody(props: KeyCustodyProps): void {
  const folders: PrivateFolder[] = [
    {
      dir: path.resolve(props.projectDir, props.keyDirectory),
      role: 'key folder',
      holds: 'CA private keys',
      setting: 'pki.keyDirectory',
      defaultValue: DEFAULT_KEY_DIRECTORY,
    },
  ];
  if (props.secretsDirectory !== undefined) {
    folders.push({
      dir: path.resolve(props.projectDir, props.secretsDirectory),
      role: 'secret folder',
      holds: 'Secret manifests and export files (they hold CA private keys)',
      setting: 'pki.delivery.outputDirectory',
      defaultValue: DEFAULT_SECRETS_DIRECTORY,
    });
  }
  const committed = committedFolders(props);
  const inGit: ExistingFolder[] = [];
  for (const folder of folders) {
    const real = realPathOf(folder.dir);
    const show = describe(props.projectDir, folder.dir, real);
    const outside = `outside ${committed.map((c) => display(props.projectDir, c.real)).join(' and ')}`;
    const fix = `set ${folder.setting} to a git-ignored folder ${outside}, e.g. '${folder.defaultValue}' (the default)`;
    for (const c of committed) {
      const where = `the ${c.label} ${display(props.projectDir, c.real)}, which is committed`;
      if (isWithin(real, c.real)) {
        throw custodyError(
          props.mesh,
          `the ${folder.role} ${show} lies inside ${where}: the ${folder.holds} would be committed with it.`,
          fix,
        );
      }
      if (isWithin(c.real, real)) {
        throw custodyError(
          props.mesh,
          `the ${folder.role} ${show} contains ${where}: the ${folder.holds} would sit in the committed tree, and a .gitignore in the ${folder.role} would hide the committed files.`,
          fix,
        );
      }
    }
    if (fs.existsSync(real)) inGit.push({ folder, real, show });
  }
  // Within one synth the same folders are judged up to three times (trust material, the read-only PKI, ensure);
  // git's answer cannot change in between unless the folders do, so an accepted set is not asked again.
  const verdict = JSON.stringify([props.mesh, inGit.map((e) => e.real)]);
  if (rememberedVerdicts?.has(verdict)) return;
  assertGitIgnores(props, inGit);
  rememberedVerdicts?.add(verdict);
}

/** Folder sets git accepted during the current {@link rememberingCustodyVerdicts} call. */
let rememberedVerdicts: Set<string> | undefined;

/**
 * Runs `fn` (one synth) remembering which existing folder sets git accepted, so that they are asked
 * about once: a process start per git question is what the check costs. A refusal is never
 * remembered, a folder that appears in between is judged, and nothing outlives the call.
 */
export function rememberingCustodyVerdicts<T>(fn: () => T): T {
  if (rememberedVerdicts !== undefined) return fn();
  rememberedVerdicts = new Set();
  try {
    return fn();
  } finally {
    rememberedVerdicts = undefined;
  }
}

/** What {@link writePrivateExport} needs: the committed folders, and where the file belongs. */
export interface PrivateExportProps extends Omit<KeyCustodyProps, 'keyDirectory' | 'secretsDirectory'> {
  /**
   * Cluster the exported values belong to, for the error.
   * @default - not named
   */
  readonly cluster?: string;
}

/**
 * Writes `content` to a new file `file` (a path as the user gave it: relative to the working
 * directory), mode 0600, and nothing else: no folder is created or chmod-ed. Refuses an existing
 * file (a symlink included), a symlink on the way to it inside the project, a missing folder, a
 * place inside the output or certificate folder, and a place in a git work tree that git does not
 * ignore. The file is created with O_CREAT|O_EXCL|O_NOFOLLOW.
 */
export function writePrivateExport(file: string, content: string, props: PrivateExportProps): string {
  const abs = path.resolve(file);
  const shown = display(props.projectDir, abs);
  const refuse = (reason: string, fix: string): PkiError =>
    new PkiError({ code: 'KEY_CUSTODY', mesh: props.mesh, cluster: props.cluster, file: shown, reason, fix });
  const anotherName = 'delete it first or choose another name (the file holds CA private keys: delete it after the upload)';
  const existing = statOrUndefined(abs);
  if (existing) {
    throw new PkiError({
      code: 'ALREADY_EXISTS',
      mesh: props.mesh,
      cluster: props.cluster,
      file: shown,
      reason: existing.isSymbolicLink()
        ? 'the export file is a symbolic link; spiremesh never writes through one.'
        : 'the export file already exists.',
      fix: anotherName,
    });
  }
  const link = symlinkOnTheWay(props.projectDir, path.dirname(abs));
  if (link !== undefined) {
    throw refuse(
      `${display(props.projectDir, link)} on the way to the export file is a symbolic link; spiremesh does not follow links inside the project.`,
      'choose a path without symbolic links',
    );
  }
  // Outside the project a symlinked folder is the user's own choice: its real path is judged below.
  if (!statOrUndefined(path.dirname(abs), true)?.isDirectory()) {
    throw refuse(
      `the folder ${display(props.projectDir, path.dirname(abs))} does not exist.`,
      'create it first, or choose an existing folder',
    );
  }
  const real = path.join(fs.realpathSync.native(path.dirname(abs)), path.basename(abs));
  for (const c of committedFolders(props)) {
    if (isWithin(real, c.real)) {
      throw refuse(
        `the export file would lie inside the ${c.label} ${display(props.projectDir, c.real)}, which is committed: it holds CA private keys.`,
        `write it outside ${display(props.projectDir, c.real)}, e.g. into the default folder (omit --file) or a folder outside the repository`,
      );
    }
  }
  const tree = gitWorkTree(path.dirname(real));
  if (tree !== undefined && !gitIgnores(tree, real)) {
    throw refuse(
      `the export file would lie in the git work tree ${tree}, and git does not ignore it: \`git add -A\` would stage the CA private keys.`,
      'omit --file (the default folder is git-ignored), or choose a git-ignored path or one outside the repository',
    );
  }
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ELOOP') throw refuse('the export file appeared while it was being written.', anotherName);
    throw e;
  }
  try {
    if (process.platform !== 'win32') fs.fchmodSync(fd, 0o600); // only the file itself: the umask may have removed bits
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return abs;
}

/**
 * The real path of `p` even when it does not exist yet: `fs.realpath` of its nearest existing
 * ancestor joined with the rest (a dangling symlink on the way is followed to its target).
 */
export function realPathOf(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  for (let hops = 0; hops < 40;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    }
    const entry = statOrUndefined(existing);
    if (entry?.isSymbolicLink()) {
      existing = path.resolve(path.dirname(existing), fs.readlinkSync(existing));
      hops++;
      continue;
    }
    const parent = path.dirname(existing);
    if (parent === existing) return path.join(existing, ...rest);
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  throw custodyError(undefined, `${p} is reached through more than 40 symbolic links.`, 'remove the symbolic link loop');
}

/** True when `inner` is `outer` or lies below it (absolute paths). */
export function isWithin(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

// ---------------------------------------------------------------------------------------------

function committedFolders(props: Pick<KeyCustodyProps, 'projectDir' | 'outputDirectory' | 'certificateDirectory'>): CommittedFolder[] {
  return [
    { label: 'output folder', real: realPathOf(path.resolve(props.projectDir, props.outputDirectory)) },
    { label: 'certificate folder', real: realPathOf(path.resolve(props.projectDir, props.certificateDirectory)) },
  ];
}

/** A private folder that exists, with its real path and how messages show it. */
interface ExistingFolder {
  readonly folder: PrivateFolder;
  readonly real: string;
  readonly show: string;
}

/**
 * Each folder in a git work tree must be ignored by git and hold no tracked file. The folders are
 * judged in order with the same verdicts as one at a time, but git runs once per question and work
 * tree (rev-parse per distinct `.git`, one check-ignore, one ls-files), not per folder and path:
 * every synth asks, and a process start is the dominant cost of the check.
 */
function assertGitIgnores(props: KeyCustodyProps, existing: readonly ExistingFolder[]): void {
  const treeOfMarker = new Map<string, string | undefined>();
  const byTree = new Map<string, ExistingFolder[]>();
  const trees = existing.map((e) => {
    // Folders below the same nearest `.git` are in the same work tree: git finds it the same way.
    const marker = findGitMarker(e.real);
    const tree = marker !== undefined && treeOfMarker.has(marker) ? treeOfMarker.get(marker) : gitWorkTree(e.real);
    if (marker !== undefined) treeOfMarker.set(marker, tree);
    if (tree !== undefined) byTree.set(tree, [...(byTree.get(tree) ?? []), e]);
    return tree;
  });
  const ignored = new Set<string>();
  const tracked = new Map<string, string[]>();
  for (const [tree, inTree] of byTree) {
    // A folder is ignored when git ignores it, or everything in it (its own `.gitignore` with `*`).
    for (const p of gitIgnoredPaths(
      tree,
      inTree.flatMap((e) => [e.real, path.join(e.real, CUSTODY_PROBE)]),
    ))
      ignored.add(p);
    const listed = git(['ls-files', '-z', '--', ...inTree.map((e) => e.real)], tree);
    const files = listed.status === 0 ? listed.stdout.split('\0').filter((f) => f !== '') : [];
    for (const e of inTree) {
      const rel = path.relative(tree, e.real).split(path.sep).join('/');
      tracked.set(
        e.real,
        files.filter((f) => rel === '' || f === rel || f.startsWith(`${rel}/`)),
      );
    }
  }
  existing.forEach(({ folder, real, show }, i) => {
    const tree = trees[i];
    if (tree === undefined) return;
    if (!ignored.has(real) && !ignored.has(path.join(real, CUSTODY_PROBE))) {
      const rel = path.relative(tree, real).split(path.sep).join('/');
      throw custodyError(
        props.mesh,
        `the ${folder.role} ${show} is in the git work tree ${tree}, and git does not ignore it (git check-ignore): \`git add -A\` would stage the ${folder.holds}.`,
        `add '/${rel}/' to ${path.join(tree, '.gitignore')}; or, when the folder is empty, delete it and spiremesh creates it with a .gitignore of its own; ` +
          `or set ${folder.setting} to a folder outside the repository`,
      );
    }
    const files = tracked.get(real) ?? [];
    if (files.length > 0) {
      throw custodyError(
        props.mesh,
        `git tracks ${files.length} file(s) in the ${folder.role} ${show} (${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}): they are committed.`,
        `remove them from the index (git rm -r --cached -- '${path.relative(tree, real)}'); a key that was ever pushed is disclosed: replace it`,
      );
    }
  });
}

/** A file name inside a private folder: git ignores it when the folder's own `.gitignore` ignores everything. */
const CUSTODY_PROBE = 'spiremesh-custody-probe';

/** The top of the git work tree that holds the existing folder `dir`, or undefined outside any work tree. */
function gitWorkTree(dir: string): string | undefined {
  const r = git(['rev-parse', '--show-toplevel'], dir);
  if (r.error !== undefined) {
    // No git to ask: only a folder with no `.git` above it is known to be outside a work tree.
    const marker = findGitMarker(dir);
    if (marker === undefined) return undefined;
    throw custodyError(
      undefined,
      `${dir} is inside the git repository of ${marker}, but git cannot be run (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}) to check that it ignores the folder.`,
      'put git on PATH and run the command again',
    );
  }
  if (r.status === 0) return r.stdout.trim();
  if (/not a git repository/i.test(r.stderr)) return undefined;
  throw custodyError(
    undefined,
    `git cannot tell whether ${dir} is in a work tree: ${firstLine(r.stderr)}.`,
    'fix the repository (or its safe.directory setting) and run the command again',
  );
}

function gitIgnores(tree: string, file: string): boolean {
  return gitIgnoredPaths(tree, [file]).has(file);
}

/**
 * The paths of `files` (absolute) that git ignores in the work tree `tree`: one `git check-ignore
 * --stdin -z -v -n`, whose records (source, line number, pattern, path) come in input order; a
 * record with no source did not match, and a matching `!` pattern re-includes the path.
 */
function gitIgnoredPaths(tree: string, files: readonly string[]): Set<string> {
  const r = git(['check-ignore', '--stdin', '-z', '-v', '-n'], tree, files.map((f) => `${f}\0`).join(''));
  if (r.status !== 0 && r.status !== 1) {
    throw custodyError(
      undefined,
      `git check-ignore failed for ${files.join(', ')}: ${firstLine(r.stderr)}.`,
      'fix the repository and run the command again',
    );
  }
  const fields = r.stdout.split('\0');
  const ignored = new Set<string>();
  files.forEach((file, i) => {
    const [source, , pattern] = fields.slice(4 * i, 4 * i + 4);
    if (source !== undefined && source !== '' && !pattern.startsWith('!')) ignored.add(file);
  });
  return ignored;
}

function git(args: readonly string[], cwd: string, input?: string): SpawnSyncReturns<string> {
  // The repository is the one holding `cwd`, not one named by the caller's environment (hooks set GIT_DIR).
  const env = { ...process.env };
  for (const name of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR']) delete env[name];
  return spawnSync('git', args, { cwd, env, encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

function findGitMarker(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The first folder below `projectDir` on the way to `dir` (inclusive) that is a symlink. */
function symlinkOnTheWay(projectDir: string, dir: string): string | undefined {
  const project = path.resolve(projectDir);
  if (!isWithin(dir, project)) return undefined;
  let current = project;
  for (const part of path
    .relative(project, dir)
    .split(path.sep)
    .filter((p) => p !== '')) {
    current = path.join(current, part);
    if (statOrUndefined(current)?.isSymbolicLink()) return current;
  }
  return undefined;
}

/** `p` relative to the project when inside it (by its path as given or by its real path), else absolute. */
function display(projectDir: string, p: string): string {
  for (const project of [path.resolve(projectDir), realPathOf(projectDir)]) {
    if (!isWithin(p, project)) continue;
    const rel = path.relative(project, p);
    return rel === '' ? `'${project}' (the project folder)` : `'${rel}'`;
  }
  return `'${p}'`;
}

/** A folder as displayed, with its real path when a symlink changes it. */
function describe(projectDir: string, dir: string, real: string): string {
  return real === dir ? display(projectDir, dir) : `${display(projectDir, dir)} (real path '${real}')`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] || 'no message';
}

function custodyError(mesh: string | undefined, reason: string, fix: string): PkiError {
  return new PkiError({ code: 'KEY_CUSTODY', mesh, reason, fix });
}
