/** The flags of a mesh command, resolved: the output folder, the inventory, the pki flags. */
import * as fs from 'fs';
import * as path from 'path';
import { defaultOutdir } from '../app/synthesize';
import { overviewHelp, parseCommandLine, ParsedCommandLine, UsageError } from './parse';

export { UsageError } from './parse';

export interface CliArgs {
  /** `synth` (default), `check`, `diff`, `pki`. */
  readonly command: string;
  /** Words after the command, e.g. `status` for `pki status`. */
  readonly subcommand?: string;
  readonly outdir: string;
  /** True when `--out`/`-o` was given (else the default output folder). */
  readonly outGiven: boolean;
  readonly check: boolean;
  readonly inventory?: string;
  readonly cluster?: string;
  readonly which?: string;
  readonly file?: string;
  readonly stdout: boolean;
  /** One JSON document on stdout, nothing else. */
  readonly json: boolean;
  /** Warnings count as errors (exit 1). */
  readonly strict: boolean;
  /** Print the stack trace of an unexpected error (never needed for a user error). */
  readonly debug: boolean;
  /** Reuse an unchanged output folder (false with `--no-reuse`; see SynthesizeOptions.reuse). */
  readonly reuse: boolean;
}

/** The overview of every command (the text of `spiremesh help`). */
export const USAGE = overviewHelp();

/** What an app may set for its own command line. */
export interface CliDefaults {
  /**
   * Output folder of this app when `--out` is not given (an example mesh kept apart from the
   * project's dist/); wins over `CDK8S_OUTDIR`, which belongs to the app of cdk8s.yaml.
   * @default - `CDK8S_OUTDIR`, else `<project>/dist`
   */
  readonly outdir?: string;
}

/** The flags of a parsed mesh command line. */
export function cliArgsOf(parsed: Extract<ParsedCommandLine, { kind: 'run' }>, defaults: CliDefaults = {}): CliArgs {
  const { values, command } = parsed;
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const flag = (k: string) => values[k] === true;
  // Without --out, the project's dist/: for a YAML inventory its folder (like its PKI folders).
  const inventory = str('inventory');
  const out = str('out');
  const outdir = out ?? defaults.outdir ?? defaultOutdir(inventory ? path.dirname(path.resolve(inventory)) : undefined);
  if (command !== 'pki') assertOutputFolder(outdir, out !== undefined ? '--out' : 'the output folder');
  return {
    command,
    subcommand: parsed.positionals[0],
    outdir,
    outGiven: out !== undefined,
    check: flag('check'),
    inventory,
    cluster: str('cluster'),
    which: str('which'),
    file: str('file'),
    stdout: flag('stdout'),
    json: flag('json'),
    strict: flag('strict'),
    debug: flag('debug'),
    reuse: !flag('no-reuse'),
  };
}

/** Parses `[command [subcommand]] [flags]` of a mesh command; help and version are usage errors here (runCli answers them). */
export function parseCliArgs(argv: readonly string[], defaults: CliDefaults = {}): CliArgs {
  const parsed = parseCommandLine(argv);
  if (parsed.kind !== 'run') throw new UsageError(parsed.text);
  return cliArgsOf(parsed, defaults);
}

/** The output folder may be missing (it is created) but must not be a file. */
function assertOutputFolder(outdir: string, what: string): void {
  let isFile = false;
  try {
    isFile = !fs.statSync(outdir).isDirectory();
  } catch {
    // Missing (created by synth) or unreadable (reported by the command with the path).
  }
  if (isFile) throw new UsageError(`${what} '${outdir}' is a file; it must name a folder (created when missing)`);
}
