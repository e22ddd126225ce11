/**
 * `npm run import` on a fresh clone (issue 14 item 9): without the upstream CRD files that
 * cdk8s.yaml imports it says which folder and files are missing and where each comes from, and
 * exits 1 (scripts/import-inputs.ts, the first step of the script), instead of cdk8s-cli's raw ENOENT.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describeMissing, importedFiles, missingInputs } from '../../scripts/import-inputs';

const REPO = path.resolve(__dirname, '../..');

/** A clone of the files `npm run import` reads (cdk8s.yaml, crds/, imports/schemas/) in a folder whose ../shared does not exist. */
function freshClone(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-import-'));
  const clone = path.join(root, 'clone');
  fs.mkdirSync(clone);
  fs.copyFileSync(path.join(REPO, 'cdk8s.yaml'), path.join(clone, 'cdk8s.yaml'));
  fs.cpSync(path.join(REPO, 'crds'), path.join(clone, 'crds'), { recursive: true });
  fs.cpSync(path.join(REPO, 'imports', 'schemas'), path.join(clone, 'imports', 'schemas'), { recursive: true });
  return clone;
}

describe('npm run import on a fresh clone', () => {
  let clone: string;
  beforeAll(() => {
    clone = freshClone();
  });
  afterAll(() => fs.rmSync(path.dirname(clone), { recursive: true, force: true }));

  test('package.json runs the input check before cdk8s import', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts.import).toMatch(/^node -r sucrase\/register\/ts scripts\/import-inputs\.ts && cdk8s import && /);
  });

  test('every local import of cdk8s.yaml outside the clone is reported missing, with its upstream source and URL', () => {
    const files = importedFiles(clone);
    const missing = missingInputs(clone);
    // Everything under ../shared/crds is missing; the committed crds/gloo-operator file is not.
    expect(missing.map((m) => m.file)).toEqual(files.filter((f) => f.startsWith('../shared/crds/')));
    expect(missing.length).toBeGreaterThan(10);
    const istio = missing.find((m) => m.file === '../shared/crds/istio/crd-all.gen.yaml');
    expect(istio?.source).toMatchObject({ repository: 'istio/istio', path: 'manifests/charts/base/files/crd-all.gen.yaml', tag: '1.29.1' });
    for (const m of missing) expect(m.source).toBeDefined();
  });

  test('the script exits 1 naming the missing folder, each file and where it comes from; it writes nothing', () => {
    const before = fs.readdirSync(clone).sort();
    const r = spawnSync(process.execPath, ['-r', 'sucrase/register/ts', path.join(REPO, 'scripts/import-inputs.ts'), '--project', clone], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const shared = path.join(path.dirname(clone), 'shared');
    expect(r.stderr).toContain(`missing folder: ${path.relative(REPO, shared)}/ (${shared})`);
    const total = importedFiles(clone).length;
    expect(
      r.stderr.startsWith(
        `npm run import: ${total - 1} of the ${total} CRD files that cdk8s.yaml imports are missing, so nothing was generated.\n`,
      ),
    ).toBe(true);
    expect(r.stderr).toContain(
      '  ../shared/crds/argocd/application-crd.yaml\n      argoproj/argo-cd manifests/crds/application-crd.yaml at v3.5.1 (commit 109ca7ca71139e514114499d294a492e7910a965)\n' +
        '      https://raw.githubusercontent.com/argoproj/argo-cd/109ca7ca71139e514114499d294a492e7910a965/manifests/crds/application-crd.yaml\n',
    );
    expect(r.stderr).not.toMatch(/ENOENT/);
    expect(fs.readdirSync(clone).sort()).toEqual(before);
  });

  test('a file that is not imported yet is named with what to do', () => {
    fs.appendFileSync(path.join(clone, 'cdk8s.yaml'), '  - new-kind:=crds/new/new-kind.yaml\n');
    const missing = missingInputs(clone).filter((m) => m.file === 'crds/new/new-kind.yaml');
    expect(missing).toHaveLength(1);
    expect(describeMissing(clone, missing, 1)).toContain('no recorded source: it is not imported yet');
  });

  test('with every input present (this checkout, when ../shared/crds is beside it) the check passes', () => {
    const present = importedFiles(REPO).every((f) => fs.existsSync(path.resolve(REPO, f)));
    // Exactly the files that exist are not reported: an honest check of the real layout either way.
    expect(missingInputs(REPO).length === 0).toBe(present);
  });
});
