import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  CaDelivery,
  MeshSpec,
  PkiError,
  SpecValidationError,
  SpireMesh,
  SynthesisError,
  pkiStoreFor,
  prepareMeshPki,
  synthesize,
  validateMeshSpec,
} from '../../lib';
import { IntermediateKind, PRIVATE_FOLDER_GITIGNORE, assertKeyCustody, realPathOf, rotateIntermediate } from '../../lib/pki';
import { rememberingCustodyVerdicts } from '../../lib/pki/custody';
import { findProjectDir } from '../../lib/spec/project';
import {
  filesUnder,
  git,
  inDir,
  isolateGit,
  meshModel,
  privateFilesUnder,
  removeProjects,
  runCommand,
  scratchDir,
  scratchProject,
} from './custody-helpers';
import { catchPkiError } from './helpers';

/*
 * Key custody: a key or Secret folder is judged by its real path and by git, never by its text,
 * and relative folders belong to the project, not to the working directory.
 */

let restoreGit: () => void;
beforeAll(() => {
  restoreGit = isolateGit();
});
afterAll(() => {
  restoreGit();
  removeProjects();
});

const pkiProblems = (pki: Record<string, unknown>): string[] =>
  validateMeshSpec({ name: 'm', clusters: [{ name: 'a' }], pki })
    .filter((p) => p.path[0] === 'pki')
    .map((p) => `${p.path.join('.')}: ${p.message}`);

/** The custody error of preparing `mesh` in `project`; nothing private may have been written. */
function refusal(project: string, mesh = meshModel(), extra: { outputDirectory?: string } = {}): PkiError {
  const err = catchPkiError(() => prepareMeshPki(mesh, { baseDir: project, ...extra }));
  expect(err.code).toBe('KEY_CUSTODY');
  expect(privateFilesUnder(project)).toEqual([]);
  return err;
}

describe('spec rules: folders compared after normalizing', () => {
  test.each([
    ['./././dist', "pki.keyDirectory: key folder './././dist' lies inside a committed folder ('pki' or 'dist')"],
    ['x/../pki', "pki.keyDirectory: key folder 'x/../pki' lies inside a committed folder ('pki' or 'dist')"],
    ['dist//keys/', "pki.keyDirectory: key folder 'dist//keys/' lies inside a committed folder ('pki' or 'dist')"],
    ['.\\pki\\keys', "pki.keyDirectory: key folder '.\\pki\\keys' lies inside a committed folder ('pki' or 'dist')"],
    ['.', "pki.keyDirectory: key folder '.' contains a committed folder ('pki' or 'dist')"],
    ['..', "pki.keyDirectory: key folder '..' contains a committed folder ('pki' or 'dist')"],
  ])('keyDirectory %s is refused', (keyDirectory, message) => {
    expect(pkiProblems({ keyDirectory })).toEqual([message]);
  });

  test.each(['.spiremesh/keys', '../keys', 'pkix', 'distant/keys', 'pki/../keys', '/srv/keys'])(
    'keyDirectory %s is accepted',
    (keyDirectory) => {
      expect(pkiProblems({ keyDirectory })).toEqual([]);
    },
  );

  test('a custom certificate folder is the one compared', () => {
    expect(pkiProblems({ keyDirectory: 'certs/./keys', certificateDirectory: './certs/' })).toEqual([
      "pki.keyDirectory: key folder 'certs/./keys' lies inside a committed folder ('certs' or 'dist')",
    ]);
    expect(pkiProblems({ keyDirectory: 'pki/keys', certificateDirectory: 'certs' })).toEqual([]);
  });

  test.each([
    [
      'pki',
      "pki.delivery.outputDirectory: 'pki' is inside the certificate folder 'pki', which is committed: the Secret manifests hold private keys",
    ],
    [
      './pki/secrets',
      "pki.delivery.outputDirectory: './pki/secrets' is inside the certificate folder 'pki', which is committed: the Secret manifests hold private keys",
    ],
    ['x/../dist', "pki.delivery.outputDirectory: 'x/../dist' is inside dist/, which is committed: the Secret manifests hold private keys"],
    [
      '.',
      "pki.delivery.outputDirectory: '.' contains the certificate folder 'pki', which is committed: the Secret manifests hold private keys",
    ],
  ])('kubectl outputDirectory %s is refused', (outputDirectory, message) => {
    expect(pkiProblems({ delivery: { mode: 'kubectl', outputDirectory } })).toEqual([message]);
  });

  test('kubectl outputDirectory: pki fails the mesh before anything is written', () => {
    const project = scratchProject('spec-pki');
    const props: MeshSpec = { name: 'm', clusters: [{ name: 'a' }], pki: { delivery: CaDelivery.kubectl('pki') } };
    expect(() => new SpireMesh(new App({ outdir: path.join(project, 'dist') }), 'm', props)).toThrow(SpecValidationError);
    expect(filesUnder(project)).toEqual(['package.json']);
  });
});

