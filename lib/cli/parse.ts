/**
 * The command line, parsed with Node's `util.parseArgs` (https://nodejs.org/docs/latest-v20.x/api/util.html#utilparseargsconfig):
 * `[command [subcommand]] [flags]`, `help [command]`, `--help`/`-h` on every command and a global `--version`.
 * Only Node built-ins and the light spec modules are imported here, so that help, version and usage
 * errors answer without loading the construct library.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { SpiremeshError } from '../spec/finding';
import { COMMANDS, COMMON_OPTIONS, CommandSpec, DEFAULT_COMMAND, MESH_OPTIONS, OptionSpec } from './commands';

/** The program name in usage lines and fixes. */
export const PROGRAM = 'spiremesh';

/** A command line that cannot be run as given: exit code 2, with the command's usage. */
export class UsageError extends SpiremeshError {
  public constructor(message: string) {
    super(message, []);
  }
}

/** Exit codes: 0 ok; 1 findings (errors, differences, a broken certificate); 2 a command line that cannot be run. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** A parsed command line. */
export type ParsedCommandLine =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string }
  | {
      readonly kind: 'run';
      readonly spec: CommandSpec;
      readonly command: string;
      readonly positionals: readonly string[];
      readonly values: Readonly<Record<string, string | boolean | undefined>>;
    };

function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  return { ...(spec.meshFlags === false ? {} : MESH_OPTIONS), ...spec.options, ...COMMON_OPTIONS };
}

/** The global `--version`, parsed with every command's flags (listed in the overview). */
const VERSION_OPTION: Record<string, OptionSpec> = {
  version: { type: 'boolean', description: `print the version of ${PROGRAM} and exit` },
};

function parseConfig(options: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, o.short ? { type: o.type, short: o.short } : { type: o.type }]),
  );
}

/** `--out DIR` / `-o, --out DIR` for the help. */
function flagLabel(name: string, o: OptionSpec): string {
  const long = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([n, o]) => flagLabel(n, o).length));
  return entries.map(([n, o]) => `  ${flagLabel(n, o).padEnd(width)}  ${o.description}`);
}

/** The overview: every command and the global flags. */
export function overviewHelp(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    `usage: ${PROGRAM} <command> [flags]     (${PROGRAM} ${DEFAULT_COMMAND} when no command is given)`,
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n].summary}`),
    '',
    'flags of every mesh command:',
    ...optionLines({ ...MESH_OPTIONS, ...COMMON_OPTIONS }),
    `      --version  print the version of ${PROGRAM} and exit`,
    '',
    `exit codes: ${EXIT_OK} ok; ${EXIT_FINDINGS} findings (an error, a difference with --check or diff, a broken certificate in pki status, a warning with --strict); ${EXIT_USAGE} usage error`,
    `run '${PROGRAM} <command> --help' (or '${PROGRAM} help <command>') for a command's flags`,
  ].join('\n');
}

/** The help of one command: its usage lines, what it does and every flag it takes. */
export function commandHelp(spec: CommandSpec): string {
  return [
    ...spec.synopsis.map((s, i) => `${i === 0 ? 'usage: ' : '       '}${PROGRAM} ${s}`),
    '',
    spec.description ?? spec.summary,
    '',
    'flags:',
    ...optionLines(optionsOf(spec)),
  ].join('\n');
}

/** The version of the spiremesh package: the nearest package.json named spiremesh above this module (source or compiled). */
export function packageVersion(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PROGRAM && pkg.version) return pkg.version;
    } catch {
      // No package.json here (or not readable): go up.
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

function usageOf(spec: CommandSpec | undefined): string {
  return spec ? commandHelp(spec).split('\n\n')[0] : `usage: ${PROGRAM} <command> [flags]; commands: ${Object.keys(COMMANDS).join(', ')}`;
}

/** A parseArgs error in spiremesh's words. */
function parseArgsMessage(e: Error & { code?: string }, argv: readonly string[], command: string): string {
  // parseArgs names the flag as '--out', or '-o, --out <value>' for one with a short alias.
  const flag = /'(?:-[A-Za-z], )?(--?[A-Za-z][\w-]*)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = flag?.replace(/^-+/, '');
    const elsewhere = Object.values(COMMANDS)
      .filter((c) => name !== undefined && name in optionsOf(c))
      .map((c) => c.name);
    return elsewhere.length > 0
      ? `${command} takes no flag ${flag} (${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'does' : 'do'})`
      : `unknown flag '${flag ?? e.message}'`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return `${flag} takes no value`;
    const at = argv.findIndex(
      (a) =>
        a === flag ||
        (flag !== undefined &&
          optionsOf(COMMANDS[command] ?? COMMANDS[DEFAULT_COMMAND])[flag.replace(/^-+/, '')]?.short === a.replace(/^-/, '')),
    );
    const next = at >= 0 ? argv[at + 1] : undefined;
    return next !== undefined && next.startsWith('-')
      ? `${flag} needs a value (got the flag '${next}'; write ${flag}=${next} for a value that starts with '-')`
      : `${flag} needs a value`;
  }
  return e.message;
}

