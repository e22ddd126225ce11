/**
 * Reuse of an unchanged output folder. A synth that writes records, next to the cluster directories, what it rendered
 * them from (`spiremesh-synth.json`): one digest of its inputs (the code, each mesh's spec and component settings, what
 * the tree read while it was built, the public certificates), the sha256 of every directory's index (which lists the
 * sha256 of every file) and of the review page, and what the synth reported (warnings, check findings, prerequisites).
 * The next synth whose inputs have that digest, inside the certificates' quiet period, over a folder whose files all
 * still have those bytes, returns that report and renders nothing: the output is a function of exactly those inputs.
 *
 * "The code" is the built package (`codeDigest` in build/package.json, over every file of build/, written by
 * `npm run build`), the versions of its runtime dependencies, every other package loaded by the time the first
 * synthesize() of the process starts, and the bytes of every module file outside a package (the app: main.ts and
 * whatever it imports). So a run from TypeScript sources (this repository's own `npm run synth`, the tests) never
 * reuses nor records: its code has no build digest. A process whose entry is not the app (a test runner, a REPL)
 * neither. What the app reads itself (a file, the environment) is part of the inputs only through the spec: an app
 * that feeds such data into anything else passes `synthesize(app, { reuse: false })` or `spiremesh synth --no-reuse`.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { MeshModel, canonicalJson } from '../spec';
import { Prerequisite, externalInputsOf } from '../core';
import { MeshPkiReport, certificateFacts } from '../pki';
import { DEFAULT_WARN_WITHIN_DAYS } from '../pki/verify';
import { RecordedMeshOutput, sha256, specDigest } from '../gitops';
import { CheckFinding } from './check';
import { ClusterPrerequisiteList } from './prerequisites';

/** The record's file at the top of the output folder. */
export const SYNTH_RECORD_FILE = 'spiremesh-synth.json';
/** Its first characters: a file of that name that does not start so is not spiremesh's (never overwritten). */
export const SYNTH_RECORD_MARKER = '{\n  "generatedBy": "spiremesh';
const RECORD_FORMAT = 1;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Reuse stops this many days before the first certificate expires: the synth warns from 30 days before (the
 * default look-ahead of lib/pki/verify.ts and of the mesh check), and a warning's text names the day.
 */
const EXPIRY_MARGIN_DAYS = DEFAULT_WARN_WITHIN_DAYS + 1;

/** One directory the synth wrote (a cluster's, or the fleet bootstrap), as its summary reports it. */
export interface RecordedDirectory {
  readonly mesh: string;
  /** The directory, relative to the output folder (the cluster's name, or `_fleet`). */
  readonly cluster: string;
  /** sha256 of its `spiremesh-index.yaml`, which lists the sha256 of every other file in it. */
  readonly index: string;
  readonly objects: number;
  readonly files: number;
}

/** What `spiremesh-synth.json` records (its file format is {@link renderSynthRecord}'s). */
export interface SynthRecord {
  readonly inputs: string;
  /** The certificates' quiet period (ISO dates): reused only from `validFrom` until before `validUntil`. */
  readonly validFrom?: string;
  readonly validUntil?: string;
  /** sha256 of the review page (dist/README.md). */
  readonly reviewPage: string;
  /** Every directory written, in output order (meshes in tree order). */
  readonly directories: readonly RecordedDirectory[];
  /** The construct warnings as printed (`<construct path>: <text>`). */
  readonly warnings: readonly string[];
  /** The mesh check's findings (warnings only: an error refuses the synth). */
  readonly checkFindings: readonly CheckFinding[];
  readonly prerequisites: readonly ClusterPrerequisiteList[];
}

/** The record's directories by mesh, in order: what recordedOutputFiles verifies. */
export function recordedMeshes(record: SynthRecord): RecordedMeshOutput[] {
  const byMesh = new Map<string, [string, string][]>();
  for (const d of record.directories) {
    const list = byMesh.get(d.mesh) ?? [];
    byMesh.set(d.mesh, list);
    list.push([d.cluster, d.index]);
  }
  return [...byMesh].map(([mesh, directories]) => ({ mesh, directories }));
}

/** Component settings of each mesh SpireMesh declared, as canonical text (undefined: settings that cannot be digested). */
const COMPONENT_SETTINGS = new WeakMap<MeshModel, string | undefined>();

/** Records the component settings a SpireMesh gave its clusters (they shape the output beyond the spec). */
export function recordComponentSettings(mesh: MeshModel, components: unknown): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(settingsValue(components, new Set()));
  } catch {
    text = undefined; // a cycle (e.g. a construct among the settings): such a mesh is never reused
  }
  COMPONENT_SETTINGS.set(mesh, text);
}

