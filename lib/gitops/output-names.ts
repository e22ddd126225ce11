/**
 * Names of the writer's own files in the output folder. All of them start with `.spiremesh-`
 * (git-ignored: `.spiremesh-tmp-*`, `.spiremesh-lock`, `.spiremesh-lock-owner` in .gitignore), live
 * at the top of the output folder (never in a cluster directory), and are never listed in a
 * kustomization or an index.
 */

/** The kustomization of a cluster directory, listing its manifests in apply order. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** Name of the per-directory index that records what spiremesh wrote (the only file a cluster directory always has). */
export const INDEX_FILE = 'spiremesh-index.yaml';

/** Prefix of every temporary name; whatever carries it is removed at the start of the next run. */
export const TEMP_PREFIX = '.spiremesh-tmp-';
/** Folder of one run holding the new files before the switch, and the replaced ones until the switch is done. */
export const STAGING_DIR_PREFIX = `${TEMP_PREFIX}staging-`;
/** The list of planned renames and deletes, written before the first rename. */
export const JOURNAL_FILE = `${TEMP_PREFIX}journal.json`;
/** The journal of one run while it is written (renamed to JOURNAL_FILE once complete and on disk). */
export const JOURNAL_NEXT_PREFIX = `${TEMP_PREFIX}journal-`;
/** The output folder's lock (a directory, created atomically by proper-lockfile). */
export const LOCK_DIR = '.spiremesh-lock';
/** Who holds the lock: process id, host and a token, so a run can tell its lock was taken over. */
export const LOCK_OWNER_FILE = '.spiremesh-lock-owner';
/** Temporary files of the writer before the staging folder existed: `.<name>.spiremesh-<pid>-<n>.tmp` next to their target. */
export const LEGACY_TEMP_FILE = /^\..+\.spiremesh-\d+-\d+\.tmp$/;

/** True for a name of the writer's own (never a rendered file): temporary files, journal, lock. */
export function isWriterName(name: string): boolean {
  return name.startsWith('.spiremesh-');
}

/**
 * True for a path that stays inside its directory: relative, '/'-separated, no empty, `.` or `..`
 * segment, no backslash or NUL (spiremesh never renders such names).
 */
export function isContainedPath(rel: string): boolean {
  return (
    typeof rel === 'string' &&
    rel !== '' &&
    !rel.startsWith('/') &&
    !/[\\\0]/.test(rel) &&
    !/^[A-Za-z]:/.test(rel) &&
    rel.split('/').every((p) => p !== '' && p !== '.' && p !== '..')
  );
}
