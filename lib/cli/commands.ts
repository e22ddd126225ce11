/**
 * The command table of the spiremesh CLI: every command with its synopsis, its flags and its help
 * text. Kept free of heavy imports (only Node built-ins), so that `--help`, `--version` and a usage
 * error answer without loading the construct library.
 */
import { INIT_COMMAND } from './init';

/** One flag of a command, as `util.parseArgs` takes it, plus what its help says. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** One-letter alias, e.g. `o` for `--out`. @default - none */
  readonly short?: string;
  /** Placeholder of the value in the help, e.g. `DIR`. @default 'VALUE' for string flags */
  readonly value?: string;
  readonly description: string;
}

/** What a command receives when it runs without a declared mesh (see {@link CommandSpec.run}). */
export interface Invocation {
  /** The command's name, e.g. `init`. */
  readonly command: string;
  /** Words after the command, e.g. `status` of `pki status`. */
  readonly positionals: readonly string[];
  /** Parsed flag values by long name (`out`, `inventory`, ...). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** Prints to stdout / stderr (one line or block; a newline is added). */
  readonly print: (text: string) => void;
  readonly printError: (text: string) => void;
}

/** One command of the CLI. */
export interface CommandSpec {
  readonly name: string;
  /** One line for the command overview. */
  readonly summary: string;
  /** Usage lines, each after `spiremesh `. */
  readonly synopsis: readonly string[];
  /** Paragraph(s) of the command's help. @default - the summary */
  readonly description?: string;
  /** Allowed first words after the command (`pki init`...); none means the command takes no words. @default - none */
  readonly subcommands?: readonly string[];
  /** Flags of this command, beyond the common ones. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * Takes the mesh flags (`--inventory`, `--out`, `--json`, `--strict`): commands that act on a declared mesh.
   * @default true
   */
  readonly meshFlags?: boolean;
  /**
   * Runs a command that does not act on a declared mesh (e.g. `init`): the app's mesh is not declared, and the
   * returned number is the exit code. Commands without `run` act on the declared mesh (lib/cli/main.ts).
   * @default - a mesh command
   */
  readonly run?: (invocation: Invocation) => number;
}

/** Flags every command takes. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  help: { type: 'boolean', short: 'h', description: 'print this help and exit' },
  debug: { type: 'boolean', description: 'print the stack trace of an unexpected error' },
};

/** `--no-reuse` of the commands that synthesize (synth, check, diff). */
const NO_REUSE_OPTION: Readonly<Record<string, OptionSpec>> = {
  'no-reuse': {
    type: 'boolean',
    description:
      'render everything, even when dist/spiremesh-synth.json shows the inputs and every file unchanged since the last synth (for an app that feeds files or the environment it reads itself into anything but the mesh spec)',
  },
};

/** Flags of the commands that act on a declared mesh. */
export const MESH_OPTIONS = {
  inventory: {
    type: 'string',
    value: 'FILE',
    description: 'the mesh from a YAML inventory (the spiremesh command); an app that declares its mesh in TypeScript refuses it',
  },
  out: {
    type: 'string',
    short: 'o',
    value: 'DIR',
    description:
      "output folder (default: CDK8S_OUTDIR, else dist/ in the project folder: the inventory's folder, or the nearest with cdk8s.yaml or package.json)",
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout (findings, clusters, files, prerequisites), nothing else' },
  strict: { type: 'boolean', description: 'warnings count as errors: exit 1 (and synth writes nothing)' },
} as const satisfies Record<string, OptionSpec>;

const SYNTH: CommandSpec = {
  name: 'synth',
  summary: 'render dist/<cluster>/ (the default command)',
  synopsis: ['synth [--out DIR] [--check] [--inventory FILE] [--strict] [--json] [--no-reuse]'],
  description:
    'Renders every cluster directory, runs the schema, secrets and policy gates and the multicluster check, and writes ' +
    'only the files spiremesh owns (nothing at all on an error). With --check it writes nothing and exits 1 when the ' +
    'output folder differs from a fresh synth, listing the objects and fields that differ per file.',
  options: {
    check: { type: 'boolean', description: 'write nothing; exit 1 when the output folder differs from a fresh synth' },
    ...NO_REUSE_OPTION,
  },
};

const CHECK: CommandSpec = {
  name: 'check',
  summary: 'the static multicluster check alone (what `istioctl multicluster check` verifies live)',
  synopsis: ['check [--inventory FILE] [--strict] [--json]'],
  description:
    'Runs everything synth verifies, writes nothing, and prints the multicluster check. Exit 1 on an error (or a warning with --strict).',
  options: { ...NO_REUSE_OPTION },
};

const DIFF: CommandSpec = {
  name: 'diff',
  summary: 'objects and fields that differ between the output folder and a fresh synth',
  synopsis: ['diff [--out DIR] [--inventory FILE] [--json]'],
  description:
    'Synthesizes in memory and compares with the output folder: added, removed and changed objects (kind, namespace, ' +
    'name per cluster) and, for a changed object, each changed field with its old and new value. Writes nothing; exit 1 when they differ.',
  options: { ...NO_REUSE_OPTION },
};

const PKI: CommandSpec = {
  name: 'pki',
  summary: 'the CA lifecycle: init, status, rotate, export',
  synopsis: [
    'pki init [--inventory FILE]',
    'pki status [--inventory FILE] [--strict] [--json]',
    'pki rotate --cluster NAME [--which spire|istio|both] [--inventory FILE]',
    'pki export [--cluster NAME] [--file FILE | --stdout] [--inventory FILE]',
  ],
  description:
    'init generates the CA material that is missing (never regenerates an existing CA). status lists every certificate ' +
    '(exit 1 on a key MISMATCH, a chain FAIL, or a missing, expired or invalid current certificate; --strict: also on one that expires soon). ' +
    'rotate issues a new intermediate under the same root (the old one stays valid until it expires). export writes the ' +
    'CA secret values to upload to a secret store (mode 0600).',
  subcommands: ['init', 'status', 'rotate', 'export'],
  options: {
    cluster: { type: 'string', value: 'NAME', description: 'the cluster (rotate, export)' },
    which: { type: 'string', value: 'spire|istio|both', description: 'which intermediate to rotate (default: both)' },
    file: { type: 'string', value: 'FILE', description: 'export: the file to write (its folder must exist; refused if it exists)' },
    stdout: { type: 'boolean', description: 'export: print the values instead of writing a file' },
  },
};

const HELP: CommandSpec = {
  name: 'help',
  summary: 'help of a command: spiremesh help [COMMAND]',
  synopsis: ['help [COMMAND]'],
  options: {},
  meshFlags: false,
  subcommands: [],
};

/**
 * Every command, by name, in the order the overview lists them.
 *
 * DISPATCH POINT for commands that do not act on a declared mesh: a module registers one by adding its
 * `CommandSpec` (with `run`) here, e.g. `init` from lib/cli/init.ts:
 *   import { INIT_COMMAND } from './init';   ...   init: INIT_COMMAND,
 */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  synth: SYNTH,
  check: CHECK,
  diff: DIFF,
  pki: PKI,
  init: INIT_COMMAND, // lib/cli/init.ts (spiremesh init)
  help: HELP,
};

/** The command when the command line names none (`npm run synth -- --check`). */
export const DEFAULT_COMMAND = 'synth';
