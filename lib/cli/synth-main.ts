/**
 * The command-line entry of a spiremesh app: `main.ts` calls `synthMain` with a function that
 * declares the mesh. It parses the flags, synthesizes, prints the summary, and sets the exit
 * code. Errors are printed as their messages (they name the bad value and the fix).
 */
import { App } from 'cdk8s';
import { SpecValidationError } from '../spec';
import { OutputConflictError, SynthesisError, defaultOutdir, formatSummary, synthesize } from '../gitops';

export interface SynthArgs {
  readonly outdir: string;
  readonly check: boolean;
  readonly inventory?: string;
}

const USAGE = 'usage: [--out DIR | -o DIR] [--check] [--inventory FILE]';

/** Parses `--out/-o DIR`, `--check` and `--inventory FILE`. */
export function parseSynthArgs(argv: readonly string[]): SynthArgs {
  let outdir = defaultOutdir();
  let check = false;
  let inventory: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('-')) throw new UsageError(`${arg} needs a value; ${USAGE}`);
      return v;
    };
    if (arg === '--out' || arg === '-o') outdir = value();
    else if (arg.startsWith('--out=')) outdir = arg.slice('--out='.length);
    else if (arg === '--check') check = true;
    else if (arg === '--inventory') inventory = value();
    else throw new UsageError(`unknown argument '${arg}'; ${USAGE}`);
  }
  return { outdir, check, inventory };
}

export class UsageError extends Error {}

/** Errors whose message is the whole story (no stack trace needed). */
function isUserError(e: unknown): e is Error {
  return e instanceof SpecValidationError || e instanceof SynthesisError || e instanceof OutputConflictError || e instanceof UsageError;
}

/**
 * Runs one synthesis from the command line. `declare` adds the mesh to the app.
 * Returns the exit code: 0 on success, 1 on an error or (with --check) an out-of-date output.
 */
export function runSynth(declare: (app: App, args: SynthArgs) => void, argv: readonly string[] = process.argv.slice(2)): number {
  try {
    const args = parseSynthArgs(argv);
    const app = new App({ outdir: args.outdir });
    declare(app, args);
    const result = synthesize(app, { outdir: args.outdir, check: args.check });
    process.stdout.write(`${formatSummary(result, { check: args.check })}\n`);
    return args.check && !result.upToDate ? 1 : 0;
  } catch (e) {
    process.stderr.write(`spiremesh: ${isUserError(e) ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

/** `runSynth`, then exit with its code. */
export function synthMain(declare: (app: App, args: SynthArgs) => void, argv: readonly string[] = process.argv.slice(2)): void {
  process.exitCode = runSynth(declare, argv);
}
