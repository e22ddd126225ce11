/**
 * `helm template` for helm-template delivery, with a cache of its output: a release whose inputs
 * are all unchanged (the helm binary's version, the chart archive's bytes, the values, the release
 * name, namespace and flags) is not rendered again, so an unchanged re-synth of a fleet runs no helm
 * at all. `helm template` is deterministic for the same inputs (it renders without a cluster; the
 * only cluster facts are `--kube-version`, part of the flags), so the cached text is what helm would
 * print. The arguments are the ones cdk8s's `Helm` construct passes, and the objects are made from the
 * text as its `Include` base class makes them (cdk8s 2.70 lib/helm.ts, lib/include.ts: YAML 1.1, empty
 * documents dropped, ids `name[-kind][-namespace]`), without `Include`'s `Yaml.load`, which starts a node
 * process to read a file (lib/yaml.ts loadurl).
 */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { recordExternalInput } from '../core/external-inputs';

/** Where rendered releases are kept unless `SPIREMESH_HELM_RENDER_CACHE` names another folder (relative to the project). */
export const DEFAULT_HELM_RENDER_CACHE = '.spiremesh/cache/helm-template';
/** Environment variable naming a render cache folder shared by several projects (CI caches, the test suite). */
export const HELM_RENDER_CACHE_ENV = 'SPIREMESH_HELM_RENDER_CACHE';

/** The cache folder's own .gitignore: its contents are derived from the chart archives and never committed. */
const CACHE_GITIGNORE = '# Written by spiremesh: rendered helm releases (a cache); git ignores everything in it.\n*\n';
/** cdk8s's `Helm` reads at most this much of helm's output (cdk8s 2.70 lib/helm.ts MAX_HELM_BUFFER). */
const MAX_HELM_OUTPUT = 10 * 1024 * 1024;

export interface HelmRenderRequest {
  /** Absolute path of the helm binary, and what its `helm version` printed (part of the cache key). */
  readonly helm: { readonly path: string; readonly version: string };
  readonly archive: string;
  readonly releaseName: string;
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly flags: readonly string[];
  /** Absolute cache folder, or undefined for no cache. */
  readonly cacheDirectory?: string;
}

/** The objects of one rendered release, children of this construct as cdk8s's `Include` makes them. */
export class RenderedRelease extends Construct {
  public constructor(scope: Construct, id: string, text: string) {
    super(scope, id);
    let order = 0;
    for (const doc of parseAllDocuments(text, { version: '1.1' })) {
      const obj = doc.toJSON();
      if (obj === undefined || obj === null) continue;
      if (Array.isArray(obj) ? obj.length === 0 : typeof obj === 'object' && Object.keys(obj).length === 0) continue;
      const name = obj.metadata?.name ?? `object${order++}`;
      new ApiObject(this, [name, obj.kind?.toLowerCase(), obj.metadata?.namespace].filter((x) => x).join('-'), obj);
    }
  }

  public get apiObjects(): ApiObject[] {
    return this.node.children.filter((o): o is ApiObject => o instanceof ApiObject);
  }
}

/** Renders the release (or takes it from the cache) into `scope` as a RenderedRelease with id `id`. */
export function renderHelmRelease(scope: Construct, id: string, request: HelmRenderRequest): RenderedRelease {
  const valuesYaml = Object.keys(request.values).length > 0 ? Yaml.stringify(request.values) : undefined;
  const key = renderKey(request, valuesYaml);
  // The render is an input of the tree beyond its code and spec (helm's version, the archive's bytes).
  recordExternalInput(scope, `helm-template:${key}`);
  return new RenderedRelease(scope, id, cachedRender(request, key) ?? runHelmTemplate(request, valuesYaml, key));
}

/** The cache folder a delivery uses: the environment's, else the default under the project folder. */
export function helmRenderCacheDirectory(baseDirectory: string): string {
  return path.resolve(baseDirectory, process.env[HELM_RENDER_CACHE_ENV] || DEFAULT_HELM_RENDER_CACHE);
}

/** The digest of everything a render depends on: helm's version, the chart archive's bytes, the release, values and flags. */
function renderKey(request: HelmRenderRequest, valuesYaml: string | undefined): string {
  return createHash('sha256')
    .update(
      JSON.stringify({
        helm: request.helm.version,
        chart: createHash('sha256').update(fs.readFileSync(request.archive)).digest('hex'),
        releaseName: request.releaseName,
        namespace: request.namespace,
        values: valuesYaml ?? null,
        flags: request.flags,
      }),
    )
    .digest('hex');
}

function cacheFile(request: HelmRenderRequest, key: string): string | undefined {
  if (!request.cacheDirectory) return undefined;
  return path.join(request.cacheDirectory, `${key}.yaml`);
}

/** The cached text, when there is one whose recorded digest matches its bytes (a damaged entry is rendered again). */
function cachedRender(request: HelmRenderRequest, key: string): string | undefined {
  const file = cacheFile(request, key);
  if (!file || !fs.existsSync(file)) return undefined;
  let stored: string;
  try {
    stored = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // an entry that cannot be read (permissions, a folder in its place) is rendered again
  }
  const newline = stored.indexOf('\n');
  const header = stored.slice(0, newline);
  const text = stored.slice(newline + 1);
  return header === digestHeader(text) ? text : undefined;
}

function runHelmTemplate(request: HelmRenderRequest, valuesYaml: string | undefined, key: string): string {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-helm-'));
  try {
    const args = ['template'];
    if (valuesYaml !== undefined) {
      const valuesFile = path.join(workdir, 'overrides.yaml');
      fs.writeFileSync(valuesFile, valuesYaml);
      args.push('-f', valuesFile);
    }
    args.push('--namespace', request.namespace, ...request.flags, request.releaseName, request.archive);
    const run = spawnSync(request.helm.path, args, { maxBuffer: MAX_HELM_OUTPUT, encoding: 'utf8' });
    if (run.error) throw new Error(`error while rendering a helm chart: ${run.error.message}`);
    if (run.status !== 0) throw new Error(run.stderr);
    storeRender(request, key, run.stdout);
    return run.stdout;
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

/** Stores a render by rename, so that a concurrent synth reads a whole entry or none. A cache that cannot be written is skipped. */
function storeRender(request: HelmRenderRequest, key: string, text: string): void {
  const file = cacheFile(request, key);
  if (!file || !request.cacheDirectory) return;
  const temp = `${file}.tmp-${process.pid}`;
  try {
    fs.mkdirSync(request.cacheDirectory, { recursive: true });
    const ignore = path.join(request.cacheDirectory, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, CACHE_GITIGNORE);
    fs.writeFileSync(temp, `${digestHeader(text)}\n${text}`);
    fs.renameSync(temp, file);
  } catch {
    // A read-only or full disk: the render is used as it is and made again next time.
    fs.rmSync(temp, { force: true });
  }
}

function digestHeader(text: string): string {
  return `# sha256:${createHash('sha256').update(text).digest('hex')}`;
}
