import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CaDelivery, MeshModel, PkiProps, resolveMeshProps } from '../../lib';
import { rmTmp, tmpDir } from './helpers';

export { runCommand } from '../run-cli';

/*
 * Scratch projects for the key-custody tests: folders under the OS temp dir, some of them git
 * repositories, each removed after its file. Keys are generated at run time, never committed.
 */

const made: string[] = [];

/** A scratch project folder (`package.json` marks it), removed by {@link removeProjects}. */
export function scratchProject(prefix: string, opts: { git?: boolean; gitignore?: string } = {}): string {
  const dir = fs.realpathSync(tmpDir(prefix));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "private": true }\n');
  if (opts.git) git(dir, 'init', '-q');
  if (opts.gitignore !== undefined) fs.writeFileSync(path.join(dir, '.gitignore'), opts.gitignore);
  return dir;
}

/** A scratch folder that is not a project (no marker file). */
export function scratchDir(prefix: string): string {
  const dir = fs.realpathSync(tmpDir(prefix));
  made.push(dir);
  return dir;
}

export function removeProjects(): void {
  for (const d of made.splice(0)) rmTmp(d);
}

/**
 * Keeps git from finding a repository above the temp folder (a home folder under version control,
 * say): projects outside a work tree must really be outside one.
 */
export function isolateGit(): () => void {
  const saved = process.env.GIT_CEILING_DIRECTORIES;
  process.env.GIT_CEILING_DIRECTORIES = fs.realpathSync(os.tmpdir());
  return () => {
    if (saved === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
    else process.env.GIT_CEILING_DIRECTORIES = saved;
  };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every file and symlink below `dir` (but not in `.git/`), relative, sorted; symlinks are not followed. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory() && entry.name === '.git') continue;
      if (entry.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** Files holding private material below `dir`: keys, export files and Secret manifests. */
export function privateFilesUnder(dir: string): string[] {
  return filesUnder(dir).filter(
    (f) => f.endsWith('.key') || f.endsWith('-export.json') || /(^|\/)(cacerts|spiffe-upstream-ca)\.yaml$/.test(f),
  );
}

/** A one-cluster mesh model with the given PKI settings (external-secrets unless said otherwise). */
export function meshModel(pki: PkiProps = {}, name = 'custody'): MeshModel {
  return resolveMeshProps(
    { name, clusters: [{ name: 'east' }], pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }), ...pki } },
    'test',
  );
}

/** Runs `fn` with `dir` as the working directory. */
export function inDir<T>(dir: string, fn: () => T): T {
  const saved = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(saved);
  }
}
