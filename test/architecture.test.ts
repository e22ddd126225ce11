/**
 * The layer rules of lib/ (.dependency-cruiser.cjs) are enforced, not just written down: the
 * real tree passes, and each upward import the architecture forbids is caught by the real
 * dependency-cruiser when it is added to a copy of lib/. (`npm run deps`, which CI runs, checks the
 * tree in place.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './helpers';

const ROOT = path.resolve(__dirname, '..');
const DEPCRUISE = path.join(ROOT, 'node_modules/.bin/depcruise');

/** Runs dependency-cruiser over `dir`/lib with the project's rules; returns its exit status and output. */
function cruise(dir: string): { status: number | null; output: string } {
  const run = spawnSync(DEPCRUISE, ['lib', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A copy of the project's lib/, imports/ and configuration, where probes can be added. */
function scratchProject(): string {
  const dir = tempDir('spiremesh-layers-');
  for (const entry of ['lib', 'imports', 'tsconfig.json', '.dependency-cruiser.cjs', 'package.json']) {
    fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('layer rules (dependency-cruiser)', () => {
  // The upward imports a review found before the layers were introduced, each as a probe, and an import cycle
  // inside one layer, all added to one copy of the real lib/: one run of the tool (each run parses all of lib/)
  // judges the real tree (nothing but the probes may be reported) and the probes (each reported with its rule).
  const probes: readonly [string, string, string][] = [
    ['lib/core/probe-app.ts', "import { SpireMesh } from '../app/mesh';\nexport const probe = SpireMesh;\n", 'no-upward-core'],
    [
      'lib/core/probe-delivery.ts',
      "import { ChartDeliveryComponent } from '../delivery/component';\nexport const probe = ChartDeliveryComponent;\n",
      'no-upward-core',
    ],
    [
      'lib/istio/probe.ts',
      "import { collectObjects } from '../gitops/collect';\nexport const probe = collectObjects;\n",
      'no-upward-components',
    ],
    ['lib/gitops/probe.ts', "import { checkMesh } from '../app/check';\nexport const probe = checkMesh;\n", 'no-upward-gitops'],
    ['lib/spec/probe.ts', "import { MeshCluster } from '../core/cluster';\nexport const probe = MeshCluster;\n", 'no-upward-spec'],
    // A cycle is reported once, from the first of its files.
    ['lib/spec/cycle-a.ts', "import { b } from './cycle-b';\nexport const a = (): number => b() + 1;\n", 'no-circular'],
  ];
  const cycleB = ['lib/spec/cycle-b.ts', "import { a } from './cycle-a';\nexport const b = (): number => a() - 1;\n"] as const;
  const isProbe = (line: string): boolean => [...probes, cycleB].some(([file]) => line.includes(file));

  let status: number | null;
  let violations: string[];
  beforeAll(() => {
    const dir = scratchProject();
    for (const [file, source] of [...probes, cycleB]) fs.writeFileSync(path.join(dir, file), source);
    const run = cruise(dir);
    status = run.status;
    // dependency-cruiser's `err` reporter: one line per violation, "error <rule>: <from> → <to>"; its exit status
    // is the number of errors.
    violations = run.output.split('\n').filter((line) => /^\s*(error|warn)\s/.test(line));
  });

  test('the tree has no upward import and no cycle: nothing but the probes is reported', () => {
    expect(violations.filter((line) => !isProbe(line))).toEqual([]);
    expect(violations.length).toBeGreaterThanOrEqual(probes.length); // the tool ran and judged the copy
  });

  test('each forbidden upward import and an import cycle are reported with their rule, and fail the check', () => {
    expect(status).toBe(violations.length);
    for (const [file, , rule] of probes) {
      expect([file, violations.some((line) => line.includes(`${rule}: ${file} `))]).toEqual([file, true]);
    }
  });
});
