import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { CaDelivery, SpireMesh } from '../../lib';
import { PRIVATE_FOLDER_GITIGNORE } from '../../lib/pki';
import { filesUnder, git, inDir, isolateGit, removeProjects, runCommand, scratchDir, scratchProject } from './custody-helpers';

/*
 * `pki export --file F`: only F is written (0600, created exclusively, no symlink followed), its
 * folder is never created or chmod-ed, and F may not lie in a committed or git-tracked place.
 */

let restoreGit: () => void;
let project: string;
let repo: string;

const declare = (app: App) =>
  new SpireMesh(app, 'm', {
    name: 'exp',
    clusters: [{ name: 'east' }],
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) },
  });

const exportTo = (cwd: string, file?: string) =>
  inDir(cwd, () => runCommand(declare, ['pki', 'export', '--cluster', 'east', ...(file === undefined ? [] : ['--file', file])]));

const modeOf = (p: string): number => fs.statSync(p).mode & 0o7777;

beforeAll(() => {
  restoreGit = isolateGit();
  project = scratchProject('export');
  repo = scratchProject('export-git', { git: true, gitignore: '*-export.json\n' });
  for (const dir of [project, repo]) expect(inDir(dir, () => runCommand(declare, ['pki', 'init'])).code).toBe(0);
});

afterAll(() => {
  restoreGit();
  removeProjects();
});

describe('pki export --file', () => {
  test('into a shared 1777 folder: the file is 0600, the folder keeps its mode', () => {
    const shared = scratchDir('shared');
    fs.chmodSync(shared, 0o1777);
    const file = path.join(shared, 'east.json');
    const r = exportTo(project, file);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(modeOf(file)).toBe(0o600);
    expect(modeOf(shared)).toBe(0o1777);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))['spiremesh/exp/east/cacerts']['ca-key.pem']).toContain('PRIVATE KEY');
    expect(fs.readdirSync(shared)).toEqual(['east.json']);
  });

  test('into the project root: the root keeps its mode (outside a work tree, and ignored inside one)', () => {
    for (const dir of [project, repo]) {
      fs.chmodSync(dir, 0o755);
      const r = exportTo(dir, 'east-export.json');
      expect(r.stderr).toBe('');
      expect(modeOf(path.join(dir, 'east-export.json'))).toBe(0o600);
      expect(modeOf(dir)).toBe(0o755);
      fs.rmSync(path.join(dir, 'east-export.json'));
    }
  });

  test('an existing file is refused and left alone', () => {
    const file = path.join(scratchDir('exists'), 'east.json');
    fs.writeFileSync(file, 'mine\n', { mode: 0o644 });
    const r = exportTo(project, file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the export file already exists.');
    expect(r.stderr).toContain('delete it first or choose another name');
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
    expect(modeOf(file)).toBe(0o644);
  });

  test('a symlinked file, or a symlink on the way inside the project, is refused; the target is not written', () => {
    const target = path.join(scratchDir('target'), 'target.json');
    const link = path.join(project, 'link.json');
    fs.symlinkSync(target, link); // dangling: following it would create the target
    const viaFile = exportTo(project, link);
    expect(viaFile.code).toBe(1);
    expect(viaFile.stderr).toContain('the export file is a symbolic link; spiremesh never writes through one.');
    expect(fs.existsSync(target)).toBe(false);

    fs.symlinkSync(path.dirname(target), path.join(project, 'linked-dir'));
    const viaDir = exportTo(project, 'linked-dir/east.json');
    expect(viaDir.code).toBe(1);
    expect(viaDir.stderr).toContain("'linked-dir' on the way to the export file is a symbolic link");
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
  });

  test('into dist/ or pki/ (also through a symlink outside the project) is refused', () => {
    fs.mkdirSync(path.join(project, 'dist'), { recursive: true });
    const intoDist = exportTo(project, 'dist/east.json');
    expect(intoDist.code).toBe(1);
    expect(intoDist.stderr).toContain("the export file would lie inside the output folder 'dist', which is committed");
    const intoPki = exportTo(path.join(project, 'pki'), 'east.json');
    expect(intoPki.stderr).toContain("the export file would lie inside the certificate folder 'pki'");
    const outside = scratchDir('outside');
    fs.symlinkSync(path.join(project, 'dist'), path.join(outside, 'to-dist'));
    expect(exportTo(project, path.join(outside, 'to-dist', 'east.json')).stderr).toContain('inside the output folder');
    // --out moves the output folder: it is the one refused.
    fs.mkdirSync(path.join(project, 'rendered'));
    const out = inDir(project, () =>
      runCommand(declare, ['pki', 'export', '--cluster', 'east', '--out', 'rendered', '--file', 'rendered/e.json']),
    );
    expect(out.stderr).toContain("inside the output folder 'rendered'");
    expect(filesUnder(path.join(project, 'dist'))).toEqual([]);
    expect(filesUnder(path.join(project, 'rendered'))).toEqual([]);
  });

  test('in a git work tree, a place git does not ignore is refused', () => {
    const r = exportTo(repo, 'east.json');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the export file would lie in the git work tree ${repo}, and git does not ignore it`);
    expect(fs.existsSync(path.join(repo, 'east.json'))).toBe(false);
  });

  test('a missing folder is refused, not created', () => {
    const r = exportTo(project, 'no/such/dir/east.json');
    expect(r.stderr).toContain("the folder 'no/such/dir' does not exist.");
    expect(fs.existsSync(path.join(project, 'no'))).toBe(false);
  });
});

describe('pki export (default location)', () => {
  test('writes <project>/.spiremesh/secrets/<mesh>/<cluster>-export.json from any folder, in a folder created with a .gitignore', () => {
    fs.mkdirSync(path.join(repo, 'sub', 'deeper'), { recursive: true });
    const r = exportTo(path.join(repo, 'sub', 'deeper'));
    expect(r.stderr).toBe('');
    const file = path.join(repo, '.spiremesh/secrets/exp/east-export.json');
    expect(modeOf(file)).toBe(0o600);
    expect(fs.readFileSync(path.join(repo, '.spiremesh/secrets/.gitignore'), 'utf8')).toBe(PRIVATE_FOLDER_GITIGNORE);
    expect(filesUnder(path.join(repo, 'sub'))).toEqual([]);
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).not.toMatch(/\.key|export/);
    // A second export refuses to replace the first.
    const again = exportTo(repo);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });
});
