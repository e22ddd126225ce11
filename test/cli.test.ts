import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { SpireMesh, parseSynthArgs, runSynth } from '../lib';
import { declareExampleMesh } from '../main';
import { readTree, tempDir } from './helpers';

const root = path.join(__dirname, '..');

/** Runs `runSynth` in-process and captures what it prints. */
function run(declare: Parameters<typeof runSynth>[0], argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { stdout += String(s); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { stderr += String(s); return true; });
  try {
    return { code: runSynth(declare, argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('command line', () => {
  test('flags: --out/-o, --check, --inventory; CDK8S_OUTDIR is the default output', () => {
    const saved = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = 'from-env';
    try {
      expect(parseSynthArgs([])).toEqual({ outdir: 'from-env', check: false, inventory: undefined });
      expect(parseSynthArgs(['-o', 'x', '--check'])).toEqual({ outdir: 'x', check: true, inventory: undefined });
      expect(parseSynthArgs(['--out=y', '--inventory', 'm.yaml'])).toEqual({ outdir: 'y', check: false, inventory: 'm.yaml' });
      expect(() => parseSynthArgs(['--bogus'])).toThrow("unknown argument '--bogus'");
    } finally {
      if (saved === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = saved;
    }
  });

  test('prints a per-cluster summary; --check exits 1 when the output is out of date', () => {
    const out = tempDir();
    const first = run(declareExampleMesh, ['--out', out]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/cluster1\s+3\s+5\s+5\s+0\s+0\s+0/);
    expect(first.stdout).toContain('warnings: none');
    expect(run(declareExampleMesh, ['--out', out, '--check']).code).toBe(0);
    fs.writeFileSync(path.join(out, 'cluster1', 'kustomization.yaml'), 'edited\n');
    const check = run(declareExampleMesh, ['--out', out, '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('~ cluster1/kustomization.yaml');
    expect(fs.readFileSync(path.join(out, 'cluster1', 'kustomization.yaml'), 'utf8')).toBe('edited\n');
  });

  test('errors go to stderr with exit code 1 and no stack trace', () => {
    const out = tempDir();
    const result = run((app) => new SpireMesh(app, 'bad', { name: 'bad', clusters: [{ name: 'UPPER' }] }), ['--out', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("clusters[0].name: cluster name 'UPPER' is not a DNS-1123 label");
    expect(result.stderr).not.toContain('    at ');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('`cdk8s synth -o DIR` runs the app from cdk8s.yaml and writes DIR/<cluster>/', () => {
    const out = tempDir();
    execFileSync('npx', ['cdk8s', 'synth', '-o', out], { cwd: root, env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' }, stdio: 'pipe' });
    expect(readTree(out)).toEqual(readTree(path.join(root, 'dist')));
  });

  test('the inventory CLI synthesizes a YAML mesh', () => {
    const out = tempDir();
    const r = spawnSync('npx', ['ts-node', '--transpile-only', 'bin/spiremesh.ts', 'synth', '--inventory', 'examples/three-clusters.yaml', '--out', out], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['east', 'edge', 'west']);
    // edge links to west, so it holds the istio-eastwest namespace (its remote peer Gateway lives there).
    expect(Object.keys(readTree(path.join(out, 'edge')))).toContain('namespaces/namespace_istio-eastwest.yaml');
  });
});
