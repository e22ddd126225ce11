/** Helpers of the output-safety tests: rendered outputs without a synth, and exact folder snapshots. */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshComponent, SpireMesh } from '../../lib';
import { DirectoryOutput, collectObjects, renderClusterFiles, renderManifests } from '../../lib/gitops';
import { MeshModel, resolveMeshSpec } from '../../lib/spec';
import { meshDocument } from '../helpers';

/** A test component that adds ConfigMaps (name → data) to every cluster, in its own folder. */
class ConfigMaps extends MeshComponent {
  public constructor(scope: Construct, id: string, folder: string, maps: Record<string, Record<string, string>>) {
    super(scope, id, { componentName: folder });
    for (const [name, data] of Object.entries(maps))
      new kplus.ConfigMap(this, name, { metadata: { name, namespace: 'spire-server' }, data });
  }
}

export type ExtraMaps = Record<string, Record<string, Record<string, string>>>;

/** An n-cluster fleet mesh with extra ConfigMaps per folder: { folder: { name: data } }. */
export function declareFleet(n: number, extra: ExtraMaps = {}) {
  return (app: Construct): SpireMesh => {
    const mesh = SpireMesh.fromModel(app, 'mesh', resolveMeshSpec(meshDocument(n), 'test fleet'));
    for (const cluster of mesh.clusters) {
      for (const [folder, maps] of Object.entries(extra)) new ConfigMaps(cluster, `Extra-${folder}`, folder, maps);
    }
    return mesh;
  };
}

/** The cluster directories a declaration renders (no PKI trust facts: no synth, no certificates). */
export function renderedOutputs(declare: (app: App) => SpireMesh): { mesh: MeshModel; outputs: DirectoryOutput[] } {
  const app = new App();
  const mesh = declare(app).model;
  const collected = collectObjects(app);
  if (collected.findings.length > 0) throw new Error(`unexpected findings: ${JSON.stringify(collected.findings)}`);
  const outputs = mesh.clusters.map((cluster) => {
    const { files } = renderManifests(collected.objects.filter((o) => o.cluster === cluster.name));
    return { dir: cluster.name, files: renderClusterFiles(mesh, cluster, files).files };
  });
  return { mesh, outputs };
}

/** Everything in a folder: every file with its bytes, every directory (empty ones too), every link. */
export interface FolderSnapshot {
  readonly files: Record<string, string>;
  readonly dirs: readonly string[];
  readonly links: Record<string, string>;
}

export function snapshot(dir: string): FolderSnapshot {
  const files: Record<string, string> = {};
  const dirs: string[] = [];
  const links: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isSymbolicLink()) links[`${prefix}${e.name}`] = fs.readlinkSync(p);
      else if (e.isDirectory()) {
        dirs.push(`${prefix}${e.name}`);
        walk(p, `${prefix}${e.name}/`);
      } else files[`${prefix}${e.name}`] = fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir, '');
  return { files, dirs, links };
}

/** Makes `dir` hold exactly `snap` (files and directories), touching only what differs. */
export function restore(dir: string, snap: FolderSnapshot): void {
  fs.mkdirSync(dir, { recursive: true });
  const now = snapshot(dir);
  const dirs = new Set(snap.dirs);
  for (const rel of [...Object.keys(now.files), ...Object.keys(now.links)]) {
    if (!(rel in snap.files) || now.files[rel] !== snap.files[rel]) fs.rmSync(path.join(dir, rel), { force: true });
  }
  for (const d of [...now.dirs].reverse()) if (!dirs.has(d)) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  for (const d of snap.dirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
  for (const [rel, text] of Object.entries(snap.files)) if (now.files[rel] !== text) fs.writeFileSync(path.join(dir, rel), text);
}

/** Names of the writer's own files (temporary, journal, lock) anywhere under `dir`; none may remain after a run. */
export function writerLeftovers(dir: string): string[] {
  const snap = snapshot(dir);
  return [...Object.keys(snap.files), ...snap.dirs, ...Object.keys(snap.links)].filter((p) =>
    p.split('/').some((part) => part.startsWith('.spiremesh-') || /\.spiremesh-\d+-\d+\.tmp$/.test(part)),
  );
}

/** 'old', 'new', or a description of the mix (for the failure message). */
export function whichTree(actual: FolderSnapshot, old: FolderSnapshot, next: FolderSnapshot): string {
  const same = (a: FolderSnapshot, b: FolderSnapshot) => JSON.stringify(a) === JSON.stringify(b);
  if (same(actual, old)) return 'old';
  if (same(actual, next)) return 'new';
  const keys = new Set([...Object.keys(actual.files), ...Object.keys(old.files), ...Object.keys(next.files)]);
  const mixed = [...keys].filter((k) => actual.files[k] !== old.files[k] && actual.files[k] !== next.files[k]);
  const fromOld = [...keys].filter((k) => actual.files[k] === old.files[k] && old.files[k] !== next.files[k]);
  const fromNew = [...keys].filter((k) => actual.files[k] === next.files[k] && old.files[k] !== next.files[k]);
  return `a mix: ${fromOld.length} file(s) as old, ${fromNew.length} as new, ${mixed.length} neither (${mixed.slice(0, 3).join(', ')}); dirs ${JSON.stringify(actual.dirs)}`;
}
