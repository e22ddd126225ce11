import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PkiError, PkiFileLocation } from './errors';

/*
 * File I/O with key custody rules: key directories 0700, key files 0600, nothing is ever
 * overwritten in place (a CA must never be silently replaced), writes are atomic (temp + link).
 */

const POSIX = process.platform !== 'win32';

/** Creates `dir` and missing parents with mode 0700 and tightens `dir` itself to 0700. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (POSIX) fs.chmodSync(dir, 0o700);
}

/** Makes every directory from `keyRoot` down to `dir` exist with mode 0700. */
export function ensurePrivateTree(keyRoot: string, dir: string): void {
  const rel = path.relative(keyRoot, dir);
  let current = keyRoot;
  ensurePrivateDir(current);
  for (const part of rel === '' ? [] : rel.split(path.sep)) {
    current = path.join(current, part);
    ensurePrivateDir(current);
  }
}

/** Writes a private key file with mode 0600; refuses to overwrite. Directories up to `keyRoot` become 0700. */
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
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
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
