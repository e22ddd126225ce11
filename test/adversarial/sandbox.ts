/**
 * Scratch sandboxes of the adversarial suite: a project folder (with files spiremesh does not
 * own) and an outside folder, fingerprinted before and after a case so that every file the case
 * changed, created or removed can be judged against what spiremesh owns.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** One entry of a fingerprint: a file (its sha256), a directory or a symbolic link (its target), with its mode. */
export interface FingerprintEntry {
  readonly type: 'file' | 'dir' | 'link' | 'other';
  readonly mode: number;
  readonly sha256?: string;
  readonly target?: string;
}

/** Relative path ('/'-separated) → entry, for everything below a folder (links are not followed). */
export type Fingerprint = Readonly<Record<string, FingerprintEntry>>;

export function fingerprint(root: string): Fingerprint {
  const out: Record<string, FingerprintEntry> = {};
  const walk = (dir: string, prefix: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const abs = path.join(dir, name);
      const rel = `${prefix}${name}`;
      const st = fs.lstatSync(abs);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) out[rel] = { type: 'link', mode, target: fs.readlinkSync(abs) };
      else if (st.isDirectory()) {
        out[rel] = { type: 'dir', mode };
        walk(abs, `${rel}/`);
      } else if (st.isFile()) out[rel] = { type: 'file', mode, sha256: createHash('sha256').update(fs.readFileSync(abs)).digest('hex') };
      else out[rel] = { type: 'other', mode };
    }
  };
  if (fs.existsSync(root)) walk(root, '');
  return out;
}

/** Every path that appeared, disappeared or changed (content, mode, type or link target), sorted. */
export function changedPaths(before: Fingerprint, after: Fingerprint): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** What a case may change: a predicate over sandbox-relative paths. */
export type Owned = (rel: string) => boolean;

/** Owns nothing: an error case may change nothing at all. */
export const NOTHING: Owned = () => false;

const within = (rel: string, dir: string) => rel === dir || rel.startsWith(`${dir}/`);

/**
 * What a successful synth of `clusters` into `<project>/dist` owns: the cluster directories, the
 * review page, the writer's own temporary names at the top of dist/ (removed again), the output
 * folder itself, and the PKI folders pki/ and .spiremesh/.
 */
export function ownedBySynth(project: string, clusters: readonly string[]): Owned {
  const dist = `${project}/dist`;
  return (rel) =>
    rel === dist ||
    clusters.some((c) => within(rel, `${dist}/${c}`)) ||
    rel === `${dist}/README.md` ||
    rel.startsWith(`${dist}/.spiremesh-`) ||
    within(rel, `${project}/pki`) ||
    within(rel, `${project}/.spiremesh`);
}

/** Exactly the listed paths. */
export function only(...paths: string[]): Owned {
  return (rel) => paths.includes(rel);
}

/** A sandbox: `root/project` (the user's project) and `root/outside` (a folder outside it). */
export interface Sandbox {
  readonly root: string;
  readonly project: string;
  readonly outside: string;
}

const made: string[] = [];

/** A fresh sandbox (real paths, so messages and fingerprints agree), removed by {@link removeSandboxes}. */
export function makeSandbox(prefix = 'spiremesh-adversarial-'): Sandbox {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(root);
  const project = path.join(root, 'project');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(project);
  fs.mkdirSync(outside);
  return { root, project, outside };
}

/** A sandbox holding a copy of `template`'s project and outside folders (modes kept). */
export function copySandbox(template: Sandbox): Sandbox {
  const box = makeSandbox();
  fs.cpSync(template.project, box.project, { recursive: true, verbatimSymlinks: true });
  fs.cpSync(template.outside, box.outside, { recursive: true, verbatimSymlinks: true });
  copyModes(template.root, box.root);
  return box;
}

/** fs.cpSync does not keep the mode of directories everywhere: copy every mode explicitly. */
function copyModes(from: string, to: string): void {
  for (const [rel, entry] of Object.entries(fingerprint(from))) {
    if (entry.type !== 'link') fs.chmodSync(path.join(to, rel), entry.mode);
  }
}

export function removeSandboxes(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export { inDir } from '../pki/custody-helpers';
