/** Command-line flags shared by the spiremesh commands. */
import * as fs from 'fs';
import * as path from 'path';
import { defaultOutdir } from '../app/synthesize';
import { SpiremeshError } from '../spec';

/** A command line that cannot be run as given (exit code 2 once the CLI distinguishes usage errors). */
export class UsageError extends SpiremeshError {
  public constructor(message: string) {
    super(message, []);
  }
}

export interface CliArgs {
  /** `synth` (default), `check`, `pki`. */
  readonly command: string;
  /** Words after the command, e.g. `status` for `pki status`. */
  readonly subcommand?: string;
  readonly outdir: string;
  readonly check: boolean;
  readonly inventory?: string;
  readonly cluster?: string;
  readonly which?: string;
  readonly file?: string;
  readonly stdout: boolean;
  /** Print the stack trace of an unexpected error (never needed for a user error). */
  readonly debug: boolean;
}

export const USAGE = `usage:
  synth [--out DIR | -o DIR] [--check]        render dist/<cluster>/ (default command)
  check                                       the multicluster check alone (static istioctl multicluster check)
  pki init                                    generate the missing CA material (never regenerates)
  pki status                                  list certificates: subject, issuer, not-after, days left, chain
  pki rotate --cluster NAME [--which spire|istio|both]
                                              new intermediate(s) under the same root; old ones stay valid
  pki export --cluster NAME [--file FILE | --stdout]
                                              the CA secret values to upload to a secret store
common: [--inventory FILE] for meshes declared in YAML; [--debug] prints the stack trace of an unexpected error`;

/** What an app may set for its own command line. */
export interface CliDefaults {
  /**
   * Output folder of this app when `--out` is not given (an example mesh kept apart from the
   * project's dist/); wins over `CDK8S_OUTDIR`, which belongs to the app of cdk8s.yaml.
   * @default - `CDK8S_OUTDIR`, else `<project>/dist`
   */
  readonly outdir?: string;
}

/** Parses `[command [subcommand]] [flags]`. */
export function parseCliArgs(argv: readonly string[], defaults: CliDefaults = {}): CliArgs {
  const words: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      words.push(arg);
      continue;
    }
    const [name, inline] = arg.split(/=(.*)/s, 2);
    const key = name === '-o' ? '--out' : name;
    if (key === '--check' || key === '--stdout' || key === '--debug') {
      flags[key] = true;
      continue;
    }
    if (!['--out', '--inventory', '--cluster', '--which', '--file'].includes(key))
      throw new UsageError(`unknown argument '${arg}'\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('-')) throw new UsageError(`${name} needs a value\n${USAGE}`);
    if (value.trim() === '') throw new UsageError(`${name} needs a value, not an empty one\n${USAGE}`);
    flags[key] = value;
  }
  const [command = 'synth', subcommand, ...extra] = words;
  if (!['synth', 'check', 'pki'].includes(command)) throw new UsageError(`unknown command '${command}'\n${USAGE}`);
  if (extra.length > 0 || (command !== 'pki' && subcommand))
    throw new UsageError(`unexpected '${[subcommand, ...extra].filter(Boolean).join(' ')}'\n${USAGE}`);
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : undefined);
  // Without --out, the project's dist/: for a YAML inventory its folder (like its PKI folders).
  const inventory = str('--inventory');
  const outdir = str('--out') ?? defaults.outdir ?? defaultOutdir(inventory ? path.dirname(path.resolve(inventory)) : undefined);
  if (command !== 'pki') assertOutputFolder(outdir, str('--out') !== undefined ? '--out' : 'the output folder');
  return {
    command,
    subcommand,
    outdir,
    check: flags['--check'] === true,
    inventory,
    cluster: str('--cluster'),
    which: str('--which'),
    file: str('--file'),
    stdout: flags['--stdout'] === true,
    debug: flags['--debug'] === true,
  };
}

/** The output folder may be missing (it is created) but must not be a file. */
function assertOutputFolder(outdir: string, what: string): void {
  let isFile = false;
  try {
    isFile = !fs.statSync(outdir).isDirectory();
  } catch {
    // Missing (created by synth) or unreadable (reported by the command with the path).
  }
  if (isFile) throw new UsageError(`${what} '${outdir}' is a file; it must name a folder (created when missing)\n${USAGE}`);
}
