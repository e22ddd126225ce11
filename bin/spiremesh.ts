#!/usr/bin/env node
/**
 * The spiremesh command:
 *   spiremesh synth --inventory mesh.yaml [--out DIR] [--check]      a mesh declared in a YAML inventory
 *   spiremesh pki status --inventory mesh.yaml
 *   spiremesh synth | check | diff | pki ...                          without --inventory: the project's app
 * Without --inventory, the command runs the app of the project's cdk8s.yaml (the nearest folder holding
 * cdk8s.yaml or package.json, from the working directory) with the same arguments: its `--inventory FILE`
 * when the app is this command on an inventory, else the app command itself (e.g. `npx ts-node main.ts`),
 * so that `spiremesh pki rotate --cluster X` works for a mesh declared in TypeScript too.
 * Help, version and usage errors are answered before the construct library is loaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { EXIT_USAGE, PROGRAM, UsageError, parseCommandLine } from '../lib/cli/parse';
import { findProjectDir } from '../lib/spec/project';

/** Set for an app this command runs, so that an app that runs this command again is refused instead of looping. */
const DELEGATED = 'SPIREMESH_DELEGATED';

function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${PROGRAM}: ${e.message}\n`);
    return EXIT_USAGE;
  }
  if (parsed.kind !== 'run') {
    process.stdout.write(`${parsed.text}\n`);
    return 0;
  }
  if (parsed.spec.run === undefined && parsed.values.inventory === undefined) return runProjectApp(argv);
  return runWithInventory(argv);
}

/** Declares the mesh from `--inventory` and runs the command (the construct library is loaded here). */
function runWithInventory(argv: readonly string[]): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cli = require('../lib/cli') as typeof import('../lib/cli');
  return cli.runCli(cli.declareInventoryMesh, argv);
}

/** The `app` command of the project's cdk8s.yaml, if any. */
function projectApp(): { file: string; command: string } | undefined {
  const file = path.join(findProjectDir(process.cwd()), 'cdk8s.yaml');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const command = /^app:[ \t]*(.+?)[ \t]*$/m.exec(text)?.[1]?.replace(/^(['"])(.*)\1$/, '$2');
  return command ? { file, command } : undefined;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Path flags made absolute, since the app runs in the project folder rather than the working directory. */
function absolutePaths(argv: readonly string[]): string[] {
  const pathFlags = ['--out', '-o', '--file'];
  return argv.map((arg, i) => {
    if (i > 0 && pathFlags.includes(argv[i - 1]) && !arg.startsWith('-')) return path.resolve(arg);
    const m = /^(--out|--file|-o)=(.+)$/.exec(arg);
    return m ? `${m[1]}=${path.resolve(m[2])}` : arg;
  });
}

function runProjectApp(argv: readonly string[]): number {
  const app = projectApp();
  const needs = `this command needs --inventory FILE (a YAML mesh spec), or a project whose cdk8s.yaml names the app that declares the mesh (app: node -r spiremesh/register main.ts)`;
  if (!app) {
    process.stderr.write(`${PROGRAM}: ${needs}; found no cdk8s.yaml in ${findProjectDir(process.cwd())}\n`);
    return EXIT_USAGE;
  }
  // A YAML project's app is this command on its inventory: use that inventory, relative to the project folder.
  const inventory = /\bspiremesh(?:\.[jt]s)?\b.*?--inventory(?:=|\s+)(\S+)/.exec(app.command)?.[1];
  if (inventory !== undefined) return runWithInventory([...argv, '--inventory', path.resolve(path.dirname(app.file), inventory)]);
  if (process.env[DELEGATED] !== undefined) {
    process.stderr.write(`${PROGRAM}: ${needs}; the app of ${app.file} (${app.command}) runs ${PROGRAM} again without one\n`);
    return EXIT_USAGE;
  }
  const r = spawnSync(`${app.command} ${absolutePaths(argv).map(quote).join(' ')}`, {
    cwd: path.dirname(app.file),
    shell: true,
    stdio: 'inherit',
    env: { ...process.env, [DELEGATED]: '1' },
  });
  if (r.error) {
    process.stderr.write(`${PROGRAM}: could not run the app of ${app.file} (${app.command}): ${r.error.message}\n`);
    return 1;
  }
  return r.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
