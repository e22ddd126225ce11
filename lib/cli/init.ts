/**
 * `spiremesh init [DIR] [--inventory] [--force]`: scaffolds a GitOps repository, or a folder in
 * one, that declares a mesh with the installed spiremesh package:
 *
 *   cdk8s.yaml                          the app `cdk8s synth` runs, output `dist`
 *   main.ts | mesh.yaml                 the mesh: TypeScript importing 'spiremesh', or a YAML inventory (--inventory)
 *   package.json                        scripts synth / check / pki (added to an existing package.json)
 *   .gitignore                          CA keys, Secret manifests, the output writer's temp and lock files
 *                                       (missing lines appended to an existing .gitignore)
 *   .github/workflows/spiremesh.yaml    CI: `synth --check` on every pull request
 *
 * The scaffolded mesh synthesizes as written: two ambient clusters peered both ways, east-west
 * addresses from the documentation ranges (RFC 5737), the Solo license from a Secret the team
 * creates, the Git repository on a reserved example domain (RFC 2606).
 *
 * Never overwrites: when a file it would create exists (or package.json already has a synth,
 * check or pki script that differs), it names every such file, writes nothing and exits 1;
 * `--force` replaces them. Only Node built-ins and the light spec constants are imported, so the
 * command table (lib/cli/commands.ts) stays fast to load.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LOCK_DIR, LOCK_OWNER_FILE, TEMP_PREFIX } from '../gitops/output-names';
import { DEFAULT_KEY_DIRECTORY, DEFAULT_SECRETS_DIRECTORY } from '../spec/defaults';
import { DEFAULT_OUTPUT_DIRECTORY } from '../spec/project';
import { DEFAULT_LICENSE_SECRET_NAME, ISTIO_NAMESPACE } from '../spec/names';
import { DEFAULT_ISTIO_VERSION } from '../versions';

/** What `init` scaffolds. */
export interface InitOptions {
  /** The project folder (created when missing). */
  readonly dir: string;
  /**
   * Declare the mesh in a YAML inventory (`mesh.yaml`) instead of TypeScript (`main.ts`).
   * @default false
   */
  readonly inventory?: boolean;
  /**
   * Replace files that exist (and package.json scripts that differ) instead of refusing.
   * @default false
   */
  readonly force?: boolean;
  /**
   * The folder of the spiremesh package the project uses, for the inventory's
   * `# yaml-language-server: $schema=` line.
   * @default - the package this code runs from
   */
  readonly packageDir?: string;
}

export interface InitResult {
  /** Absolute paths of the files written from scratch (or replaced with --force). */
  readonly created: readonly string[];
  /** Absolute paths of existing files that got lines or scripts added (package.json, .gitignore). */
  readonly updated: readonly string[];
  /** The commands to run next, for the message. */
  readonly next: readonly string[];
}

/** Refused because files exist; nothing was written. */
export class InitRefusedError extends Error {
  public constructor(
    public readonly conflicts: readonly string[],
    dir: string,
  ) {
    super(
      `init: refusing to overwrite ${conflicts.length === 1 ? 'a file that exists' : `${conflicts.length} files that exist`} in ${dir}:\n` +
        conflicts.map((c) => `  ${c}`).join('\n') +
        '\nnothing was written; move them away, run init in another folder (spiremesh init DIR), or replace them with --force',
    );
    this.name = 'InitRefusedError';
  }
}

/** The file name of the mesh of each flavour. */
export const INIT_TYPESCRIPT_APP = 'main.ts';
export const INIT_INVENTORY_FILE = 'mesh.yaml';
export const INIT_WORKFLOW_FILE = '.github/workflows/spiremesh.yaml';

/** The loader that runs a TypeScript app without type-checking it (lib/cli/register.ts, package export `./register`). */
const TS_RUNNER = 'node -r spiremesh/register';

