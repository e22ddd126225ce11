/** The command line: help, version, exit codes, --inventory, --json, --strict, diff, pki status. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { CaDelivery, IstioLicense, SpireMesh } from '../lib';
import { IntermediateKind, pkiStoreFor } from '../lib/pki';
import { COMMANDS, declareInventoryMesh, packageVersion } from '../lib/cli';
import { MESH_OPTIONS, COMMON_OPTIONS } from '../lib/cli/commands';
import { declareExampleMesh } from '../main';
import { readTree, tempDir } from './helpers';
import { runCommand as run } from './run-cli';

const root = path.join(__dirname, '..');
const nothing = () => undefined;

/** A two-cluster mesh whose PKI lives in `project` (generated at run time; removed with the folder). */
function meshIn(project: string, options: { ingress?: boolean; name?: string } = {}) {
  return (app: App) =>
    new SpireMesh(app, 'm', {
      name: options.name ?? 'clitest',
      istio: { license: IstioLicense.fromSecret('solo-istio-license', 'istio-system') },
      clusters: [
        {
          name: 'east',
          trustDomain: 'mesh.test',
          eastWestAddress: '192.0.2.1',
          ...(options.ingress ? { ingressGateways: [{ name: 'ingress' }] } : {}),
        },
        { name: 'west', trustDomain: 'mesh.test', eastWestAddress: '192.0.2.2' },
      ],
      pki: {
        certificateDirectory: path.join(project, 'pki'),
        keyDirectory: path.join(project, 'keys'),
        delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }),
      },
    });
}

const projects: string[] = [];
function project(): string {
  const dir = tempDir('spiremesh-cli-');
  fs.writeFileSync(path.join(dir, 'package.json'), '{}\n');
  projects.push(dir);
  return dir;
}
afterAll(() => {
  for (const p of projects) fs.rmSync(p, { recursive: true, force: true });
});

