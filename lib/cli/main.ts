/**
 * The command-line entry of a spiremesh app: `main.ts` calls `synthMain` with a function that
 * declares the mesh. It parses the command and flags, runs it, prints the result, and sets the
 * exit code. User errors are printed as their messages (they name the bad value and the fix);
 * other errors as one line, with the stack trace only under --debug.
 */
import { App } from 'cdk8s';
import { SpireMesh } from '../app/mesh';
import { formatCheckFinding } from '../app/check';
import { formatSummary } from '../app/summary';
import { synthesize } from '../app/synthesize';
import { SpiremeshError } from '../spec';
import { CliArgs, CliDefaults, UsageError, parseCliArgs } from './args';
import { runPkiCommand } from './pki-commands';

export type DeclareMesh = (app: App, args: CliArgs) => void;

/** Runs one command; returns the exit code (0 ok; 1 error, or `synth --check` found differences). */
export function runCli(declare: DeclareMesh, argv: readonly string[] = process.argv.slice(2), defaults: CliDefaults = {}): number {
  try {
    const args = parseCliArgs(argv, defaults);
    const app = new App({ outdir: args.outdir });
    declare(app, args);
    if (args.command === 'pki') {
      const meshes = app.node.findAll().filter((c): c is SpireMesh => c instanceof SpireMesh);
      if (meshes.length !== 1) throw new UsageError(`pki commands work on one mesh; the app declares ${meshes.length}`);
      process.stdout.write(`${runPkiCommand(meshes[0].model, args)}\n`);
      return 0;
    }
    if (args.command === 'check') {
      // Everything synth verifies, without writing; the check's errors throw like in synth.
      const checked = synthesize(app, { outdir: args.outdir, check: true });
      const lines = checked.checkFindings.map(formatCheckFinding);
      process.stdout.write(
        `${lines.length === 0 ? 'check: all checks passed' : `check: 0 errors, ${lines.length} warning(s)\n${lines.map((l) => `  ${l}`).join('\n')}`}\n`,
      );
      return 0;
    }
    const result = synthesize(app, { outdir: args.outdir, check: args.check });
    process.stdout.write(`${formatSummary(result, { check: args.check })}\n`);
    return args.check && !result.upToDate ? 1 : 0;
  } catch (e) {
    process.stderr.write(`${describeError(e, argv.includes('--debug'))}\n`);
    return 1;
  }
}

/**
 * A user error (SpiremeshError) is its message, which names the bad value and the fix, never a
 * stack trace. Anything else is a bug or an unexpected condition: one line, and its stack trace
 * only with --debug.
 */
export function describeError(e: unknown, debug: boolean): string {
  if (SpiremeshError.isSpiremeshError(e)) return `spiremesh: ${e.message}`;
  const error = e instanceof Error ? e : new Error(String(e));
  if (debug) return `spiremesh: unexpected error: ${error.stack ?? error.message}`;
  const line = error.message.split('\n')[0] || error.name;
  return `spiremesh: unexpected error: ${line}\nrun again with --debug for the stack trace`;
}

/** `runCli`, then exit with its code. */
export function synthMain(declare: DeclareMesh, defaults: CliDefaults = {}, argv: readonly string[] = process.argv.slice(2)): void {
  process.exitCode = runCli(declare, argv, defaults);
}