/**
 * The example mesh both flavours declare, defined once. The addresses are from the documentation
 * ranges of RFC 5737 (TEST-NET-1, TEST-NET-2), the repository on example.com (RFC 2606): they
 * validate and synthesize, and are obviously placeholders.
 */
const SCAFFOLD = {
  mesh: 'mesh',
  // One trust domain for every cluster: they share one root of trust, and ambient peering across
  // trust domains has open upstream problems (the multicluster check's Trust Domain Check warns).
  trustDomain: 'mesh.example.com',
  clusters: [
    { name: 'cluster1', eastWestAddress: '192.0.2.10' },
    { name: 'cluster2', eastWestAddress: '198.51.100.10' },
  ],
  repository: 'https://git.example.com/platform/mesh-gitops.git',
} as const;

/**
 * Lines the project's .gitignore must hold: secrets (keys, Secret manifests) and the output
 * writer's own files (every temporary name, the staging folder and journal included, starts
 * with TEMP_PREFIX; lib/gitops/output-names.ts).
 */
export function gitignoreLines(): string[] {
  return [`${DEFAULT_KEY_DIRECTORY}/`, `${DEFAULT_SECRETS_DIRECTORY}/`, `${TEMP_PREFIX}*`, LOCK_DIR, LOCK_OWNER_FILE, 'node_modules/'];
}

/**
 * The package.json scripts: the spiremesh command, which runs the app of the project's cdk8s.yaml
 * (the TypeScript app, or itself on the inventory), so both flavours have the same scripts.
 */
export function initScripts(): Record<string, string> {
  return { synth: 'spiremesh synth', check: 'spiremesh check', pki: 'spiremesh pki' };
}

