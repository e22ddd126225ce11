/**
 * The command-line entry of a spiremesh app: `main.ts` calls `synthMain` with a function that
 * declares the mesh; bin/spiremesh.ts does the same for a YAML inventory. It parses the command line
 * (lib/cli/parse.ts), answers `--help`/`--version` before the mesh is declared, runs the command,
 * prints the result, and returns the exit code: 0 ok, 1 findings (an error, a difference with `--check`
 * or `diff`, a broken certificate in `pki status`, a warning with `--strict`), 2 a usage error.
 * Every message reads `spiremesh: ...`, findings through formatFinding; with `--json` stdout holds one
 * JSON document and nothing else.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { SpireMesh } from '../app/mesh';
import { CheckFinding, formatCheckFinding } from '../app/check';
import { formatSummary } from '../app/summary';
import { SynthesisResult, synthesize } from '../app/synthesize';
import { Finding, SpiremeshError } from '../spec';
import { CliArgs, CliDefaults, cliArgsOf } from './args';
import { STDOUT_STREAM_FILE, multiDocumentStream, underCdk8sCli, underCdk8sStdout } from './cdk8s-cli';
import { ObjectChange, diffPlannedWrites, formatDiff, formatFieldLines } from './diff';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, PROGRAM, UsageError, parseCommandLine } from './parse';
import { runPkiSubcommand } from './pki-commands';

export type DeclareMesh = (app: App, args: CliArgs) => void;

/** Where human-readable output goes: stdout, except under `cdk8s synth`, which drops the app's stdout. */
function print(text: string): void {
  (underCdk8sCli() ? process.stderr : process.stdout).write(`${text}\n`);
}

function printJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/** Runs one command; returns the exit code (0 ok, 1 findings, 2 usage). */
export function runCli(declare: DeclareMesh, argv: readonly string[] = process.argv.slice(2), defaults: CliDefaults = {}): number {
  const debug = argv.includes('--debug');
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    return reportError(e, debug, undefined);
  }
  if (parsed.kind !== 'run') {
    process.stdout.write(`${parsed.text}\n`);
    return EXIT_OK;
  }
  const { spec } = parsed;
  if (spec.run !== undefined) {
    // A command that does not act on the app's mesh (e.g. init): the mesh is not declared.
    try {
      return spec.run({
        command: parsed.command,
        positionals: parsed.positionals,
        values: parsed.values,
        print: (t) => process.stdout.write(`${t}\n`),
        printError: (t) => process.stderr.write(`${t}\n`),
      });
    } catch (e) {
      return reportError(e, debug, undefined);
    }
  }
  let args: CliArgs | undefined;
  try {
    args = cliArgsOf(parsed, defaults);
    const app = new App({ outdir: args.outdir });
    declare(app, args);
    assertInventoryHonoured(app, args);
    switch (args.command) {
      case 'pki':
        return pkiCommand(app, args);
      case 'check':
        return checkCommand(app, args);
      case 'diff':
        return diffCommand(app, args);
      default:
        return underCdk8sStdout() ? stdoutStreamCommand(app, args) : synthCommand(app, args);
    }
  } catch (e) {
    return reportError(e, debug, args, parsed.command);
  }
}

/** The meshes of an app, in declaration order. */
function meshesOf(app: App): SpireMesh[] {
  return app.node.findAll().filter((c): c is SpireMesh => c instanceof SpireMesh);
}

/**
 * `--inventory FILE` is honoured by every command of bin/spiremesh.ts, which declares the mesh from it. An app
 * that declares its mesh in TypeScript refuses it, rather than acting on its own mesh instead.
 */
function assertInventoryHonoured(app: App, args: CliArgs): void {
  if (args.inventory === undefined) return;
  const dir = path.dirname(path.resolve(args.inventory));
  const meshes = meshesOf(app);
  const typed = meshes.filter((m) => m.model.sourceDir === undefined || path.resolve(m.model.sourceDir) !== dir);
  if (meshes.length === 0 || typed.length > 0) {
    const names = typed.map((m) => `'${m.model.name}'`).join(', ');
    throw new UsageError(
      `--inventory ${args.inventory}: this app declares ${names ? `mesh ${names}` : 'no mesh'} in TypeScript and does not read an inventory; ` +
        `run ${PROGRAM} ${args.command}${args.subcommand ? ` ${args.subcommand}` : ''} --inventory ${args.inventory} (the spiremesh command, bin/spiremesh.ts) for a YAML mesh, or drop --inventory`,
    );
  }
}

/** Findings of a result: the mesh check's, and every other warning as a `synth` finding. */
function findingsOf(result: SynthesisResult): Finding[] {
  const checkLines = new Set(result.checkFindings.map(formatCheckFinding));
  const plain = (f: CheckFinding): Finding => ({
    severity: f.severity,
    source: f.source,
    ...(f.subject !== undefined ? { subject: f.subject } : {}),
    message: f.message,
    ...(f.fix !== undefined ? { fix: f.fix } : {}),
  });
  return [
    ...result.checkFindings.map(plain),
    ...result.warnings.filter((w) => !checkLines.has(w)).map((message): Finding => ({ severity: 'warning', source: 'synth', message })),
  ];
}