/** `-o=DIR` as `--out=DIR` (parseArgs would read the value `=DIR`), so that `-o=` is an empty value like `--out=`. */
function withLongInlineValues(argv: readonly string[], command: string): string[] {
  const spec = COMMANDS[command];
  const shorts = new Map(Object.entries(spec ? optionsOf(spec) : {}).flatMap(([name, o]) => (o.short ? [[o.short, name]] : [])));
  return argv.map((arg) => {
    const m = /^-([A-Za-z])=(.*)$/s.exec(arg);
    const long = m ? shorts.get(m[1]) : undefined;
    return m && long ? `--${long}=${m[2]}` : arg;
  });
}

const wantsHelp = (argv: readonly string[]) => argv.includes('--help') || argv.includes('-h');

/**
 * Parses a command line: the command comes first (`synth` when the first word is a flag), then its words
 * and flags, each command with its own flags. Throws UsageError naming the bad word or flag, followed by the
 * command's usage. Help (`help`, `--help`, `-h`) and `--version` win over every other flag.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const named = argv[0] !== undefined && !argv[0].startsWith('-') ? argv[0] : undefined;
  const rest = withLongInlineValues(named === undefined ? argv : argv.slice(1), named ?? DEFAULT_COMMAND);
  if (named === 'help') {
    const words = rest.filter((a) => !a.startsWith('-'));
    if (words.length === 0) return { kind: 'help', text: overviewHelp() };
    const target = COMMANDS[words[0]];
    if (!target || words.length > 1) throw new UsageError(`no command '${words.join(' ')}'\n${usageOf(undefined)}`);
    return { kind: 'help', text: commandHelp(target) };
  }
  const command = named ?? DEFAULT_COMMAND;
  const spec = COMMANDS[command];
  if (!spec) {
    if (wantsHelp(rest)) return { kind: 'help', text: overviewHelp() };
    throw new UsageError(`unknown command '${command}'\n${usageOf(undefined)}`);
  }
  let values: Record<string, string | boolean | undefined>;
  let words: string[];
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: parseConfig({ ...optionsOf(spec), ...VERSION_OPTION }),
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    words = parsed.positionals;
  } catch (e) {
    if (wantsHelp(rest)) return { kind: 'help', text: commandHelp(spec) };
    throw new UsageError(`${parseArgsMessage(e as Error, rest, command)}\n${usageOf(spec)}`);
  }
  if (values.help === true) return { kind: 'help', text: commandHelp(spec) };
  if (values.version === true) return { kind: 'version', text: packageVersion() };
  delete values.version;
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'string' && value.trim() === '')
      throw new UsageError(`--${name} needs a value, not an empty one\n${usageOf(spec)}`);
  }
  const subcommands = spec.subcommands ?? [];
  if (subcommands.length === 0 && words.length > 0 && spec.run === undefined)
    throw new UsageError(`unexpected '${words.join(' ')}' after ${command}\n${usageOf(spec)}`);
  if (subcommands.length > 0) {
    if (words.length === 0) throw new UsageError(`${command} needs a subcommand: ${subcommands.join(', ')}\n${usageOf(spec)}`);
    if (!subcommands.includes(words[0]))
      throw new UsageError(`unknown subcommand '${command} ${words[0]}': use one of ${subcommands.join(', ')}\n${usageOf(spec)}`);
    if (words.length > 1) throw new UsageError(`unexpected '${words.slice(1).join(' ')}' after ${command} ${words[0]}\n${usageOf(spec)}`);
  }
  return { kind: 'run', spec, command, positionals: words, values };
}
