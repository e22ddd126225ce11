/**
 * Running under the cdk8s CLI (`cdk8s synth`), whose behaviour is read from cdk8s-cli 2.207.60
 * (lib/cli/cmds/synth.js and lib/util.js `synthApp`):
 * - it runs cdk8s.yaml's `app` command with CDK8S_OUTDIR (the output folder) and
 *   CDK8S_RECORD_CONSTRUCT_METADATA ('true'/'false') set, pipes the app's stdout and drops it (only stderr
 *   reaches the terminal): a spiremesh app under it prints its summary and warnings to stderr;
 * - `cdk8s synth --stdout` gives the app a fresh folder `cdk8s-XXXXXX` in the OS temp folder, then pipes every
 *   `*.yaml` file found there to stdout one after the other (no separator), and deletes the folder: a spiremesh
 *   app in that mode synthesizes read-only (no CA material is generated, nothing outside that folder is written)
 *   and leaves one file there, a multi-document YAML stream of every object, `---` before each document.
 * - before running the app, the CLI deletes its output folder (`-o DIR`, else cdk8s.yaml's `output`, else
 *   `dist`) — also with `--stdout` when cdk8s.yaml names an `output` (cdk8s#2146); spiremesh's cdk8s.yaml
 *   therefore names none, so `--stdout` deletes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** True when the app runs under `cdk8s synth` (which sets CDK8S_RECORD_CONSTRUCT_METADATA for the app). */
export function underCdk8sCli(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CDK8S_RECORD_CONSTRUCT_METADATA !== undefined && !!env.CDK8S_OUTDIR;
}

/**
 * True when the app runs under `cdk8s synth --stdout`: the output folder is the CLI's fresh, empty
 * `<tmpdir>/cdk8s-XXXXXX` (fs.mkdtemp with prefix `cdk8s-`, cdk8s-cli lib/util.js `mkdtemp`).
 */
export function underCdk8sStdout(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!underCdk8sCli(env) || env.CDK8S_OUTDIR === undefined) return false;
  const dir = path.resolve(env.CDK8S_OUTDIR);
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return p;
    }
  };
  if (real(path.dirname(dir)) !== real(os.tmpdir()) || !/^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(dir))) return false;
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}

/** The file the stream is left in, in the CLI's temporary folder. */
export const STDOUT_STREAM_FILE = 'spiremesh-stream.yaml';

/**
 * One multi-document YAML stream of every Kubernetes object a synth writes, in apply order: each top-level
 * directory (cluster, `_fleet`) by its kustomization.yaml, following its `resources` into sub-folders; files the
 * kustomizations do not list come after, by path. Kustomizations, indexes and the review page are left out.
 * @param files path relative to the output folder ('/'-separated) → content
 */
export function multiDocumentStream(files: ReadonlyMap<string, string>): string {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (kustomization: string) => {
    const base = path.posix.dirname(kustomization);
    const resources = (parseAllDocuments(files.get(kustomization) ?? '')[0]?.toJS() as { resources?: unknown } | null)?.resources;
    for (const r of Array.isArray(resources) ? resources : []) {
      if (typeof r !== 'string') continue;
      const rel = path.posix.normalize(path.posix.join(base, r));
      if (files.has(`${rel}/kustomization.yaml`)) visit(`${rel}/kustomization.yaml`);
      else if (files.has(rel) && !seen.has(rel)) {
        seen.add(rel);
        order.push(rel);
      }
    }
  };
  const paths = [...files.keys()].sort();
  for (const k of paths.filter((p) => /^[^/]+\/kustomization\.yaml$/.test(p))) visit(k);
  for (const p of paths) {
    if (!seen.has(p) && /\.ya?ml$/.test(p) && !/(^|\/)(kustomization|spiremesh-index)\.yaml$/.test(p)) order.push(p);
  }
  return order
    .flatMap((rel) => {
      const text = files.get(rel) ?? '';
      const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
      // One object per file (lib/gitops/layout.ts): its text as written; a file of several documents, re-rendered.
      const bodies = docs.length === 1 ? [text] : docs.map((d) => String(d));
      return bodies.map((body) => `---\n# Source: ${rel}\n${body.replace(/^---\n/, '').replace(/\n*$/, '\n')}`);
    })
    .join('');
}