/** The files of a result relative to its output folder, by what the run does to them. */
function filesOf(result: SynthesisResult): { created: string[]; changed: string[]; pruned: string[] } {
  const rel = (dir: string, f: string) => (dir === '.' || dir === '' ? f : `${dir}/${f}`);
  return {
    created: result.directories.flatMap((d) => d.created.map((f) => rel(d.dir, f))),
    changed: result.directories.flatMap((d) => d.changed.map((f) => rel(d.dir, f))),
    pruned: result.directories.flatMap((d) => d.pruned.map((f) => rel(d.dir, f))),
  };
}

/** The JSON document of synth, check and diff. */
function resultJson(command: string, result: SynthesisResult, exitCode: number, extra: Record<string, unknown> = {}) {
  return {
    command,
    ok: exitCode === EXIT_OK,
    exitCode,
    outdir: result.outdir,
    upToDate: result.upToDate,
    reused: result.reused,
    ...extra,
    clusters: result.clusters,
    findings: findingsOf(result),
    files: filesOf(result),
    prerequisites: result.prerequisites,
  };
}

function strictLine(result: SynthesisResult, consequence: string): string {
  return `${PROGRAM}: --strict: ${result.warnings.length} warning(s) count as errors; ${consequence}`;
}

/** The summary of `synth --check`, each file line followed by its changed objects and fields. */
function checkSummary(result: SynthesisResult, changes: readonly ObjectChange[]): string {
  const byFile = new Map<string, ObjectChange[]>();
  for (const c of changes) byFile.set(c.file, [...(byFile.get(c.file) ?? []), c]);
  const sign = { added: '+', removed: '-', changed: '~' } as const;
  return formatSummary(result, { check: true })
    .split('\n')
    .flatMap((line) => {
      const m = /^ {2}[+~-] (\S+)$/.exec(line);
      const list = m ? byFile.get(m[1]) : undefined;
      if (!list) return [line];
      return [
        line,
        ...list.flatMap((c) =>
          c.kind === undefined
            ? formatFieldLines(c, '      ')
            : [`      ${sign[c.change]} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`, ...formatFieldLines(c, '          ')],
        ),
      ];
    })
    .join('\n');
}

function synthCommand(app: App, args: CliArgs): number {
  if (args.strict && !args.check) {
    // Warnings refuse a writing synth like errors: find them in a read-only run first. A first synth, whose CA
    // material does not exist yet, cannot run read-only: the writing run below reports (or generates) it.
    let dry: SynthesisResult | undefined;
    try {
      dry = synthesize(app, { outdir: args.outdir, check: true, reuse: args.reuse });
    } catch {
      dry = undefined;
    }
    if (dry && dry.warnings.length > 0) {
      if (args.json) printJson(resultJson('synth', dry, EXIT_FINDINGS, { check: false, written: false }));
      else {
        print(dry.warnings.map((w) => `  ! ${w}`).join('\n'));
        process.stderr.write(`${strictLine(dry, 'nothing was written')}\n`);
      }
      return EXIT_FINDINGS;
    }
  }
  const result = synthesize(app, { outdir: args.outdir, check: args.check, reuse: args.reuse });
  const changes = args.check && !result.upToDate ? diffPlannedWrites(result.outdir, result.plannedWrites) : [];
  const strictFail = args.strict && result.warnings.length > 0;
  const code = (args.check && !result.upToDate) || strictFail ? EXIT_FINDINGS : EXIT_OK;
  if (args.json) {
    printJson(resultJson('synth', result, code, { check: args.check, written: !args.check, ...(args.check ? { changes } : {}) }));
    return code;
  }
  print(args.check ? checkSummary(result, changes) : formatSummary(result));
  if (strictFail) process.stderr.write(`${strictLine(result, args.check ? 'nothing was written' : 'the output was written')}\n`);
  return code;
}

/**
 * `cdk8s synth --stdout`: a read-only synth (no CA material generated, the project's folders untouched) whose
 * objects are left as one multi-document stream in the CLI's temporary folder, which the CLI prints.
 */
