/**
 * The errors of the output writer. Each is a user error (a `SpiremeshError` with one `output`
 * finding): it names the path and the fix, and the CLI prints it without a stack trace.
 */
import * as path from 'path';
import { SpiremeshError } from '../spec';
import { JOURNAL_FILE, TEMP_PREFIX } from './output-names';

/** The output folder holds files spiremesh must not touch where it wants to write. */
export class OutputConflictError extends SpiremeshError {
  public constructor(file: string, message: string, fix: string) {
    super('the output folder cannot be written as planned; nothing was written:', [
      { severity: 'error', source: 'output', subject: file, message, fix },
    ]);
  }
}

/** What an errno means for the person at the terminal, and what they can do about it. */
function explainErrno(code: string | undefined, dir: string, outdir: string): { what: string; fix: string } {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return {
        what: code === 'ENOSPC' ? 'no space left on the device' : 'the disk quota is exhausted',
        fix: `free space on the file system that holds ${outdir} (see df -h ${outdir}), then synthesize again`,
      };
    case 'EACCES':
    case 'EPERM':
      return {
        what: 'permission denied',
        fix: `make ${dir} writable for this user (e.g. chmod u+w ${dir}), or write to another folder with --out DIR`,
      };
    case 'EROFS':
      return {
        what: 'the file system is mounted read-only',
        fix: `remount the file system that holds ${outdir} read-write, or write to another folder with --out DIR`,
      };
    default:
      return { what: code ?? 'an unexpected error', fix: 'fix the cause above, then synthesize again' };
  }
}

/**
 * The path to name, and the directory that must be writable: of a rename's two paths the one the
 * user knows; for the writer's own temporary files, the folder that holds them.
 */
function userPath(outdir: string, cause: NodeJS.ErrnoException): { subject: string; dir: string } {
  const paths = [(cause as { dest?: string }).dest, cause.path].filter((p): p is string => typeof p === 'string');
  const isTemp = (p: string) => p.split(path.sep).some((part) => part.startsWith(TEMP_PREFIX));
  const known = paths.find((p) => !isTemp(p));
  if (known) return { subject: known, dir: path.dirname(known) };
  const temp = paths[0];
  if (temp === undefined) return { subject: outdir, dir: outdir };
  const parts = temp.split(path.sep);
  const holder =
    parts
      .slice(
        0,
        parts.findIndex((part) => part.startsWith(TEMP_PREFIX)),
      )
      .join(path.sep) || outdir;
  return { subject: holder, dir: holder };
}

/** True for an error raised by the operating system (it carries an errno code such as ENOSPC). */
export function isErrnoError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && (e as NodeJS.ErrnoException).syscall !== undefined;
}

/**
 * Writing the output folder failed at the operating system (disk full, permission denied, a
 * read-only file system). The message says whether the folder was left as it was.
 */
export class OutputWriteError extends SpiremeshError {
  public readonly code: string | undefined;

  public constructor(outdir: string, cause: NodeJS.ErrnoException, outcome: 'unchanged' | 'journaled' | 'written') {
    const { subject, dir } = userPath(outdir, cause);
    const { what, fix } = explainErrno(cause.code, dir, outdir);
    const headline = {
      unchanged: 'the output folder could not be written; it was left as it was:',
      journaled: `the output folder could not be written, and the change could not be undone either; the next synth finishes or undoes it (${path.join(outdir, JOURNAL_FILE)}):`,
      written: 'the output folder was written, but cleaning up after the write failed; the next synth removes what is left:',
    }[outcome];
    super(headline, [
      { severity: 'error', source: 'output', subject, message: `${what} (${cause.code ?? 'no code'}, ${cause.syscall})`, fix },
    ]);
    this.code = cause.code;
  }
}

/** Another spiremesh run holds the output folder's lock for longer than this run waits. */
export class OutputLockedError extends SpiremeshError {
  public constructor(outdir: string, lockDir: string, holder: string, waitedMs: number) {
    super('another spiremesh run is writing the output folder; nothing was written:', [
      {
        severity: 'error',
        source: 'output',
        subject: outdir,
        message: `locked by ${holder}; waited ${(waitedMs / 1000).toFixed(1)} s for it (lock ${lockDir})`,
        fix: `wait for that run to finish, then run again; if no spiremesh run is writing ${outdir}, delete ${lockDir} and run again`,
      },
    ]);
  }
}

/** The journal of an interrupted write cannot be finished (it was damaged or names paths it must not). */
export class OutputRecoveryError extends SpiremeshError {
  public constructor(journal: string, message: string, fix: string) {
    super('an interrupted write of the output folder cannot be finished; nothing was written:', [
      { severity: 'error', source: 'output', subject: journal, message, fix },
    ]);
  }
}
