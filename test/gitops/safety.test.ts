/**
 * Nothing outside its own files: links are never followed, only files whose bytes still match the
 * index are pruned, a damaged index is refused, one run at a time per output folder, and a refused
 * spec creates no CA material.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { OutputConflictError, SpireMesh, SynthesisError, SynthesisResult, synthesize } from '../../lib';
import { DirectoryOutput, INDEX_FILE, planOutput } from '../../lib/gitops';
import { OutputLock } from '../../lib/gitops/lock';
import { OutputLockedError } from '../../lib/gitops/output-errors';
import { LOCK_DIR, LOCK_OWNER_FILE } from '../../lib/gitops/output-names';
import { TEST_PROJECT, errorOf, exampleProps, tempDir } from '../helpers';
import { FolderSnapshot, declareFleet, renderedOutputs, restore, snapshot, writerLeftovers } from './output-helpers';

const FLEET3 = declareFleet(3, { extra: { settings: { v: '1' } } });
const FLEET2 = declareFleet(2);

function synth(
  declare: (app: App) => unknown,
  out: string,
  options: { baseDir?: string; waitMs?: number; staleMs?: number } = {},
): SynthesisResult {
  const app = new App({ outdir: out });
  declare(app);
  return synthesize(app, {
    outdir: out,
    baseDir: options.baseDir ?? TEST_PROJECT,
    lock: { waitMs: options.waitMs, staleMs: options.staleMs },
  });
}

describe('links are never followed', () => {
  test('a cluster directory that is a link is refused, naming the path and the fix; its target is untouched', () => {
    const out = tempDir();
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'precious.txt'), 'keep\n');
    fs.symlinkSync(elsewhere, path.join(out, 'c1'));
    const e = errorOf(() => synth(FLEET2, out));
    expect(e).toBeInstanceOf(OutputConflictError);
    expect(e.message).toContain(`${path.join(out, 'c1')}: the cluster directory is a symbolic link to ${elsewhere}`);
    expect(e.message).toContain('fix: remove the link (spiremesh never reads or writes through one)');
    expect(snapshot(elsewhere).files).toEqual({ 'precious.txt': 'keep\n' });
    expect(fs.readdirSync(out)).toEqual(['c1']);
  });

  test.each([
    [
      'a linked folder spiremesh writes into',
      (elsewhere: string, dir: string) => {
        fs.rmSync(path.join(dir, 'spire'), { recursive: true });
        fs.symlinkSync(elsewhere, path.join(dir, 'spire'));
      },
    ],
    [
      'a linked file spiremesh writes',
      (elsewhere: string, dir: string) => {
        fs.rmSync(path.join(dir, 'kustomization.yaml'));
        fs.symlinkSync(path.join(elsewhere, 'precious.txt'), path.join(dir, 'kustomization.yaml'));
      },
    ],
    [
      'a linked foreign file',
      (elsewhere: string, dir: string) => fs.symlinkSync(path.join(elsewhere, 'precious.txt'), path.join(dir, 'mine.yaml')),
    ],
  ])('%s inside an owned cluster directory is refused; nothing is written', (_name, link) => {
    const out = tempDir();
    synth(FLEET2, out);
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'precious.txt'), 'keep\n');
    link(elsewhere, path.join(out, 'c1'));
    const before = snapshot(out);
    const e = errorOf(() => synth(FLEET3, out));
    expect(e).toBeInstanceOf(OutputConflictError);
    expect(e.message).toMatch(/ is a symbolic link to /);
    expect(e.message).toContain(path.join(out, 'c1'));
    expect(snapshot(out)).toEqual(before);
    expect(snapshot(elsewhere).files).toEqual({ 'precious.txt': 'keep\n' });
  });

  test('a link inside the directory of a removed cluster is refused before anything is pruned', () => {
    const out = tempDir();
    synth(FLEET3, out);
    const elsewhere = tempDir();
    fs.writeFileSync(path.join(elsewhere, 'precious.txt'), 'keep\n');
    fs.symlinkSync(elsewhere, path.join(out, 'c3', 'linked'));
    const before = snapshot(out);
    expect(errorOf(() => synth(FLEET2, out)).message).toContain(
      `${path.join(out, 'c3', 'linked')}: an entry of an owned cluster directory is a symbolic link`,
    );
    expect(snapshot(out)).toEqual(before);
  });

  test('a link to an owned directory of this mesh is not followed, so never pruned', () => {
    const out = tempDir();
    const elsewhere = tempDir();
    synth(FLEET3, elsewhere);
    const theirs = snapshot(elsewhere);
    fs.symlinkSync(path.join(elsewhere, 'c3'), path.join(out, 'c3'));
    synth(FLEET2, out);
    expect(snapshot(elsewhere)).toEqual(theirs);
    expect(fs.lstatSync(path.join(out, 'c3')).isSymbolicLink()).toBe(true);
  });
});

describe('pruning by content', () => {
  test('an owned file edited by hand is kept and reported, not pruned', () => {
    const out = tempDir();
    synth(FLEET3, out);
    const edited = path.join(out, 'c1', 'extra', 'configmap_spire-server_settings.yaml');
    fs.appendFileSync(edited, '# tuned by hand\n');
    const result = synth(FLEET2, out);
    expect(fs.readFileSync(edited, 'utf8')).toContain('# tuned by hand');
    expect(result.warnings).toContain(`edited since spiremesh wrote it: ${edited}; delete it or restore it`);
    // The unedited ones went, as did the directory of c3.
    expect(fs.existsSync(path.join(out, 'c2', 'extra'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'c3'))).toBe(false);
  });

  test('a removed cluster keeps its edited files and its index (so the warning repeats) until they are dealt with', () => {
    const out = tempDir();
    synth(FLEET3, out);
    const edited = path.join(out, 'c3', 'kustomization.yaml');
    fs.writeFileSync(edited, 'resources: []\n');
    const first = synth(FLEET2, out);
    expect(first.warnings).toContain(`edited since spiremesh wrote it: ${edited}; delete it or restore it`);
    expect(Object.keys(snapshot(path.join(out, 'c3')).files)).toEqual(['kustomization.yaml', INDEX_FILE]);
    expect(synth(FLEET2, out).warnings).toContain(`edited since spiremesh wrote it: ${edited}; delete it or restore it`);
    fs.rmSync(edited);
    const last = synth(FLEET2, out);
    expect(last.directories.find((d) => d.dir === 'c3')?.pruned).toEqual([INDEX_FILE]);
    expect(fs.existsSync(path.join(out, 'c3'))).toBe(false);
  });
});

describe('the previous index', () => {
  let base: FolderSnapshot;
  let twoClusters: DirectoryOutput[];
  beforeAll(() => {
    const out = tempDir();
    synth(FLEET3, out);
    base = snapshot(out);
    twoClusters = renderedOutputs(FLEET2).outputs;
  });

  const damaged: [string, (text: string) => string, RegExp][] = [
    ['cannot be parsed', () => 'files: [\n  - path: a\n', /cannot be parsed as a spiremesh index: /],
    ['is not an index', () => 'just: text\n', /it needs a `mesh` name and a `files` list/],
    [
      'names a path with ..',
      (t) => t.replace('- path: kustomization.yaml', '- path: ../../outside.txt'),
      /names "\.\.\/\.\.\/outside\.txt", a path outside its directory/,
    ],
    [
      'names an absolute path',
      (t) => t.replace('- path: kustomization.yaml', '- path: /etc/hostname'),
      /names "\/etc\/hostname", a path outside/,
    ],
    ['names an empty path', (t) => t.replace('- path: kustomization.yaml', "- path: ''"), /names "", a path outside/],
    [
      'has no sha256',
      (t) => t.replace(/(- path: kustomization\.yaml\n\s+)sha256: [0-9a-f]+/, '$1sha256: nope'),
      /\(kustomization\.yaml\) has no valid sha256/,
    ],
  ];

  // Planned directly (the refusal comes from planning); one case through a whole synth below.
  test.each(damaged)('an index that %s is refused with a clear error', (_name, damage, message) => {
    const out = tempDir();
    restore(out, base);
    for (const dir of ['c3', 'c1']) {
      // In the directory of a removed cluster (pruning reads its index) and of a kept one.
      const index = path.join(out, dir, INDEX_FILE);
      const original = fs.readFileSync(index, 'utf8');
      fs.writeFileSync(index, damage(original));
      const e = errorOf(() => planOutput(out, 'fleet', twoClusters));
      expect(e).toBeInstanceOf(OutputConflictError);
      expect(e.message).toContain(`error [output] ${index}: `);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(`fix: restore it from git (git checkout -- ${index})`);
      fs.writeFileSync(index, original);
    }
  });

  test('a synth refuses a damaged index and changes nothing, outside the folder either', () => {
    const out = path.join(tempDir(), 'dist');
    restore(out, base);
    const outside = path.join(out, '..', 'outside.txt');
    fs.writeFileSync(outside, 'not spiremesh\n');
    const index = path.join(out, 'c3', INDEX_FILE);
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('- path: kustomization.yaml', '- path: ../../outside.txt'));
    const before = snapshot(out);
    expect(errorOf(() => synth(FLEET2, out)).message).toContain('names "../../outside.txt", a path outside its directory');
    expect(snapshot(out)).toEqual(before);
    expect(fs.readFileSync(outside, 'utf8')).toBe('not spiremesh\n');
  });

  test('files byte-identical to what spiremesh writes are adopted (a run killed before its index), a different one is not', () => {
    const fresh = tempDir();
    synth(FLEET2, fresh);
    const out = tempDir();
    fs.cpSync(path.join(fresh, 'c1'), path.join(out, 'c1'), { recursive: true });
    fs.rmSync(path.join(out, 'c1', INDEX_FILE));
    const result = synth(FLEET2, out);
    expect(result.directories.find((d) => d.dir === 'c1')?.created).toEqual([INDEX_FILE]);
    expect(snapshot(out)).toEqual(snapshot(fresh));
  });

  test('temporary files of an interrupted older writer are removed by the next run', () => {
    const out = tempDir();
    synth(FLEET2, out);
    const leftover = path.join(out, 'c1', 'spire', `.configmap_spire-server_spire-server.yaml.spiremesh-4242-0.tmp`);
    fs.writeFileSync(leftover, 'half');
    fs.mkdirSync(path.join(out, '.spiremesh-tmp-staging-4242-beef'));
    fs.writeFileSync(path.join(out, '.spiremesh-tmp-staging-4242-beef', '0.new'), 'half');
    const result = synth(FLEET2, out);
    expect(result.warnings[0]).toBe(`${out}: removed 2 temporary file(s) left by an interrupted run`);
    expect(writerLeftovers(out)).toEqual([]);
  });
});

describe('one run at a time', () => {
  test('a run that finds the lock held waits a bounded time, then is refused naming the holder; nothing changes', () => {
    const out = tempDir();
    synth(FLEET3, out);
    const before = snapshot(out);
    const held = OutputLock.acquire(out);
    try {
      const started = Date.now();
      const e = errorOf(() => synth(FLEET2, out, { waitMs: 400 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(e).toBeInstanceOf(OutputLockedError);
      expect(e.message).toMatch(
        new RegExp(
          `^another spiremesh run is writing the output folder; nothing was written:\\n {2}error \\[output\\] ${out}: locked by pid ${process.pid} on .* since .*; waited 0\\.\\d s for it`,
        ),
      );
      expect(e.message).toContain(
        `fix: wait for that run to finish, then run again; if no spiremesh run is writing ${out}, delete ${path.join(out, LOCK_DIR)}`,
      );
    } finally {
      held.release();
    }
    expect(snapshot(out)).toEqual(before);
    synth(FLEET2, out);
    expect(writerLeftovers(out)).toEqual([]);
  });

  test('a lock left by a killed run on this host is taken over at once', () => {
    const out = tempDir();
    synth(FLEET3, out);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout);
    fs.mkdirSync(path.join(out, LOCK_DIR));
    fs.writeFileSync(path.join(out, LOCK_OWNER_FILE), JSON.stringify({ pid: deadPid, host: os.hostname(), token: 'dead', since: 'then' }));
    const started = Date.now();
    synth(FLEET2, out, { waitMs: 5000 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(writerLeftovers(out)).toEqual([]);
  });

  test('a stale lock of another host is taken over once older than the stale time', () => {
    const out = tempDir();
    synth(FLEET3, out);
    fs.mkdirSync(path.join(out, LOCK_DIR));
    fs.writeFileSync(path.join(out, LOCK_OWNER_FILE), JSON.stringify({ pid: 1, host: 'elsewhere.example', token: 'x', since: 'then' }));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(out, LOCK_DIR), old, old);
    synth(FLEET2, out, { waitMs: 1000, staleMs: 30_000 });
    expect(writerLeftovers(out)).toEqual([]);
  });
});

describe('CA material only once every check passed', () => {
  test('a spec the multicluster check refuses leaves the project pki/ and .spiremesh/ exactly as before (nothing created)', () => {
    const project = tempDir();
    const out = path.join(project, 'dist');
    const app = new App({ outdir: out });
    new SpireMesh(app, 'mesh', { ...exampleProps(), istio: {} });
    const e = errorOf(() => synthesize(app, { outdir: out, baseDir: project }));
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain('[License Check]');
    expect(fs.readdirSync(project)).toEqual([]);
  });

  test('with part of the PKI in place, a refused spec adds nothing to it', () => {
    const project = tempDir();
    const first = new App();
    new SpireMesh(first, 'mesh', exampleProps());
    synthesize(first, { outdir: path.join(project, 'dist'), baseDir: project });
    // A new cluster needs new intermediates, but its spec is refused by the check.
    fs.rmSync(path.join(project, 'dist'), { recursive: true });
    const before = snapshot(project);
    const app = new App();
    const props = exampleProps();
    new SpireMesh(app, 'mesh', {
      ...props,
      istio: {},
      clusters: [...props.clusters, { name: 'cluster3', eastWestAddress: '203.0.113.3' }],
    });
    expect(errorOf(() => synthesize(app, { outdir: path.join(project, 'dist'), baseDir: project }))).toBeInstanceOf(SynthesisError);
    expect(snapshot(project)).toEqual(before);
  });

  test('an output conflict found before the PKI is generated creates none', () => {
    const project = tempDir();
    const out = path.join(project, 'dist');
    fs.mkdirSync(path.join(out, 'cluster1'), { recursive: true });
    fs.writeFileSync(path.join(out, 'cluster1', 'kustomization.yaml'), 'mine\n');
    const app = new App();
    new SpireMesh(app, 'mesh', exampleProps());
    expect(errorOf(() => synthesize(app, { outdir: out, baseDir: project }))).toBeInstanceOf(OutputConflictError);
    expect(fs.readdirSync(project)).toEqual(['dist']);
    expect(snapshot(out).files).toEqual({ 'cluster1/kustomization.yaml': 'mine\n' });
  });
});
