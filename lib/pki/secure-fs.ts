import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PkiError, PkiFileLocation } from './errors';

/*
 * File I/O with key custody rules: key directories 0700, key files 0600, nothing is ever
 * overwritten in place (a CA must never be silently replaced), writes are atomic (temp + link).
 * Where the folders may be is custody.ts's rule; these functions assume it was checked.
 */

const POSIX = process.platform !== 'win32';

/** The `.gitignore` spiremesh writes into a private folder it creates: git ignores all of it, itself included. */
export const PRIVATE_FOLDER_GITIGNORE = '# Written by spiremesh: this folder holds CA private keys; git ignores everything in it.\n*\n';

/** Creates `dir` and missing parents with mode 0700 and tightens `dir` itself to 0700. */
function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX) fs.chmodSync(dir, 0o700);
}

/**
 * Makes every directory from `root` (a key or secret folder) down to `dir` exist with mode 0700.
 * A `root` that does not exist yet is created (missing parents 0700 too) and gets a `.gitignore`
 * holding `*` before anything else, so git ignores it whatever the repository's .gitignore says.
 * An existing `root` keeps its mode (it may be a folder spiremesh does not own); the folders below
 * it are spiremesh's and become 0700. A symbolic link below `root` is refused, never followed.
 */
export function ensurePrivateTree(root: string, dir: string): void {
  const rel = path.relative(root, dir);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new Error(`internal: ${dir} is outside the private folder ${root}`);
  }
  if (!fs.existsSync(root)) {
    ensurePrivateDir(root);
    fs.writeFileSync(path.join(root, '.gitignore'), PRIVATE_FOLDER_GITIGNORE, { flag: 'wx', mode: 0o644 });
  }
  let current = root;
  for (const part of rel === '' ? [] : rel.split(path.sep)) {
    current = path.join(current, part);
    if (isSymlink(current)) {
      throw new PkiError({
        code: 'KEY_CUSTODY',
        file: current,
        reason: 'this folder inside a private folder is a symbolic link; spiremesh never follows one there.',
        fix: `replace the link by a real folder (or remove it and run the command again); it points to ${fs.readlinkSync(current)}`,
      });
    }
    ensurePrivateDir(current);
  }
}

/**
 * Writes a private file (mode 0600) below `root`, replacing a previous version atomically: the
 * content goes to a new temp file that is renamed over `file`, so a symlink at `file` is replaced,
 * never written through.
 */
export function replacePrivateFile(file: string, content: string, root: string): void {
  ensurePrivateTree(root, path.dirname(file));
  const tmp = tempNameFor(file);
  try {
    fs.writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
    if (POSIX) fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Writes a private key file with mode 0600; refuses to overwrite. Folders are made by {@link ensurePrivateTree}. */
export function writePrivateFile(file: string, content: string, keyRoot: string, where: PkiFileLocation): void {
  ensurePrivateTree(keyRoot, path.dirname(file));
  writeExclusive(file, content, 0o600, where);
}

/** Writes a public (certificate) file with mode 0644; refuses to overwrite. */
export function writePublicFile(file: string, content: string, where: PkiFileLocation): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeExclusive(file, content, 0o644, where);
}

/** Reads a private key file, refusing it (like ssh) when group or others can access it. */
export function readPrivateFile(file: string, where: PkiFileLocation): string {
  if (POSIX) {
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new PkiError({
        ...where,
        code: 'INSECURE_PERMISSIONS',
        reason: `the private key file has mode 0${mode.toString(8)}; group/others must have no access.`,
        fix: `chmod 600 ${file}`,
      });
    }
  }
  return fs.readFileSync(file, 'utf8');
}

/** Renames `from` to `to` (same file system), refusing to overwrite `to`. */
export function moveNoClobber(from: string, to: string, where: PkiFileLocation): void {
  if (fs.existsSync(to)) {
    throw new PkiError({
      ...where,
      code: 'ALREADY_EXISTS',
      reason: `cannot move it to ${to}: that file already exists.`,
      fix: 'inspect both files and remove the stale one by hand.',
    });
  }
  fs.renameSync(from, to);
}

function writeExclusive(file: string, content: string, mode: number, where: PkiFileLocation): void {
  const tmp = tempNameFor(file);
  fs.writeFileSync(tmp, content, { mode, flag: 'wx' });
  try {
    if (POSIX) fs.chmodSync(tmp, mode); // the umask may have removed bits of a public file
    // link() fails with EEXIST instead of replacing: an existing CA file is never clobbered.
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
      // File systems without hard links: an exclusive copy (not atomic, still never clobbers).
      fs.copyFileSync(tmp, file, fs.constants.COPYFILE_EXCL);
      if (POSIX) fs.chmodSync(file, mode);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new PkiError({
        ...where,
        code: 'ALREADY_EXISTS',
        reason: 'the file appeared while it was being written; refusing to overwrite it.',
        fix: 'run the command again (it reuses what exists); do not run two PKI commands at once.',
      });
    }
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
}

function isSymlink(p: string): boolean {
  return statOrUndefined(p)?.isSymbolicLink() ?? false;
}

/** What is at `p` (`lstat`; `stat` with `follow`), or undefined when nothing is there. */
export function statOrUndefined(p: string, follow = false): fs.Stats | undefined {
  try {
    return follow ? fs.statSync(p) : fs.lstatSync(p);
  } catch {
    return undefined;
  }
}
