/**
 * The filesystem operations that change the output folder, as one small injectable object. The
 * writer, its journal and its recovery go through it for every mutation (reads use Node's fs
 * directly), so tests can count the steps of a write and make step k fail (disk full, permission
 * denied) or simulate a kill after step k.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';

/** Every change the writer makes to the disk. */
export interface OutputFs {
  /** Creates a directory and its missing parents. */
  mkdir(dir: string): void;
  /** Creates or truncates a file and writes `data`. */
  writeFile(file: string, data: string): void;
  /** Flushes a file or a directory (its entries: renames, creations) to the device. */
  fsync(fileOrDir: string): void;
  /** Atomically replaces `to` by `from` (same file system). */
  rename(from: string, to: string): void;
  /** Removes one file or symbolic link (never a directory, never what a link points to). */
  rm(file: string): void;
  /** Removes one empty directory. */
  rmdir(dir: string): void;
}

export type OutputFsOperation = keyof OutputFs;

/** Directory fsync is not supported everywhere (some file systems answer EINVAL, EISDIR or EPERM). */
const UNSUPPORTED_DIR_FSYNC = new Set(['EINVAL', 'EISDIR', 'EPERM', 'EBADF']);

/** Node's fs, synchronously. */
export const NODE_OUTPUT_FS: OutputFs = {
  mkdir: (dir) => void fs.mkdirSync(dir, { recursive: true }),
  writeFile: (file, data) => fs.writeFileSync(file, data),
  fsync: (target) => {
    const fd = fs.openSync(target, 'r');
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      if (!fs.fstatSync(fd).isDirectory() || !UNSUPPORTED_DIR_FSYNC.has(String((e as NodeJS.ErrnoException).code))) throw e;
    } finally {
      fs.closeSync(fd);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  rm: (file) => fs.unlinkSync(file),
  rmdir: (dir) => fs.rmdirSync(dir),
};

/** One step of a write: the operation and the path it works on (for rename, the source). */
export interface OutputFsStep {
  /** 1 for the first operation. */
  readonly step: number;
  readonly op: OutputFsOperation;
  readonly path: string;
  /** rename only: the destination. */
  readonly dest?: string;
}

/** Called before every operation; when it throws, the operation is not performed. */
export type OutputFsHook = (step: OutputFsStep) => void;

/** An OutputFs that calls `hook` before each operation of `base`; `steps` counts the operations attempted. */
export class HookedOutputFs implements OutputFs {
  public steps = 0;

  public constructor(
    private readonly base: OutputFs,
    private readonly hook: OutputFsHook,
  ) {}

  public mkdir(dir: string): void {
    this.run('mkdir', dir, undefined, () => this.base.mkdir(dir));
  }
  public writeFile(file: string, data: string): void {
    this.run('writeFile', file, undefined, () => this.base.writeFile(file, data));
  }
  public fsync(target: string): void {
    this.run('fsync', target, undefined, () => this.base.fsync(target));
  }
  public rename(from: string, to: string): void {
    this.run('rename', from, to, () => this.base.rename(from, to));
  }
  public rm(file: string): void {
    this.run('rm', file, undefined, () => this.base.rm(file));
  }
  public rmdir(dir: string): void {
    this.run('rmdir', dir, undefined, () => this.base.rmdir(dir));
  }

  private run(op: OutputFsOperation, p: string, dest: string | undefined, action: () => void): void {
    this.hook({ step: ++this.steps, op, path: p, dest });
    action();
  }
}

/** Thrown by {@link killAfter}: the process "died"; nothing after it touches the disk. */
export class SimulatedKill extends Error {
  public constructor(step: number) {
    super(`simulated kill before step ${step}`);
    this.name = 'SimulatedKill';
  }
}

/**
 * A hook that lets `k` operations happen, then acts as a kill: the next operation and every one
 * after it throws {@link SimulatedKill} without touching the disk (no rollback, no cleanup can run).
 */
export function killAfter(k: number): OutputFsHook {
  let dead = false;
  return ({ step }) => {
    if (dead || step > k) {
      dead = true;
      throw new SimulatedKill(step);
    }
  };
}

/** An error as the operating system raises it (code, syscall, path), e.g. ENOSPC from write. */
export function errnoError(code: string, syscall: string, file: string, dest?: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: simulated, ${syscall} '${file}'`);
  return Object.assign(e, { code, syscall, path: file, ...(dest ? { dest } : {}), errno: -1 });
}

/** A hook that fails every operation `when` selects with errno `code` (the operation is not performed). */
export function failWith(code: string, when: (step: OutputFsStep) => boolean): OutputFsHook {
  return (step) => {
    if (when(step)) throw errnoError(code, step.op, step.path, step.dest);
  };
}

/** sha256 of a file's bytes, hex. */
export function sha256OfFile(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** One buffer for {@link sha256OfRegularFile}: a check of a fleet's files allocates nothing per file. */
const HASH_BUFFER = Buffer.allocUnsafe(256 * 1024);

/**
 * sha256 (hex) of a regular file's bytes, read to its end without following a symbolic link at its path (as
 * {@link readRegularFile} reads it); undefined when it is not a regular file there. Keeps nothing of the content.
 */
export function sha256OfRegularFile(file: string): string | undefined {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | (O_NOFOLLOW ?? 0) | (O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    if (O_NOFOLLOW === undefined && fs.lstatSync(file).isSymbolicLink()) return undefined;
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const hash = createHash('sha256');
    for (let n; (n = fs.readSync(fd, HASH_BUFFER, 0, HASH_BUFFER.length, null)) > 0;) hash.update(HASH_BUFFER.subarray(0, n));
    return hash.digest('hex');
  } finally {
    fs.closeSync(fd);
  }
}

/** lstat, or undefined when nothing is there (never follows a symbolic link). */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    // Without throwIfNoEntry, Node builds an Error (with its stack) for every path that does not exist.
    return fs.lstatSync(p, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** True when `p` is a regular file (not a link to one). */
export function isRegularFile(p: string): boolean {
  return lstatOrUndefined(p)?.isFile() ?? false;
}

/** True when `p` is a directory (not a link to one). */
export function isRealDirectory(p: string): boolean {
  return lstatOrUndefined(p)?.isDirectory() ?? false;
}

/** What {@link readRegularFile} answers for a symbolic link. */
export const LINK: unique symbol = Symbol('symbolic link');
/** What {@link readRegularFile} answers for a directory, device, socket or pipe. */
export const NOT_REGULAR: unique symbol = Symbol('not a regular file');

/**
 * The content (UTF-8) of a regular file, without following a symbolic link at its path; undefined
 * when nothing is there. Where the platform has O_NOFOLLOW (Linux, macOS), one open without
 * following the link, then its own stat, instead of an lstat before the read. Only for paths a
 * directory listing showed as regular files: where the listing saw no regular file, use lstat
 * first (opening a device or a pipe is never done).
 */
export function readRegularFile(file: string): string | typeof LINK | typeof NOT_REGULAR | undefined {
  const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
  if (O_NOFOLLOW === undefined) {
    const st = lstatOrUndefined(file);
    if (!st) return undefined;
    if (st.isSymbolicLink()) return LINK;
    if (!st.isFile()) return NOT_REGULAR;
    return fs.readFileSync(file, 'utf8');
  }
  let fd: number;
  try {
    // O_NONBLOCK: a pipe put there meanwhile must not block the open.
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | (O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    // O_NOFOLLOW on a link: ELOOP (Linux, macOS), EMLINK (FreeBSD).
    if (code === 'ELOOP' || code === 'EMLINK') return LINK;
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return NOT_REGULAR;
    const chunks: Buffer[] = [];
    let size = Math.max(st.size, 0);
    let buffer = Buffer.allocUnsafe(size + 1);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // Grew since the stat: keep reading to the end.
        chunks.push(buffer);
        size = buffer.length;
        buffer = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
        filled = 0;
      }
      const n = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
      if (n === 0) break;
      filled += n;
    }
    chunks.push(buffer.subarray(0, filled));
    return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