describe('help and version', () => {
  test.each(Object.keys(COMMANDS).filter((n) => n !== 'help'))('%s --help, -h and help %s exit 0 and print its flags on stdout', (name) => {
    const spec = COMMANDS[name];
    const flags = [
      ...Object.keys(spec.options),
      ...Object.keys(COMMON_OPTIONS),
      ...(spec.meshFlags === false ? [] : Object.keys(MESH_OPTIONS)),
    ];
    for (const argv of [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
    ]) {
      const r = run(nothing, argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(new RegExp(`^usage: spiremesh ${name}`));
      for (const f of flags) expect(r.stdout).toContain(`--${f}`);
    }
  });

  test('help, --help and -h alone print the overview of every command', () => {
    for (const argv of [['help'], ['--help'], ['-h']]) {
      const r = run(nothing, argv);
      const expected = argv[0] === 'help' ? 'usage: spiremesh <command>' : 'usage: spiremesh synth';
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(expected)).toBe(true);
    }
    const overview = run(nothing, ['help']).stdout;
    for (const name of Object.keys(COMMANDS)) expect(overview).toContain(`  ${name} `);
    expect(overview).toContain('--version');
  });

  test('--version prints the version of package.json, with any command', () => {
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
    expect(packageVersion()).toBe(version);
    for (const argv of [['--version'], ['check', '--version'], ['pki', 'status', '--version']]) {
      expect(run(nothing, argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });
});

describe('exit codes', () => {
  test.each([
    [['deploy'], "unknown command 'deploy'"],
    [['--bogus'], "unknown flag '--bogus'"],
    [['check', '--cluster', 'x'], 'check takes no flag --cluster (pki does)'],
    [['pki'], 'pki needs a subcommand: init, status, rotate, export'],
    [['pki', 'frob'], "unknown subcommand 'pki frob'"],
    [['synth', 'extra'], "unexpected 'extra' after synth"],
    [['--check=yes'], '--check takes no value'],
    [['--out'], '--out needs a value'],
  ])('%j is a usage error: exit 2, nothing on stdout', (argv, message) => {
    const r = run(nothing, argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`spiremesh: ${message}`);
    expect(r.stderr).toContain('usage: spiremesh');
  });

  test('pki rotate without --cluster, or with an unknown one, is a usage error', () => {
    const p = project();
    expect(run(meshIn(p), ['pki', 'init']).code).toBe(0);
    const none = run(meshIn(p), ['pki', 'rotate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('pki rotate needs --cluster NAME (one of east, west)');
    expect(run(meshIn(p), ['pki', 'rotate', '--cluster', 'north']).code).toBe(2);
    expect(run(meshIn(p), ['pki', 'rotate', '--cluster', 'east', '--which', 'all']).code).toBe(2);
  });
});

describe('--inventory', () => {
  const commands = [
    ['synth'],
    ['check'],
    ['diff'],
    ['pki', 'init'],
    ['pki', 'status'],
    ['pki', 'rotate', '--cluster', 'east'],
    ['pki', 'export', '--cluster', 'east', '--stdout'],
  ];

  test.each(commands)('an app that declares its mesh in TypeScript refuses it: %s', (...argv) => {
    const out = tempDir();
    const p = project();
    const r = run(meshIn(p), [...argv, '--inventory', path.join(root, 'examples/three-clusters.yaml'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("this app declares mesh 'clitest' in TypeScript and does not read an inventory");
    expect(r.stderr).toContain(
      `run spiremesh ${argv
        .slice(0, 2)
        .filter((a) => !a.startsWith('-'))
        .join(' ')} --inventory`,
    );
    expect(fs.readdirSync(out)).toEqual([]);
    expect(fs.existsSync(path.join(p, 'pki'))).toBe(false);
  });

  test('the spiremesh command honours it for every command', () => {
    const p = project();
    const inventory = path.join(p, 'mesh.yaml');
    fs.copyFileSync(path.join(root, 'examples/three-clusters.yaml'), inventory);
    const cmd = (...argv: string[]) => run(declareInventoryMesh, [...argv, '--inventory', inventory]);
    const init = cmd('pki', 'init');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('mesh fleet: ');
    expect(cmd('synth').code).toBe(0);
    expect(fs.readdirSync(path.join(p, 'dist')).sort()).toEqual(['README.md', 'east', 'edge', 'west']);
    expect(cmd('check').code).toBe(0);
    expect(cmd('diff').stdout).toContain('matches a fresh synth');
    expect(cmd('synth', '--check').code).toBe(0);
    expect(cmd('pki', 'status').code).toBe(0);
    expect(cmd('pki', 'rotate', '--cluster', 'edge', '--which', 'spire').stdout).toContain('cluster edge: new SPIRE upstream CA');
    expect(JSON.parse(cmd('pki', 'export', '--cluster', 'edge', '--stdout').stdout)).toBeInstanceOf(Object);
    // The rotation changed what synth renders for edge: diff says so, and exits 1.
    const diff = cmd('diff');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('edge:');
  });
});

describe('pki status', () => {
  test('exits 1 on a key mismatch and names it once; --json lists the rows', () => {
    const a = project();
    const b = project();
    expect(run(meshIn(a), ['pki', 'init']).code).toBe(0);
    expect(run(meshIn(b), ['pki', 'init']).code).toBe(0);
    expect(run(meshIn(a), ['pki', 'status']).code).toBe(0);
    const istio = IntermediateKind.ALL.find((k) => k.id === 'istio')!;
    const key = (p: string) => pkiStoreFor(meshIn(p)(new App()).model, {})!.layout.keyFile('east', istio);
    fs.copyFileSync(key(b), key(a));
    const status = run(meshIn(a), ['pki', 'status']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/east +istio .* MISMATCH +invalid: the key .* does not match/);
    expect(status.stdout).toContain('1 certificate(s) need attention:');
    const json = run(meshIn(a), ['pki', 'status', '--json']);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ command: 'pki status', ok: false, exitCode: 1, mesh: 'clitest' });
    expect(doc.certificates).toHaveLength(5);
    expect(doc.certificates.filter((r: { keyMatches?: boolean }) => r.keyMatches === false)).toEqual([
      expect.objectContaining({ cluster: 'east', role: 'istio', state: 'invalid', chainVerified: true }),
    ]);
    // Synth refuses it, printing the mismatch once.
    const synth = run(meshIn(a), ['--out', tempDir()]);
    expect(synth.code).toBe(1);
    expect(synth.stderr.match(/does not match the certificate/g)).toHaveLength(1);
    expect(synth.stderr).toContain('`spiremesh pki rotate --cluster east --which istio`');
  });
});

describe('--json, --strict and diff', () => {
  test('synth, check and diff --json print one JSON document and nothing else', () => {
    const out = tempDir();
    const synth = run(declareExampleMesh, ['synth', '--out', out, '--json']);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toBe('');
    const doc = JSON.parse(synth.stdout);
    expect(doc).toMatchObject({ command: 'synth', ok: true, exitCode: 0, outdir: out, check: false, written: true });
    expect(doc.clusters.map((c: { cluster: string }) => c.cluster)).toEqual(['cluster1', 'cluster2', '_fleet']);
    expect(doc.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        source: 'Trust Domain Check',
        subject: expect.stringContaining('cluster1'),
        fix: expect.any(String),
      }),
    ]);
    expect(doc.files.created).toContain('cluster1/kustomization.yaml');
    expect(doc.prerequisites.map((p: { cluster: string }) => p.cluster)).toEqual(['cluster1', 'cluster2']);

    const check = JSON.parse(run(declareExampleMesh, ['check', '--out', out, '--json']).stdout);
    expect(check).toMatchObject({ command: 'check', ok: true, upToDate: true });
    expect(check.findings).toHaveLength(1);

    fs.rmSync(path.join(out, 'cluster2', 'spire', 'configmap_spire-server_spire-bundle.yaml'));
    const diff = run(declareExampleMesh, ['diff', '--out', out, '--json']);
    expect(diff.code).toBe(1);
    const d = JSON.parse(diff.stdout);
    expect(d).toMatchObject({ command: 'diff', ok: false, upToDate: false });
    expect(d.changes).toEqual([
      expect.objectContaining({ change: 'added', dir: 'cluster2', kind: 'ConfigMap', namespace: 'spire-server', name: 'spire-bundle' }),
    ]);
    const checkJson = JSON.parse(run(declareExampleMesh, ['synth', '--check', '--out', out, '--json']).stdout);
    expect(checkJson).toMatchObject({
      check: true,
      written: false,
      upToDate: false,
      files: { created: ['cluster2/spire/configmap_spire-server_spire-bundle.yaml'] },
    });
    expect(checkJson.changes).toHaveLength(1);
  });

  test('an error with --json is a JSON document with the findings, whose fixes name commands', () => {
    // A check needs the CA material (it writes nothing): a mesh without any is refused, naming `spiremesh pki init`.
    const p = project();
    const r = run(meshIn(p), ['check', '--json', '--out', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ command: 'check', ok: false, exitCode: 1 });
    expect(doc.findings[0]).toMatchObject({
      severity: 'error',
      source: 'pki',
      subject: expect.stringContaining('root-ca.crt'),
      fix: expect.stringContaining('`spiremesh pki init`'),
    });
  });

  test('--strict turns warnings into exit 1; a strict synth writes nothing', () => {
    const out = tempDir();
    const check = run(declareExampleMesh, ['check', '--out', out, '--strict']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('spiremesh: --strict: 1 warning(s) count as errors');
    const synth = run(declareExampleMesh, ['synth', '--out', out, '--strict']);
    expect(synth.code).toBe(1);
    expect(synth.stdout).toContain('! warning [Trust Domain Check]');
    expect(synth.stderr).toContain('nothing was written');
    expect(fs.readdirSync(out)).toEqual([]);
    expect(JSON.parse(run(declareExampleMesh, ['synth', '--out', out, '--strict', '--json']).stdout)).toMatchObject({
      ok: false,
      written: false,
    });
    expect(run(declareExampleMesh, ['synth', '--out', out]).code).toBe(0);
    expect(run(declareExampleMesh, ['diff', '--out', out]).code).toBe(0);
    expect(run(declareExampleMesh, ['diff', '--out', out, '--strict']).code).toBe(1);
    // A mesh without warnings passes strict.
    const p = project();
    expect(run(meshIn(p), ['synth', '--out', path.join(p, 'dist'), '--strict']).code).toBe(0);
  });

  test('diff lists added, removed and changed objects with their changed fields; synth --check lists them per file', () => {
    const p = project();
    const out = path.join(p, 'dist');
    expect(run(meshIn(p, { ingress: true }), ['--out', out]).code).toBe(0);
    const before = readTree(out);
    // changed: a field edited by hand; added: a file deleted by hand; removed: the ingress gateway left the spec.
    const sts = path.join(out, 'east', 'spire', 'statefulset_spire-server_spire-server.yaml');
    fs.writeFileSync(sts, fs.readFileSync(sts, 'utf8').replace('replicas: 1', 'replicas: 3'));
    fs.rmSync(path.join(out, 'west', 'spire', 'configmap_spire-server_spire-bundle.yaml'));
    const edited = readTree(out);
    const r = run(meshIn(p), ['diff', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^spiremesh diff: .* differs from a fresh synth \(1 added, \d+ removed, \d+ changed; /);
    expect(r.stdout).toContain('east:\n');
    expect(r.stdout).toMatch(
      /\n {2}~ StatefulSet spire-server\/spire-server {2}\(east\/spire\/statefulset_spire-server_spire-server\.yaml\)\n {6}spec\.replicas: 3 → 1\n/,
    );
    expect(r.stdout).toContain('  + ConfigMap spire-server/spire-bundle  (west/spire/configmap_spire-server_spire-bundle.yaml)');
    expect(r.stdout).toContain('\n  - Application argocd/ingress  (east/delivery/application_argocd_ingress.yaml)\n');
    expect(r.stdout).toContain('\n  - Namespace istio-ingress  (east/namespaces/namespace_istio-ingress.yaml)\n');
    // The review page: the ingress gateway's row is gone (a line diff, not every line after it).
    expect(r.stdout).toMatch(/\n {2}~ README\.md\n(?: {6}line [^\n]*\n)* {6}line \d+: "\| ingress gateways \| `istio-ingress\/ingress`/);
    expect(r.stdout).toMatch(/~ east\/kustomization\.yaml\n {6}resources: "[^"]*ingress[^"]*" → \(absent\)/);
    expect(readTree(out)).toEqual(edited); // diff writes nothing

    const check = run(meshIn(p), ['synth', '--check', '--out', out]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      / {2}~ east\/spire\/statefulset_spire-server_spire-server\.yaml\n {6}~ StatefulSet spire-server\/spire-server\n {10}spec\.replicas: 3 → 1\n/,
    );
    expect(check.stdout).toMatch(/ {2}- east\/[^\n]*ingress[^\n]*\n {6}- /);
    expect(before).not.toEqual(edited);
  });
});