function stdoutStreamCommand(app: App, args: CliArgs): number {
  // The stream is made of the planned writes: a reused folder plans none.
  const result = synthesize(app, { outdir: args.outdir, check: true, reuse: false });
  const outdir = result.outdir;
  const files = new Map<string, string>();
  for (const [file, content] of result.plannedWrites) {
    if (content !== null) files.set(path.relative(outdir, file).split(path.sep).join('/'), content);
  }
  fs.writeFileSync(path.join(outdir, STDOUT_STREAM_FILE), multiDocumentStream(files));
  const objects = result.clusters.reduce((n, c) => n + c.objects, 0);
  process.stderr.write(
    `${PROGRAM}: ${objects} objects of ${result.clusters.length} directories as one YAML stream (cdk8s synth --stdout); nothing was written\n` +
      (result.warnings.length === 0
        ? 'warnings: none\n'
        : `warnings (${result.warnings.length}):\n${result.warnings.map((w) => `  ! ${w}\n`).join('')}`),
  );
  return args.strict && result.warnings.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

function checkCommand(app: App, args: CliArgs): number {
  // Everything synth verifies, without writing; the check's errors throw like in synth.
  const result = synthesize(app, { outdir: args.outdir, check: true, reuse: args.reuse });
  const code = args.strict && result.warnings.length > 0 ? EXIT_FINDINGS : EXIT_OK;
  if (args.json) {
    printJson(resultJson('check', result, code));
    return code;
  }
  const checkLines = new Set(result.checkFindings.map(formatCheckFinding));
  const lines = [...result.checkFindings.map(formatCheckFinding), ...result.warnings.filter((w) => !checkLines.has(w))];
  print(
    lines.length === 0
      ? 'check: all checks passed'
      : `check: 0 errors, ${lines.length} warning(s)\n${lines.map((l) => `  ${l}`).join('\n')}`,
  );
  if (code !== EXIT_OK) process.stderr.write(`${strictLine(result, 'the check fails')}\n`);
  return code;
}

function diffCommand(app: App, args: CliArgs): number {
  const result = synthesize(app, { outdir: args.outdir, check: true, reuse: args.reuse });
  const changes = diffPlannedWrites(result.outdir, result.plannedWrites);
  const strictFail = args.strict && result.warnings.length > 0;
  const code = !result.upToDate || strictFail ? EXIT_FINDINGS : EXIT_OK;
  if (args.json) {
    printJson(resultJson('diff', result, code, { changes }));
    return code;
  }
  const where = path.relative(process.cwd(), result.outdir) || '.';
  const counts = (['added', 'removed', 'changed'] as const).map((k) => `${changes.filter((c) => c.change === k).length} ${k}`).join(', ');
  if (result.upToDate) print(`${PROGRAM} diff: ${where}/ matches a fresh synth`);
  else if (changes.length === 0) {
    // The files differ in bytes only (comments, formatting): the objects are the same.
    const f = filesOf(result);
    print(
      `${PROGRAM} diff: ${where}/ differs from a fresh synth in formatting only (same objects):\n${[...f.created, ...f.changed, ...f.pruned].map((x) => `  ~ ${x}`).join('\n')}`,
    );
  } else print(`${PROGRAM} diff: ${where}/ differs from a fresh synth (${counts}; + added, - removed, ~ changed):\n${formatDiff(changes)}`);
  if (result.warnings.length > 0) print(`warnings (${result.warnings.length}):\n${result.warnings.map((w) => `  ! ${w}`).join('\n')}`);
  if (strictFail) process.stderr.write(`${strictLine(result, 'diff fails')}\n`);
  return code;
}

function pkiCommand(app: App, args: CliArgs): number {
  const meshes = meshesOf(app);
  if (meshes.length !== 1) throw new UsageError(`pki commands work on one mesh; the app declares ${meshes.length}`);
  const r = runPkiSubcommand(meshes[0].model, args);
  if (args.json) {
    printJson({
      command: 'pki status',
      ok: r.exitCode === EXIT_OK,
      exitCode: r.exitCode,
      mesh: meshes[0].model.name,
      certificates: r.rows ?? [],
    });
  } else print(r.text);
  return r.exitCode;
}

/** Prints an error once (stderr; with --json also the JSON document) and returns its exit code. */
function reportError(e: unknown, debug: boolean, args: CliArgs | undefined, command?: string): number {
  const code = e instanceof UsageError ? EXIT_USAGE : EXIT_FINDINGS;
  if (args?.json && code === EXIT_FINDINGS) {
    const findings: Finding[] =
      SpiremeshError.isSpiremeshError(e) && e.findings.length > 0
        ? [...e.findings]
        : [{ severity: 'error', source: PROGRAM, message: describeError(e, debug).replace(/^spiremesh: /, '') }];
    printJson({ command: args.subcommand ? `${args.command} ${args.subcommand}` : args.command, ok: false, exitCode: code, findings });
    return code;
  }
  const text = describeError(e, debug);
  const hint =
    code === EXIT_USAGE && !text.includes('\nusage: ')
      ? `run '${[PROGRAM, command, '--help'].filter(Boolean).join(' ')}' for the flags\n`
      : '';
  process.stderr.write(`${text}\n${hint}`);
  return code;
}

/**
 * A user error (SpiremeshError) is its message, which names the bad value and the fix, never a
 * stack trace. Anything else is a bug or an unexpected condition: one line, and its stack trace
 * only with --debug.
 */
export function describeError(e: unknown, debug: boolean): string {
  if (SpiremeshError.isSpiremeshError(e)) return `${PROGRAM}: ${e.message}`;
  const error = e instanceof Error ? e : new Error(String(e));
  if (debug) return `${PROGRAM}: unexpected error: ${error.stack ?? error.message}`;
  const line = error.message.split('\n')[0] || error.name;
  return `${PROGRAM}: unexpected error: ${line}\nrun again with --debug for the stack trace`;
}

/** `runCli`, then exit with its code. */
export function synthMain(declare: DeclareMesh, defaults: CliDefaults = {}, argv: readonly string[] = process.argv.slice(2)): void {
  process.exitCode = runCli(declare, argv, defaults);
}