/** Settings as plain data: functions by their source, class instances with their class name, keys sorted. */
function settingsValue(value: unknown, seen: Set<object>): unknown {
  if (typeof value === 'function') return { function: String(value) };
  if (value === undefined) return null;
  if (typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) throw new Error('cycle');
  seen.add(value);
  let result: unknown;
  if (Array.isArray(value)) result = value.map((v) => settingsValue(v, seen));
  else {
    const plain: Record<string, unknown> = {};
    if (Object.getPrototypeOf(value) !== Object.prototype) plain.$class = value.constructor?.name ?? null;
    for (const k of Object.keys(value).sort()) plain[k] = settingsValue((value as Record<string, unknown>)[k], seen);
    result = plain;
  }
  seen.delete(value);
  return result;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeModule: { _cache: Record<string, unknown>; _nodeModulePaths(from: string): string[] } = require('module');

/** The folder holding the package's lib/, bin/ and imports/ (build/ of the package, or the checkout for sources). */
const CODE_ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE_CODE = ['lib', 'bin', 'imports'].map((d) => path.join(CODE_ROOT, d) + path.sep);
const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** The packages loaded when the first synthesize() of this process started (later ones are spiremesh's own lazy loads). */
let firstPackages: string[] | undefined;

/**
 * Notes the packages loaded so far, once per process: called as a synth starts, before it loads its own lazily (the
 * schema validators' runtime, key generation), so that the first synth and a later one of the same app agree.
 */
export function noteAppPackages(): void {
  firstPackages ??= loadedModules()?.packages;
}

/** The modules Node has loaded: the packages (`name@version`) and the sha256 of every other file outside the package's code. */
function loadedModules(): { packages: string[]; files: string[] } | undefined {
  const files: string[] = [];
  const packages = new Set<string>();
  for (const file of Object.keys(nodeModule._cache)) {
    if (isPackageCode(file)) continue;
    if (file.includes(NODE_MODULES)) {
      const id = packageIdOf(file);
      if (id === undefined) return undefined;
      packages.add(id);
      continue;
    }
    try {
      files.push(crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    } catch {
      return undefined;
    }
  }
  return { packages: [...packages].sort(), files: files.sort() };
}

/**
 * What the code of this process is, as one string (the same for the same code on any machine), or undefined when it
 * cannot be known: sources without a build digest, or an entry module that is not the app.
 */
export function codeIdentity(): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg: { version?: string; codeDigest?: string; dependencies?: string[] } = require('../../package.json');
  if (!pkg.codeDigest) return undefined;
  const entry = require.main?.filename;
  if (!entry || !(entry in nodeModule._cache)) return undefined;
  if (entry.includes(NODE_MODULES) && !isPackageCode(entry)) return undefined;
  const loaded = loadedModules();
  if (!loaded) return undefined;
  firstPackages ??= loaded.packages;
  return canonicalJson({
    version: pkg.version,
    code: pkg.codeDigest,
    dependencies: (pkg.dependencies ?? []).map((name) => `${name}@${installedVersion(name) ?? 'missing'}`),
    packages: firstPackages,
    app: loaded.files,
  });
}

function isPackageCode(file: string): boolean {
  return PACKAGE_CODE.some((dir) => file.startsWith(dir));
}

const packageIds = new Map<string, string | undefined>();

/** `name@version` of the package a file in node_modules belongs to. */
function packageIdOf(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES) + NODE_MODULES.length;
  const parts = file.slice(at).split(path.sep);
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  const dir = path.join(file.slice(0, at), name);
  if (!packageIds.has(dir)) {
    const version = versionAt(dir);
    packageIds.set(dir, version === undefined ? undefined : `${name}@${version}`);
  }
  return packageIds.get(dir);
}

function versionAt(dir: string): string | undefined {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version);
  } catch {
    return undefined;
  }
}

/** The version of a runtime dependency as Node resolves it from the package. */
function installedVersion(name: string): string | undefined {
  for (const dir of nodeModule._nodeModulePaths(CODE_ROOT)) {
    const version = versionAt(path.join(dir, name));
    if (version !== undefined) return version;
  }
  return undefined;
}

/**
 * The digest of everything the output of `root` is a function of, or undefined when it cannot be known (see the file
 * comment) or a mesh is not reusable: one not declared by a SpireMesh, or component settings that cannot be digested.
 */
export function synthesisInputs(
  root: IConstruct,
  meshes: readonly MeshModel[],
  pki: ReadonlyMap<MeshModel, MeshPkiReport>,
): string | undefined {
  const code = codeIdentity();
  if (code === undefined) return undefined;
  const perMesh: unknown[] = [];
  for (const mesh of meshes) {
    const components = COMPONENT_SETTINGS.get(mesh);
    if (components === undefined) return undefined;
    const certs = pki.get(mesh)?.certificates;
    perMesh.push({
      spec: specDigest(mesh),
      components,
      certificates: certs
        ? [certs.root, ...Object.values(certs.clusters).flatMap((c) => [c.spireIntermediate, c.istioIntermediate])].map(
            (info) => certificateFacts(info).sha256,
          )
        : [],
    });
  }
  return `sha256:${sha256(canonicalJson({ format: RECORD_FORMAT, code, meshes: perMesh, read: externalInputsOf(root) }))}`;
}

