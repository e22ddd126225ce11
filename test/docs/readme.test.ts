/**
 * The README cannot drift from the tool: every fenced block of README.md is exercised here (a block no case claims
 * fails the first test), and every command of the commands table answers `--help` with the flags the table names.
 *
 * - TypeScript blocks run as written (the package import resolved to this checkout's lib/), in a scratch project;
 * - YAML inventories are synthesized with the `spiremesh` command, and validated against the committed JSON Schema;
 * - sample output blocks are produced for real and compared (the spec errors, the helm-template refusal), the layout
 *   block against the committed dist/;
 * - shell blocks run where they can run here (`npm run synth -- --check`, the inventory synth); the install block is
 *   the acceptance test test/package/package.test.ts, which this test checks runs those commands.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { App } from 'cdk8s';
import * as ts from 'typescript';
import { parse } from 'yaml';
import * as lib from '../../lib';
import { readTree } from '../helpers';

const ROOT = path.resolve(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const REGISTER = path.join(ROOT, 'scripts/register.cjs');
const BIN = path.join(ROOT, 'bin/spiremesh.ts');

interface Block {
  /** Line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly text: string;
}

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push({ line: start + 1, lang: open[1], text: `${body.join('\n')}\n` });
  }
  return blocks;
}

const BLOCKS = fencedBlocks(README);
const claimed = new Set<Block>();

/** The one block whose text starts with (or contains) `marker`; claims it. */
function block(lang: string, marker: string): Block {
  const found = BLOCKS.filter((b) => b.lang === lang && b.text.includes(marker));
  if (found.length !== 1) throw new Error(`README.md: expected one \`\`\`${lang} block containing '${marker}', found ${found.length}`);
  claimed.add(found[0]);
  return found[0];
}

function scratchProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-readme-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "readme-check", "private": true }\n');
  return dir;
}

/** Runs the spiremesh command of this checkout (bin/spiremesh.ts, transpiled as `node -r spiremesh/register` does). */
function spiremesh(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['-r', REGISTER, BIN, ...args], { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) fs.rmSync(d, { recursive: true, force: true });
});
function project(): string {
  const d = scratchProject();
  scratch.push(d);
  return d;
}