describe('real paths: the output and certificate folders', () => {
  test('an absolute key folder inside the output folder or the certificate folder is refused', () => {
    const project = scratchProject('abs');
    const intoDist = refusal(project, meshModel({ keyDirectory: path.join(project, 'dist', 'keys') }));
    expect(intoDist.message).toContain("the key folder 'dist/keys' lies inside the output folder 'dist', which is committed");
    expect(intoDist.fix).toContain("set pki.keyDirectory to a git-ignored folder outside 'dist' and 'pki', e.g. '.spiremesh/keys'");
    const intoPki = refusal(project, meshModel({ keyDirectory: path.join(project, 'pki', 'custody-keys') }));
    expect(intoPki.message).toContain("the key folder 'pki/custody-keys' lies inside the certificate folder 'pki'");
    // The real output folder is the one synthesis writes to, wherever it is.
    const out = path.join(project, 'out', 'manifests');
    const intoOut = refusal(project, meshModel({ keyDirectory: 'out/manifests/keys' }), { outputDirectory: out });
    expect(intoOut.message).toContain("lies inside the output folder 'out/manifests'");
    expect(fs.existsSync(path.join(project, 'dist'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'pki'))).toBe(false);
  });

  test('a key folder that contains the output folder is refused (its .gitignore would hide dist/)', () => {
    const project = scratchProject('contains');
    const err = refusal(project, meshModel({ keyDirectory: project }));
    expect(err.message).toContain('contains the output folder');
    expect(fs.existsSync(path.join(project, '.gitignore'))).toBe(false);
  });

  test('a symlinked key folder pointing into dist/ is refused, existing or not yet created below the link', () => {
    const project = scratchProject('symlink');
    fs.mkdirSync(path.join(project, 'dist'));
    fs.symlinkSync(path.join(project, 'dist'), path.join(project, 'keys-link'));
    const direct = refusal(project, meshModel({ keyDirectory: 'keys-link' }));
    expect(direct.message).toContain(
      `the key folder 'keys-link' (real path '${path.join(project, 'dist')}') lies inside the output folder 'dist'`,
    );
    refusal(project, meshModel({ keyDirectory: 'keys-link/deeper/keys' }));
    // A dangling link is followed to where it would create the folder.
    fs.symlinkSync(path.join(project, 'dist', 'not-yet'), path.join(project, 'dangling'));
    expect(realPathOf(path.join(project, 'dangling', 'k'))).toBe(path.join(project, 'dist', 'not-yet', 'k'));
    refusal(project, meshModel({ keyDirectory: 'dangling' }));
    expect(filesUnder(path.join(project, 'dist'))).toEqual([]);
  });

  test('synthesis reports the refusal as a finding and writes neither keys nor manifests', () => {
    const project = scratchProject('synth');
    fs.mkdirSync(path.join(project, 'dist'));
    fs.symlinkSync(path.join(project, 'dist'), path.join(project, 'keys-link'));
    const out = path.join(project, 'dist');
    const app = new App({ outdir: out });
    new SpireMesh(app, 'm', { name: 'synth', clusters: [{ name: 'east' }], pki: { keyDirectory: 'keys-link/keys' } });
    let error: unknown;
    try {
      synthesize(app, { outdir: out, baseDir: project });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SynthesisError);
    expect((error as SynthesisError).message).toMatch(
      /error \[pki\] the key folder 'keys-link\/keys' .* lies inside the output folder 'dist'/,
    );
    expect(filesUnder(project)).toEqual(['keys-link', 'package.json']);
  });

  test('kubectl: a Secret folder that resolves into pki/ is refused; the default one is created with a .gitignore', () => {
    const project = scratchProject('secrets');
    fs.mkdirSync(path.join(project, 'pki'));
    fs.symlinkSync(path.join(project, 'pki'), path.join(project, 'secrets-link'));
    const err = refusal(project, meshModel({ delivery: CaDelivery.kubectl('secrets-link/out') }));
    expect(err.message).toContain("the secret folder 'secrets-link/out' (real path");
    expect(err.message).toContain("lies inside the certificate folder 'pki'");
    expect(err.fix).toContain('set pki.delivery.outputDirectory to a git-ignored folder');

    const ok = prepareMeshPki(meshModel({ delivery: CaDelivery.kubectl() }), { baseDir: project });
    expect(ok.secretManifests.map((f) => path.relative(project, f))).toEqual([
      '.spiremesh/secrets/custody/east/spiffe-upstream-ca.yaml',
      '.spiremesh/secrets/custody/east/cacerts.yaml',
    ]);
    expect(fs.readFileSync(path.join(project, '.spiremesh/secrets/.gitignore'), 'utf8')).toBe(PRIVATE_FOLDER_GITIGNORE);
  });

  test('a Secret manifest that became a symlink is replaced, never written through', () => {
    const project = scratchProject('secret-link');
    const mesh = meshModel({ delivery: CaDelivery.kubectl() });
    prepareMeshPki(mesh, { baseDir: project });
    const manifest = path.join(project, '.spiremesh/secrets/custody/east/cacerts.yaml');
    const elsewhere = path.join(project, 'elsewhere.txt');
    fs.writeFileSync(elsewhere, 'untouched\n');
    fs.rmSync(manifest);
    fs.symlinkSync(elsewhere, manifest);
    prepareMeshPki(mesh, { baseDir: project });
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('untouched\n');
    expect(fs.lstatSync(manifest).isFile()).toBe(true);
    expect(fs.statSync(manifest).mode & 0o777).toBe(0o600);
  });

  test('a symlink below the key folder is refused', () => {
    const project = scratchProject('inner-link');
    fs.mkdirSync(path.join(project, '.spiremesh', 'keys'), { recursive: true });
    fs.mkdirSync(path.join(project, 'elsewhere'));
    fs.symlinkSync(path.join(project, 'elsewhere'), path.join(project, '.spiremesh', 'keys', 'custody'));
    const err = catchPkiError(() => prepareMeshPki(meshModel(), { baseDir: project }));
    expect(err.code).toBe('KEY_CUSTODY');
    expect(err.reason).toContain('is a symbolic link');
    expect(filesUnder(path.join(project, 'elsewhere'))).toEqual([]);
  });
});