/** Scaffolds the project; throws InitRefusedError (having written nothing) when files exist. */
export function initProject(options: InitOptions): InitResult {
  const dir = path.resolve(options.dir);
  const inventory = options.inventory ?? false;
  const force = options.force ?? false;
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new InitUsageError(`init: '${options.dir}' is a file; name a folder (created when missing)`);

  const scripts = initScripts();
  // GitHub runs only the workflows at the top of the repository: a project in a subfolder of a
  // Git repository gets its workflow there, running in the project's folder.
  const repositoryRoot = gitRoot(dir) ?? dir;
  const files = new Map<string, string>([
    [path.join(dir, 'cdk8s.yaml'), cdk8sYaml(inventory)],
    [
      path.join(dir, inventory ? INIT_INVENTORY_FILE : INIT_TYPESCRIPT_APP),
      inventory ? inventoryYaml(dir, options.packageDir ?? packageRoot()) : mainTs(),
    ],
    [
      path.join(repositoryRoot, workflowFile(toPosix(path.relative(repositoryRoot, dir)))),
      workflowYaml(toPosix(path.relative(repositoryRoot, dir))),
    ],
  ]);

  const conflicts: string[] = [];
  for (const file of files.keys()) if (fs.existsSync(file)) conflicts.push(toPosix(path.relative(dir, file)));

  // package.json: created, or its scripts added; a script of the same name that differs is a conflict.
  const packageFile = path.join(dir, 'package.json');
  let packageJson: Record<string, any> | undefined;
  if (fs.existsSync(packageFile)) {
    try {
      packageJson = JSON.parse(fs.readFileSync(packageFile, 'utf8'));
    } catch (e) {
      throw new InitUsageError(`init: ${packageFile} is not valid JSON (${(e as Error).message}); fix it, or run init in another folder`);
    }
    const existing: Record<string, string> = packageJson?.scripts ?? {};
    const differing = Object.keys(scripts).filter((name) => existing[name] !== undefined && existing[name] !== scripts[name]);
    if (differing.length > 0)
      conflicts.push(
        `package.json (scripts ${differing.map((s) => `'${s}'`).join(', ')} differ: '${differing.map((s) => existing[s]).join("', '")}')`,
      );
  }
  if (conflicts.length > 0 && !force) throw new InitRefusedError(conflicts, dir);

  const created: string[] = [];
  const updated: string[] = [];
  for (const [file, content] of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    created.push(file);
  }

  if (packageJson) {
    const merged = { ...packageJson, scripts: { ...(packageJson.scripts ?? {}), ...scripts } };
    const text = `${JSON.stringify(merged, null, 2)}\n`;
    if (text !== fs.readFileSync(packageFile, 'utf8')) {
      fs.writeFileSync(packageFile, text);
      updated.push(packageFile);
    }
  } else {
    const name =
      path
        .basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9._-]+/g, '-')
        .replace(/^[._-]+/, '') || SCAFFOLD.mesh;
    const pkg = { name, private: true, scripts, dependencies: { spiremesh: `^${packageVersion()}` } };
    fs.writeFileSync(packageFile, `${JSON.stringify(pkg, null, 2)}\n`);
    created.push(packageFile);
  }

  const gitignoreFile = path.join(dir, '.gitignore');
  const wanted = gitignoreLines();
  if (fs.existsSync(gitignoreFile)) {
    const text = fs.readFileSync(gitignoreFile, 'utf8');
    const have = new Set(text.split(/\r?\n/).map((l) => l.trim()));
    const missing = wanted.filter((l) => !have.has(l));
    if (missing.length > 0) {
      fs.writeFileSync(gitignoreFile, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${gitignoreBlock(missing)}`);
      updated.push(gitignoreFile);
    }
  } else {
    fs.writeFileSync(gitignoreFile, gitignoreBlock(wanted));
    created.push(gitignoreFile);
  }

  return { created, updated, next: ['npm install', 'npm run synth', 'npm run check'] };
}

/** A command line init cannot run as given (exit 2). */
export class InitUsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'InitUsageError';
  }
}

function gitignoreBlock(lines: readonly string[]): string {
  return [
    '# spiremesh: CA private keys and kubectl-delivery Secret manifests (never in git), and the',
    "# output writer's staging, temp and lock files (removed by the next run after an interruption)",
    ...lines,
    '',
  ].join('\n');
}

function cdk8sYaml(inventory: boolean): string {
  const app = inventory ? `npx spiremesh synth --inventory ${INIT_INVENTORY_FILE}` : `${TS_RUNNER} ${INIT_TYPESCRIPT_APP}`;
  return [
    '# cdk8s CLI configuration: `cdk8s synth` runs the same app as `npm run synth`. spiremesh runs its',
    '# schema, secrets and policy gates either way and only touches the files it owns in the output folder.',
    'language: typescript',
    `app: ${app}`,
    '',
  ].join('\n');
}

function mainTs(): string {
  const [a, b] = SCAFFOLD.clusters;
  return `/**
 * The mesh of this repository. \`npm run synth\` writes ${DEFAULT_OUTPUT_DIRECTORY}/<cluster>/ for every cluster (commit it),
 * \`npm run check\` runs the multicluster check alone. Replace the placeholders: the east-west
 * addresses (RFC 5737 documentation ranges) and the Git repository this folder is committed to.
 */
import { IstioDistribution, IstioLicense, SpireMesh, linkBothWays, synthMain } from 'spiremesh';

synthMain((app) => {
  new SpireMesh(app, '${SCAFFOLD.mesh}', {
    name: '${SCAFFOLD.mesh}',
    // The Solo license reaches istiod from a Secret you create in each cluster (never inline: ${DEFAULT_OUTPUT_DIRECTORY}/ is committed).
    istio: {
      distribution: IstioDistribution.SOLO,
      version: '${DEFAULT_ISTIO_VERSION}',
      license: IstioLicense.fromSecret('${DEFAULT_LICENSE_SECRET_NAME}', '${ISTIO_NAMESPACE}'),
    },
    clusters: [
      { name: '${a.name}', trustDomain: '${SCAFFOLD.trustDomain}', eastWestAddress: '${a.eastWestAddress}' },
      { name: '${b.name}', trustDomain: '${SCAFFOLD.trustDomain}', eastWestAddress: '${b.eastWestAddress}' },
    ],
    links: linkBothWays('${a.name}', '${b.name}'),
    // The repository and folder an Argo CD in each cluster syncs (${DEFAULT_OUTPUT_DIRECTORY}/_fleet/<cluster>/ starts it).
    gitops: { repository: '${SCAFFOLD.repository}' },
  });
});
`;
}

function inventoryYaml(dir: string, packageDir: string): string {
  const schema = inventorySchemaFile(packageDir);
  const lines: string[] = [];
  if (schema) {
    const rel = toPosix(path.relative(dir, schema));
    lines.push(`# yaml-language-server: $schema=${rel.startsWith('.') ? rel : `./${rel}`}`);
  }
  const [a, b] = SCAFFOLD.clusters;
  lines.push(
    `# The mesh of this repository. \`npm run synth\` writes ${DEFAULT_OUTPUT_DIRECTORY}/<cluster>/ for every cluster (commit it),`,
    '# `npm run check` runs the multicluster check alone. Replace the placeholders: the east-west',
    '# addresses (RFC 5737 documentation ranges) and the Git repository this folder is committed to.',
    `name: ${SCAFFOLD.mesh}`,
    'istio:',
    '  distribution: solo',
    `  version: ${DEFAULT_ISTIO_VERSION}`,
    `  license: # from a Secret you create in each cluster (never inline: ${DEFAULT_OUTPUT_DIRECTORY}/ is committed)`,
    `    secretName: ${DEFAULT_LICENSE_SECRET_NAME}`,
    `    secretNamespace: ${ISTIO_NAMESPACE}`,
    'clusters:',
    `  - name: ${a.name}`,
    `    trustDomain: ${SCAFFOLD.trustDomain} # one trust domain for every cluster (one root of trust)`,
    `    eastWestAddress: ${a.eastWestAddress}`,
    `  - name: ${b.name}`,
    `    trustDomain: ${SCAFFOLD.trustDomain}`,
    `    eastWestAddress: ${b.eastWestAddress}`,
    'links:',
    `  - { from: ${a.name}, to: ${b.name} }`,
    `  - { from: ${b.name}, to: ${a.name} }`,
    `gitops: # the repository and folder an Argo CD in each cluster syncs (${DEFAULT_OUTPUT_DIRECTORY}/_fleet/<cluster>/ starts it)`,
    `  repository: ${SCAFFOLD.repository}`,
    '',
  );
  return lines.join('\n');
}

/** The workflow of a project at `sub` (relative to the repository root, '' at the root): one per project folder. */
export function workflowFile(sub: string): string {
  return sub === '' ? INIT_WORKFLOW_FILE : INIT_WORKFLOW_FILE.replace(/\.yaml$/, `-${sub.replace(/[^A-Za-z0-9_.-]+/g, '-')}.yaml`);
}

/** The CI workflow; `sub` is the project's folder relative to the repository root ('' at the root). */
function workflowYaml(sub: string): string {
  return [
    '# Fails a pull request whose committed output differs from a fresh synth of the mesh',
    '# (synth --check writes nothing, prints what differs and exits 1).',
    `name: spiremesh${sub === '' ? '' : ` (${sub})`}`,
    'on:',
    '  pull_request:',
    '  push:',
    '    branches: [main]',
    'jobs:',
    '  synth-check:',
    '    runs-on: ubuntu-latest',
    ...(sub !== '' ? ['    defaults:', '      run:', `        working-directory: ${sub}`] : []),
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: actions/setup-node@v4',
    '        with:',
    '          node-version: 20',
    '      - run: npm ci',
    '      - run: npx spiremesh synth --check',
    '',
  ].join('\n');
}

/** The nearest folder at or above dir that holds .git, if any. */
function gitRoot(dir: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The installed package's folder: the nearest folder above this file with spiremesh's package.json. */
function packageRoot(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === 'spiremesh') return d;
    if (path.dirname(d) === d) return path.resolve(__dirname, '../..');
  }
}

