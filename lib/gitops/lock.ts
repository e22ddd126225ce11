/**
 * One run at a time per output folder. The lock is proper-lockfile's: an atomic mkdir of LOCK_DIR
 * inside the output folder, considered stale (and taken over) once its mtime is older than
 * `staleMs`. Synthesis is synchronous, so proper-lockfile's own refresh timer never runs while the
 * lock is held; the writer refreshes the mtime itself on its filesystem operations instead.
 *
 * Next to the lock, LOCK_OWNER_FILE records the holder (pid, host, a random token):
 * - a waiting run polls (bounded by `waitMs`) and is then refused, naming the holder;
 * - a lock whose holder was on this host and is no longer running (a killed run) is taken over at
 *   once instead of after `staleMs`;
 * - right before its switch a run checks that the owner file still carries its token, so a run
 *   whose lock was taken over (paused longer than `staleMs`) stops before it changes anything.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputConflictError, OutputLockedError, OutputWriteError, isErrnoError } from './output-errors';
import { HookedOutputFs, OutputFs, lstatOrUndefined } from './output-fs';
import { LOCK_DIR, LOCK_OWNER_FILE, TEMP_PREFIX } from './output-names';

interface ProperLockfile {
  lockSync(file: string, options: Record<string, unknown>): () => void;
}
// proper-lockfile ships no types; this is the one function used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lockfile: ProperLockfile = require('proper-lockfile');

export interface OutputLockOptions {
  /**
   * How long a run waits for another run's lock before it is refused, in milliseconds.
   * @default 20000
   */
  readonly waitMs?: number;
  /**
   * A lock not refreshed for this long is stale and taken over (its run died on another host), in
   * milliseconds; at least 2000 (proper-lockfile's minimum).
   * @default 30000
   */
  readonly staleMs?: number;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: string;
}

const DEFAULT_WAIT_MS = 20_000;
const DEFAULT_STALE_MS = 30_000;
const REFRESH_EVERY_MS = 1_000;
/** Codes under which a check (which writes nothing) goes on without the lock. */
const UNWRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(1, Math.round(ms)));
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof owner?.pid === 'number' && typeof owner?.token === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/** True while a process `pid` runs on this host (one that exists but is not ours counts: EPERM). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  return owner ? `pid ${owner.pid} on ${owner.host} since ${owner.since}` : 'a run that has not recorded itself yet';
}

/** A held lock on one output folder. */
export class OutputLock {
  /** Takes the lock of `outdir` (which must exist), waiting up to `waitMs` for another run. */
  public static acquire(outdir: string, options: OutputLockOptions = {}): OutputLock {
    const lockDir = path.join(outdir, LOCK_DIR);
    const ownerFile = path.join(outdir, LOCK_OWNER_FILE);
    const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
    const staleMs = Math.max(2_000, options.staleMs ?? DEFAULT_STALE_MS);
    const start = Date.now();
    for (;;) {
      takeOverAbandoned(outdir, lockDir, ownerFile);
      try {
        const release = lockfile.lockSync(outdir, {
          lockfilePath: lockDir,
          realpath: false,
          stale: staleMs,
          // Never called while synthesis runs (it is synchronous); a taken-over lock is caught by assertHeld.
          onCompromised: () => undefined,
        });
        const owner: LockOwner = {
          pid: process.pid,
          host: os.hostname(),
          token: randomBytes(8).toString('hex'),
          since: new Date().toISOString(),
        };
        try {
          fs.writeFileSync(ownerFile, `${JSON.stringify(owner)}\n`);
        } catch (e) {
          release();
          throw e;
        }
        return new OutputLock(outdir, lockDir, ownerFile, owner.token, release);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw isErrnoError(e) ? new OutputWriteError(outdir, e, 'unchanged') : e;
        const waited = Date.now() - start;
        if (waited >= waitMs) throw new OutputLockedError(outdir, lockDir, describeOwner(readOwner(ownerFile)), waited);
        sleepSync(Math.min(50 + Math.random() * 100, waitMs - waited));
      }
    }
  }

  private lastRefresh = Date.now();
  private released = false;

  private constructor(
    public readonly outdir: string,
    private readonly lockDir: string,
    private readonly ownerFile: string,
    private readonly token: string,
    private readonly releaseLock: () => void,
  ) {}