describe('README.md code blocks', () => {
  test('the TypeScript mesh of "Declare your own mesh" synthesizes as written, exit 0', () => {
    const b = block('ts', 'export function declareMesh(app: Construct)');
    expect(b.text).toContain("from 'spiremesh'");
    const dir = project();
    // The package name resolves to this checkout's lib/ (an installed package resolves it from node_modules).
    fs.writeFileSync(path.join(dir, 'main.ts'), b.text.replace(/from 'spiremesh'/g, `from ${JSON.stringify(path.join(ROOT, 'lib'))}`));
    const run = spawnSync(process.execPath, ['-r', REGISTER, 'main.ts'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.not.stringContaining('error') });
    expect(fs.existsSync(path.join(dir, 'dist/east/kustomization.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'dist/west/kustomization.yaml'))).toBe(true);
  });

  test('the component snippet of "Adding a component" delivers its chart release in every cluster', () => {
    const b = block('ts', 'class TeamDashboard extends MeshComponent');
    const js = ts.transpileModule(b.text, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dir = project();
    const app = new App({ outdir: path.join(dir, 'dist') });
    const mesh = new lib.SpireMesh(app, 'example', {
      name: 'example',
      istio: { distribution: lib.IstioDistribution.UPSTREAM, version: '1.29.1' },
      clusters: [{ name: 'a', dataplaneMode: lib.DataplaneMode.SIDECAR }],
    });
    new Function('MeshComponent', 'MeshCluster', 'Construct', 'mesh', js)(lib.MeshComponent, lib.MeshCluster, Object, mesh);
    const out = path.join(dir, 'dist');
    lib.synthesize(app, { outdir: out, baseDir: dir });
    const tree = readTree(out);
    const app_ = Object.entries(tree).find(([f]) => f.startsWith('a/delivery/') && f.includes('team-dashboard'));
    expect(app_).toBeDefined();
    expect(parse(app_![1]).spec.source).toMatchObject({ repoURL: 'oci://registry.example.com/charts/dashboard', targetRevision: '1.2.3' });
  });

  test('the inventory command of "In YAML" synthesizes examples/three-clusters.yaml', () => {
    const b = block('sh', '--inventory examples/three-clusters.yaml');
    const args = b.text.trim().split(/\s+/);
    expect(args.slice(0, 3)).toEqual(['npx', 'ts-node', 'bin/spiremesh.ts']);
    const dir = project();
    fs.mkdirSync(path.join(dir, 'examples'));
    fs.copyFileSync(path.join(ROOT, 'examples/three-clusters.yaml'), path.join(dir, 'examples/three-clusters.yaml'));
    const run = spiremesh(dir, args.slice(3));
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    for (const c of ['east', 'west', 'edge']) expect(fs.existsSync(path.join(dir, 'out/fleet', c, 'kustomization.yaml'))).toBe(true);
  });

  test('the minimal inventory with its $schema line validates against the committed JSON Schema and synthesizes', () => {
    const b = block('yaml', '# yaml-language-server: $schema=');
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/spiremesh-inventory.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect([validate(parse(b.text)), validate.errors]).toEqual([true, null]);
    expect(b.text).toContain('node_modules/spiremesh/schemas/spiremesh-inventory.schema.json');
    const dir = project();
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), b.text);
    const run = spiremesh(dir, ['synth', '--inventory', 'mesh.yaml']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });

  test('the spec-error sample is what spiremesh prints for the mesh.yaml above it, exit 1, nothing written', () => {
    const input = block('yaml', '  - name: West_1');
    const output = block('', 'spiremesh: mesh spec mesh.yaml has 3 problems');
    const dir = project();
    fs.writeFileSync(path.join(dir, 'mesh.yaml'), input.text);
    const run = spiremesh(dir, ['synth', '--inventory', 'mesh.yaml']);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(output.text);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });

  test('the output layout block names what the committed dist/ holds', () => {
    const b = block('', 'kustomization.yaml        # every manifest');
    const entries = b.text
      .split('\n')
      .map((l) => /^\s*([A-Za-z0-9_<>-]+\/|[A-Za-z-]+\.(yaml|md))\s/.exec(`${l} `)?.[1])
      .filter((e): e is string => e !== undefined && !e.includes('<') && e !== 'dist/');
    expect(entries).toEqual(
      expect.arrayContaining(['cluster1/', 'kustomization.yaml', 'spiremesh-index.yaml', 'namespaces/', '_fleet/', 'README.md']),
    );
    for (const e of entries) {
      const where = ['', 'cluster1'].map((d) => path.join(ROOT, 'dist', d, e));
      expect([e, where.some((w) => fs.existsSync(w))]).toEqual([e, true]);
    }
  });

  test('the helm-template refusal sample is what a synth without helm and archives prints', () => {
    const b = block('', "helm executable 'helm' was not found on PATH");
    const dir = project();
    fs.mkdirSync(path.join(dir, 'examples/helm-template'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'examples/helm-template/main.ts'),
      fs
        .readFileSync(path.join(ROOT, 'examples/helm-template/main.ts'), 'utf8')
        .replace("from '../../lib'", `from ${JSON.stringify(path.join(ROOT, 'lib'))}`),
    );
    const run = spawnSync(process.execPath, ['-r', REGISTER, 'examples/helm-template/main.ts'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PATH: path.dirname(process.execPath) },
    });
    expect(run.status).toBe(1);
    const printed = run.stderr.split(dir).join('<project>');
    for (const line of b.text.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '...')) expect(printed).toContain(line);
  });

  test('"Two commands": npm run synth of this checkout is up to date (npm ci and npm test are what CI runs)', () => {
    const b = block('sh', 'npm ci && npm run synth');
    expect(b.text).toContain('npm ci && npm test');
    expect(fs.readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/npm ci[\s\S]*npm test/);
    execFileSync('npm', ['run', '--silent', 'synth', '--', '--check'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  });

  test('"Use it in your GitOps repository": the install commands are the package acceptance test', () => {
    const b = block('sh', 'npm pack');
    const acceptance = fs.readFileSync(path.join(ROOT, 'test/package/package.test.ts'), 'utf8');
    for (const step of ['pack', 'init', 'synth', 'check']) {
      expect(b.text).toContain(step);
      expect([step, acceptance.includes(`'${step}'`)]).toEqual([step, true]);
    }
  });

  test('every fenced block of README.md is exercised by one of the cases above', () => {
    const unclaimed = BLOCKS.filter((b) => !claimed.has(b)).map((b) => `README.md:${b.line} \`\`\`${b.lang}`);
    expect(unclaimed).toEqual([]);
  });
});

describe('README.md commands table', () => {
  const rows = README.split('\n')
    .map((l) => /^\| `spiremesh ([^`]+)` \|/.exec(l)?.[1])
    .filter((r): r is string => r !== undefined);

  test('lists every command', () => {
    expect(
      rows.map((r) =>
        r
          .split(' ')
          .filter((w) => /^[a-z]+$/.test(w))
          .slice(0, 2)
          .join(' '),
      ),
    ).toEqual(expect.arrayContaining(['synth', 'check', 'diff', 'pki init', 'pki status', 'pki rotate', 'pki export']));
  });

  test.each(rows)('spiremesh %s --help exits 0 and documents the flags of the row', (row) => {
    const words = row.split(' ').filter((w) => /^[a-z]+$/.test(w));
    const command = words[0] === 'pki' ? words.slice(0, 2) : words.slice(0, 1);
    const run = spiremesh(ROOT, [...command, '--help']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    for (const flag of row.match(/--[a-z-]+/g) ?? []) expect([flag, run.stdout.includes(flag)]).toEqual([flag, true]);
  });

  test('every `npm run` script the README names exists', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const named = [...new Set([...README.matchAll(/npm run (?:--silent )?([a-z:]+)/g)].map((m) => m[1]))];
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((n) => !(n in scripts))).toEqual([]);
  });
});