describe('git: a key folder in a work tree must be ignored', () => {
  test('an existing out/keys that git does not ignore is refused, naming git and the fix', () => {
    const project = scratchProject('git-out', { git: true });
    fs.mkdirSync(path.join(project, 'out', 'keys'), { recursive: true });
    const err = refusal(project, meshModel({ keyDirectory: 'out/keys' }));
    expect(err.message).toContain(
      `the key folder 'out/keys' is in the git work tree ${project}, and git does not ignore it (git check-ignore)`,
    );
    expect(err.fix).toContain(`add '/out/keys/' to ${path.join(project, '.gitignore')}`);
    // Ignored by the repository: accepted.
    fs.writeFileSync(path.join(project, '.gitignore'), '/out/keys/\n');
    prepareMeshPki(meshModel({ keyDirectory: 'out/keys' }), { baseDir: project });
    expect(privateFilesUnder(project)).toEqual([
      'out/keys/custody/east/istio-intermediate.key',
      'out/keys/custody/east/spire-intermediate.key',
      'out/keys/custody/root-ca.key',
    ]);
  });

  test('a new key folder gets a .gitignore first: git status shows no key file, even after git add -A', () => {
    // The repository ignores nothing; the key folder's own .gitignore is what keeps the keys out.
    const project = scratchProject('git-new', { git: true });
    prepareMeshPki(meshModel({ keyDirectory: 'out/keys', delivery: CaDelivery.kubectl('out/secrets') }), { baseDir: project });
    for (const folder of ['out/keys', 'out/secrets']) {
      expect(fs.readFileSync(path.join(project, folder, '.gitignore'), 'utf8')).toBe(PRIVATE_FOLDER_GITIGNORE);
    }
    expect(privateFilesUnder(project)).toHaveLength(5); // three keys, two Secret manifests
    const status = git(project, 'status', '--porcelain', '--untracked-files=all');
    expect(status.split('\n').filter((l) => l !== '')).toEqual([
      '?? package.json',
      '?? pki/custody/east/istio-intermediate.crt',
      '?? pki/custody/east/spire-intermediate.crt',
      '?? pki/custody/root-ca.crt',
    ]);
    git(project, 'add', '-A');
    expect(git(project, 'diff', '--cached', '--name-only')).not.toMatch(/\.key|out\//);
    // The second run accepts the folder: git ignores it through its own .gitignore.
    expect(
      prepareMeshPki(meshModel({ keyDirectory: 'out/keys', delivery: CaDelivery.kubectl('out/secrets') }), { baseDir: project }).created,
    ).toEqual([]);
  });

  test('a key file that git tracks is refused, even when the folder is ignored now', () => {
    const project = scratchProject('git-tracked', { git: true });
    const store = pkiStoreFor(meshModel(), { baseDir: project })!;
    store.ensure(); // default folder, created with its .gitignore
    git(project, 'add', '-f', '.spiremesh/keys/custody/root-ca.key');
    const err = catchPkiError(() => store.ensure());
    expect(err.code).toBe('KEY_CUSTODY');
    expect(err.message).toContain("git tracks 1 file(s) in the key folder '.spiremesh/keys' (.spiremesh/keys/custody/root-ca.key)");
    expect(err.fix).toContain('git rm -r --cached');
    expect(catchPkiError(() => rotateIntermediate(store, 'east', IntermediateKind.SPIRE)).code).toBe('KEY_CUSTODY');
  });

  test('one git question per work tree judges each folder on its own: a re-included folder and the secret folder', () => {
    const project = scratchProject('git-batch', { git: true });
    for (const folder of ['out/keys', 'out/secrets']) fs.mkdirSync(path.join(project, folder), { recursive: true });
    const custody = {
      projectDir: project,
      keyDirectory: 'out/keys',
      secretsDirectory: 'out/secrets',
      outputDirectory: 'dist',
      certificateDirectory: 'pki',
    };
    // A `!` pattern that matches re-includes the folder: git does not ignore it, so it is refused.
    fs.writeFileSync(path.join(project, '.gitignore'), '/out/*\n!/out/keys/\n');
    expect(catchPkiError(() => assertKeyCustody(custody)).message).toContain("the key folder 'out/keys' is in the git work tree");
    // The key folder ignored, the secret folder not: the secret folder is the one named.
    fs.writeFileSync(path.join(project, '.gitignore'), '/out/keys/\n');
    const err = catchPkiError(() => assertKeyCustody(custody));
    expect(err.message).toContain("the secret folder 'out/secrets' is in the git work tree");
    expect(err.fix).toContain(`add '/out/secrets/' to ${path.join(project, '.gitignore')}`);
    // Both ignored, a file tracked in the second: named with its folder.
    fs.writeFileSync(path.join(project, '.gitignore'), '/out/\n');
    fs.writeFileSync(path.join(project, 'out/secrets/cacerts.yaml'), 'x');
    git(project, 'add', '-f', 'out/secrets/cacerts.yaml');
    expect(catchPkiError(() => assertKeyCustody(custody)).message).toContain(
      "git tracks 1 file(s) in the secret folder 'out/secrets' (out/secrets/cacerts.yaml)",
    );
    git(project, 'rm', '-q', '--cached', 'out/secrets/cacerts.yaml');
    expect(() => assertKeyCustody(custody)).not.toThrow();
  });

  test('within one synth an accepted folder set is asked about once; a refusal is asked again; nothing outlives the synth', () => {
    const project = scratchProject('git-remember', { git: true });
    fs.mkdirSync(path.join(project, 'out', 'keys'), { recursive: true });
    fs.writeFileSync(path.join(project, '.gitignore'), '/out/keys/\n');
    const custody = { projectDir: project, keyDirectory: 'out/keys', outputDirectory: 'dist', certificateDirectory: 'pki' };
    const gitRuns = (fn: () => void): number => {
      // The module object itself (an `import * as` namespace has read-only bindings).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const spy = jest.spyOn(require('child_process') as typeof import('child_process'), 'spawnSync');
      try {
        fn();
        return spy.mock.calls.filter(([cmd]) => cmd === 'git').length;
      } finally {
        spy.mockRestore();
      }
    };
    expect(gitRuns(() => assertKeyCustody(custody))).toBe(3); // rev-parse, check-ignore, ls-files
    expect(gitRuns(() => rememberingCustodyVerdicts(() => [1, 2, 3].forEach(() => assertKeyCustody(custody))))).toBe(3);
    expect(gitRuns(() => assertKeyCustody(custody))).toBe(3); // the synth is over: asked again
    // Not ignored any more: refused every time it is asked, also within one synth.
    fs.writeFileSync(path.join(project, '.gitignore'), '');
    rememberingCustodyVerdicts(() => {
      for (let i = 0; i < 2; i++) expect(catchPkiError(() => assertKeyCustody(custody)).code).toBe('KEY_CUSTODY');
    });
  });

  test('outside any work tree: accepted, and a new key folder still gets its .gitignore', () => {
    const project = scratchProject('no-git');
    fs.mkdirSync(path.join(project, 'out', 'keys'), { recursive: true }); // existing, nothing can stage it
    assertKeyCustody({ projectDir: project, keyDirectory: 'out/keys', outputDirectory: 'dist', certificateDirectory: 'pki' });
    prepareMeshPki(meshModel({ keyDirectory: 'new/keys' }), { baseDir: project });
    expect(fs.readFileSync(path.join(project, 'new/keys/.gitignore'), 'utf8')).toBe(PRIVATE_FOLDER_GITIGNORE);
    expect(fs.statSync(path.join(project, 'new/keys')).mode & 0o777).toBe(0o700);
  });

  test('synth --check (read-only) checks custody too, and writes nothing', () => {
    const project = scratchProject('git-check', { git: true });
    fs.mkdirSync(path.join(project, 'out', 'keys'), { recursive: true });
    const err = catchPkiError(() => prepareMeshPki(meshModel({ keyDirectory: 'out/keys' }), { baseDir: project, readOnly: true }));
    expect(err.code).toBe('KEY_CUSTODY');
    expect(filesUnder(project)).toEqual(['package.json']);
  });
});

describe('relative folders belong to the project, not to the working directory', () => {
  test('findProjectDir: the nearest folder holding cdk8s.yaml or package.json, else the start folder', () => {
    const top = scratchDir('find');
    fs.mkdirSync(path.join(top, 'app', 'sub', 'deeper'), { recursive: true });
    fs.writeFileSync(path.join(top, 'app', 'cdk8s.yaml'), 'app: x\n');
    expect(findProjectDir(path.join(top, 'app', 'sub', 'deeper'))).toBe(path.join(top, 'app'));
    expect(findProjectDir(path.join(top, 'app'))).toBe(path.join(top, 'app'));
    fs.writeFileSync(path.join(top, 'app', 'sub', 'package.json'), '{}\n');
    expect(findProjectDir(path.join(top, 'app', 'sub', 'deeper'))).toBe(path.join(top, 'app', 'sub'));
    expect(findProjectDir(top)).toBe(top);
  });

  test('pki init and synth from a sub-folder use <project>/.spiremesh/keys and reuse the same root CA', () => {
    const project = scratchProject('subdir', { git: true, gitignore: '/dist/.spiremesh-staging*\n' });
    const sub = path.join(project, 'clusters', 'east');
    fs.mkdirSync(sub, { recursive: true });
    const declare = (app: App) =>
      new SpireMesh(app, 'm', {
        name: 'sub',
        clusters: [{ name: 'east' }],
        pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) },
      });
    const init = inDir(sub, () => runCommand(declare, ['pki', 'init']));
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain('mesh sub: 6 file(s) generated');
    const root = fs.readFileSync(path.join(project, 'pki/sub/root-ca.crt'), 'utf8');

    const synth = inDir(path.join(project, 'clusters'), () => runCommand(declare, ['--out', path.join(project, 'dist')]));
    expect(synth.stderr).toBe('');
    expect(synth.code).toBe(0);
    const again = inDir(project, () => runCommand(declare, ['pki', 'init']));
    expect(again.stdout).toContain('mesh sub: 0 file(s) generated, 3 certificate(s) reused');
    expect(fs.readFileSync(path.join(project, 'pki/sub/root-ca.crt'), 'utf8')).toBe(root);

    expect(privateFilesUnder(project)).toEqual([
      '.spiremesh/keys/sub/east/istio-intermediate.key',
      '.spiremesh/keys/sub/east/spire-intermediate.key',
      '.spiremesh/keys/sub/root-ca.key',
    ]);
    expect(filesUnder(path.join(project, 'clusters'))).toEqual([]);
    expect(git(project, 'status', '--porcelain', '--untracked-files=all')).not.toMatch(/\.key|\.spiremesh\//);
  });

  test('a YAML inventory: the project is the folder of the inventory file, wherever the command runs', () => {
    const project = scratchProject('inventory');
    const elsewhere = scratchProject('elsewhere');
    const inventory = path.join(project, 'mesh.yaml');
    fs.writeFileSync(
      inventory,
      [
        'name: inv',
        'clusters:',
        '  - name: east',
        'pki:',
        '  delivery:',
        '    mode: external-secrets',
        '    clusterSecretStore: vault',
        '',
      ].join('\n'),
    );
    const declare = (app: App, args: { inventory?: string }) => SpireMesh.fromInventoryFile(app, 'mesh', args.inventory!);
    const init = inDir(elsewhere, () => runCommand(declare, ['pki', 'init', '--inventory', inventory]));
    expect(init.stderr).toBe('');
    expect(privateFilesUnder(project)).toContain('.spiremesh/keys/inv/root-ca.key');
    expect(filesUnder(elsewhere)).toEqual(['package.json']);
    // Relative --inventory from a sub-folder: the same project, the same root.
    fs.mkdirSync(path.join(project, 'sub'));
    const again = inDir(path.join(project, 'sub'), () => runCommand(declare, ['pki', 'init', '--inventory', '../mesh.yaml']));
    expect(again.stdout).toContain('0 file(s) generated, 3 certificate(s) reused');
    expect(filesUnder(path.join(project, 'sub'))).toEqual([]);
  });
});