  /** Keeps the lock fresh (at most once a second): a lock older than `staleMs` would be taken over. */
  public refresh(): void {
    const now = Date.now();
    if (now - this.lastRefresh < REFRESH_EVERY_MS) return;
    this.lastRefresh = now;
    try {
      fs.utimesSync(this.lockDir, new Date(now), new Date(now));
    } catch {
      // A lock that vanished is reported by assertHeld before anything is switched.
    }
  }

  /** Throws when another run took the lock over (this run was paused longer than the stale time). */
  public assertHeld(): void {
    const owner = readOwner(this.ownerFile);
    if (owner?.token !== this.token || !lstatOrUndefined(this.lockDir)) {
      throw new OutputLockedError(this.outdir, this.lockDir, `${describeOwner(owner)}, which took it over while this run was paused`, 0);
    }
  }

  /** `fsx`, refreshing the lock before each of its operations. */
  public guard(fsx: OutputFs): OutputFs {
    return new HookedOutputFs(fsx, () => this.refresh());
  }

  public release(): void {
    if (this.released) return;
    this.released = true;
    // Only our own lock is removed: a lock taken over by another run stays with that run.
    if (readOwner(this.ownerFile)?.token !== this.token) return;
    fs.rmSync(this.ownerFile, { force: true });
    try {
      this.releaseLock();
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/**
 * A lock left by a run that is no longer running on this host (killed) is removed, so the next run
 * need not wait for it to go stale. The owner file is claimed by a rename first, so of several
 * waiting runs only one removes the lock.
 */
function takeOverAbandoned(outdir: string, lockDir: string, ownerFile: string): void {
  const owner = readOwner(ownerFile);
  if (!owner || owner.host !== os.hostname() || owner.pid === process.pid || isRunning(owner.pid)) return;
  if (!lstatOrUndefined(lockDir)) return; // no lock: the owner file is a leftover, replaced on acquire
  const claimed = path.join(outdir, `${TEMP_PREFIX}abandoned-lock-${randomBytes(4).toString('hex')}`);
  try {
    fs.renameSync(ownerFile, claimed);
  } catch {
    return; // another waiting run claimed it first
  }
  if (readOwner(claimed)?.token !== owner.token) {
    // A new holder wrote its owner file in between: give it back.
    fs.renameSync(claimed, ownerFile);
    return;
  }
  fs.rmSync(claimed, { force: true });
  try {
    fs.rmdirSync(lockDir);
  } catch {
    // Gone already, or not empty (not a lock of ours): acquiring reports it.
  }
}

export interface LockedRunOptions extends OutputLockOptions {
  /**
   * The run writes nothing of its own (a check): a missing output folder is not created, and a
   * folder this user cannot write is read without the lock.
   * @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Runs `fn` holding the lock of `outdir` (created when missing, unless read-only; removed again
 * when the run created it and left it empty). `fn` gets undefined when a read-only run goes on
 * without the lock.
 */
export function withOutputLock<T>(outdir: string, options: LockedRunOptions, fn: (lock: OutputLock | undefined) => T): T {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(outdir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw isErrnoError(e) ? new OutputWriteError(outdir, e, 'unchanged') : e;
  }
  if (st && !st.isDirectory()) {
    throw new OutputConflictError(
      outdir,
      'is a file, but the output folder must be a directory',
      'pass a folder as --out DIR (it is created when missing), or move the file away',
    );
  }
  if (options.readOnly && !st) return fn(undefined);
  const created = !st;
  if (created) {
    try {
      fs.mkdirSync(outdir, { recursive: true });
    } catch (e) {
      throw isErrnoError(e) ? new OutputWriteError(outdir, e, 'unchanged') : e;
    }
  }
  let lock: OutputLock;
  try {
    lock = OutputLock.acquire(outdir, options);
  } catch (e) {
    if (options.readOnly && e instanceof OutputWriteError && UNWRITABLE.has(String(e.code))) return fn(undefined);
    if (created) removeIfEmpty(outdir);
    throw e;
  }
  try {
    return fn(lock);
  } finally {
    lock.release();
    if (created) removeIfEmpty(outdir);
  }
}

function removeIfEmpty(dir: string): void {
  try {
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch {
    // Left in place: an empty folder is harmless.
  }
}