function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

/**
 * The JSON Schema of the YAML inventory, in the package (generated from lib/spec/schema.ts by
 * scripts/inventory-schema.ts and committed; README "In YAML"), relative to the package folder.
 */
export const INVENTORY_SCHEMA_FILE = 'schemas/spiremesh-inventory.schema.json';

/** The schema file of the installed package, if it ships one (then the inventory gets a `$schema` line). */
function inventorySchemaFile(packageDir: string): string | undefined {
  const file = path.join(packageDir, INVENTORY_SCHEMA_FILE);
  return fs.existsSync(file) ? file : undefined;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * What `init` reads of an invocation: the fields of lib/cli/commands.ts `Invocation` it uses
 * (declared here, since the command table imports this module).
 */
export interface InitInvocation {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly print: (text: string) => void;
  readonly printError: (text: string) => void;
}

/** Runs `init` for the command table: 0 written, 1 refused (nothing written), 2 usage error. */
export function runInit(invocation: InitInvocation): number {
  const [dir = '.', ...extra] = invocation.positionals;
  if (extra.length > 0) {
    invocation.printError(`spiremesh: init takes one folder, not '${invocation.positionals.join(' ')}' (spiremesh init --help)`);
    return 2;
  }
  try {
    const result = initProject({ dir, inventory: invocation.values.inventory === true, force: invocation.values.force === true });
    const rel = (f: string) => {
      const r = toPosix(path.relative(process.cwd(), f));
      return r === '' ? '.' : r.startsWith('..') ? f : r;
    };
    const where = rel(path.resolve(dir));
    invocation.print(
      [
        `init: scaffolded a ${invocation.values.inventory === true ? 'YAML inventory' : 'TypeScript'} mesh in ${where}`,
        ...result.created.map((f) => `  + ${rel(f)}`),
        ...result.updated.map((f) => `  ~ ${rel(f)} (added ${path.basename(f) === 'package.json' ? 'scripts' : 'lines'})`),
        'next:',
        ...(where === '.' ? [] : [`  cd ${where}`]),
        ...result.next.map((c) => `  ${c}`),
      ].join('\n'),
    );
    return 0;
  } catch (e) {
    if (e instanceof InitRefusedError) {
      invocation.printError(`spiremesh: ${e.message}`);
      return 1;
    }
    if (e instanceof InitUsageError) {
      invocation.printError(`spiremesh: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** `init` in the command table (lib/cli/commands.ts `CommandSpec`). */
export const INIT_COMMAND = {
  name: 'init',
  summary: 'scaffold a GitOps repository (or a folder in one) that declares a mesh',
  synopsis: ['init [DIR] [--inventory] [--force]'],
  description:
    `Writes cdk8s.yaml, the mesh (${INIT_TYPESCRIPT_APP}, or ${INIT_INVENTORY_FILE} with --inventory), package.json scripts ` +
    `(synth, check, pki; added to an existing package.json), a .gitignore for the CA keys, Secret manifests and the ` +
    `output writer's temp and lock files (appended to an existing one), and a CI workflow (${INIT_WORKFLOW_FILE}) that ` +
    'runs synth --check. DIR defaults to the current folder and is created when missing. Never overwrites a file: ' +
    'when one exists it names them all, writes nothing and exits 1 (--force replaces them).',
  options: {
    inventory: {
      type: 'boolean' as const,
      description: `declare the mesh in a YAML inventory (${INIT_INVENTORY_FILE}) instead of TypeScript`,
    },
    force: { type: 'boolean' as const, description: 'replace the files that exist instead of refusing' },
  },
  meshFlags: false,
  run: runInit,
};