/** From when until when the certificates of these reports keep the synth's report the same (none: always). */
export function quietPeriod(reports: Iterable<MeshPkiReport | undefined>): { validFrom?: string; validUntil?: string } {
  let from: number | undefined;
  let until: number | undefined;
  for (const report of reports) {
    const certs = report?.certificates;
    if (!certs) continue;
    for (const info of [certs.root, ...Object.values(certs.clusters).flatMap((c) => [c.spireIntermediate, c.istioIntermediate])]) {
      from = Math.max(from ?? -Infinity, info.notBefore.getTime());
      until = Math.min(until ?? Infinity, info.notAfter.getTime() - EXPIRY_MARGIN_DAYS * DAY_MS);
    }
  }
  return {
    ...(from !== undefined ? { validFrom: new Date(from).toISOString() } : {}),
    ...(until !== undefined ? { validUntil: new Date(until).toISOString() } : {}),
  };
}

/** True when `now` is in the record's quiet period. */
export function isQuiet(record: SynthRecord, now: Date): boolean {
  const t = now.getTime();
  return (
    (record.validFrom === undefined || t >= Date.parse(record.validFrom)) &&
    (record.validUntil === undefined || t < Date.parse(record.validUntil))
  );
}

/**
 * The record's text: JSON, the marker first, one line per directory, warning, finding and prerequisite (a pull
 * request's diff shows which changed). A prerequisite that many clusters share (the same license Secret in 300
 * clusters) is written once, and each cluster lists the ones it needs by their number.
 */
export function renderSynthRecord(record: SynthRecord, generator: string): string {
  const distinct = new Map<string, number>();
  const prerequisites: Prerequisite[] = [];
  const clusterPrerequisites = record.prerequisites.map((c) => ({
    mesh: c.mesh,
    cluster: c.cluster,
    context: c.context,
    prerequisites: c.prerequisites.map((p) => {
      const key = JSON.stringify(p);
      let n = distinct.get(key);
      if (n === undefined) {
        distinct.set(key, (n = prerequisites.length));
        prerequisites.push(p);
      }
      return n;
    }),
  }));
  const lines = (items: readonly unknown[]) =>
    items.length === 0 ? '[]' : `[\n${items.map((i) => `    ${JSON.stringify(i)}`).join(',\n')}\n  ]`;
  const fields: [string, string][] = [
    [
      'generatedBy',
      JSON.stringify(
        `${generator}: what this output folder was rendered from, so that a synth of the same inputs reuses it (delete this file to render in full)`,
      ),
    ],
    ['format', String(RECORD_FORMAT)],
    ['inputs', JSON.stringify(record.inputs)],
    ...(record.validFrom !== undefined ? [['validFrom', JSON.stringify(record.validFrom)] as [string, string]] : []),
    ...(record.validUntil !== undefined ? [['validUntil', JSON.stringify(record.validUntil)] as [string, string]] : []),
    ['reviewPage', JSON.stringify(record.reviewPage)],
    ['directories', lines(record.directories)],
    ['warnings', lines(record.warnings)],
    ['checkFindings', lines(record.checkFindings)],
    ['prerequisites', lines(prerequisites)],
    ['clusterPrerequisites', lines(clusterPrerequisites)],
  ];
  return `{\n${fields.map(([k, v]) => `  ${JSON.stringify(k)}: ${v}`).join(',\n')}\n}\n`;
}

/** The record in `outdir`, or undefined when there is none of this format (or it is not spiremesh's, or is damaged). */
export function readSynthRecord(outdir: string): SynthRecord | undefined {
  let text: string;
  try {
    const file = path.join(outdir, SYNTH_RECORD_FILE);
    if (!fs.lstatSync(file).isFile()) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (!text.startsWith(SYNTH_RECORD_MARKER)) return undefined;
  try {
    const doc = JSON.parse(text);
    if (doc.format !== RECORD_FORMAT || typeof doc.inputs !== 'string' || typeof doc.reviewPage !== 'string') return undefined;
    const shared: Prerequisite[] = doc.prerequisites;
    const prerequisites: ClusterPrerequisiteList[] = doc.clusterPrerequisites.map((c: { prerequisites: number[] }) => {
      const list = c.prerequisites.map((n) => shared[n]);
      if (list.some((p) => p === undefined)) throw new Error('a prerequisite number out of range');
      return { ...c, prerequisites: list };
    });
    const directories: RecordedDirectory[] = doc.directories;
    if (!Array.isArray(directories) || !directories.every((d) => typeof d?.cluster === 'string' && typeof d?.index === 'string')) {
      return undefined;
    }
    return {
      inputs: doc.inputs,
      ...(doc.validFrom !== undefined ? { validFrom: String(doc.validFrom) } : {}),
      ...(doc.validUntil !== undefined ? { validUntil: String(doc.validUntil) } : {}),
      reviewPage: doc.reviewPage,
      directories,
      warnings: doc.warnings,
      checkFindings: doc.checkFindings,
      prerequisites,
    };
  } catch {
    return undefined;
  }
}
