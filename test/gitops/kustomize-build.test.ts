/**
 * `kubectl kustomize` builds every folder with a kustomization.yaml in every committed output (dist/,
 * examples/<name>/dist, test/variants/expected/<variant>): each cluster directory, its `_after-crds/` stage and
 * the fleet bootstrap `_fleet/` with its per-cluster folders. The build must hold exactly the objects of the files
 * the kustomization lists, unchanged: kustomize adds nothing (no name prefix, labels or namespace) and drops nothing.
 *
 * Uses a real kubectl (SPIREMESH_KUBECTL, else scripts/fetch-helm.sh kubectl); fails, never skips, without one.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { expectedDir, kubectlBinary } from '../variants/harness';
import { VARIANTS } from '../variants/matrix';

const ROOT = path.resolve(__dirname, '../..');
const KUSTOMIZATION = 'kustomization.yaml';

/** Every folder below `dir` (itself included) that holds a kustomization.yaml. */
function kustomizationDirs(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    if (fs.existsSync(path.join(d, KUSTOMIZATION))) found.push(d);
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return found.sort();
}

const identity = (o: any) => `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** The objects of the files a kustomization lists, and of the kustomizations it lists (folders), in order. */
function listedObjects(dir: string): any[] {
  const k = parse(fs.readFileSync(path.join(dir, KUSTOMIZATION), 'utf8'));
  return (k.resources as string[]).flatMap((r) => {
    const p = path.join(dir, r);
    if (fs.statSync(p).isDirectory()) return listedObjects(p);
    return parseAllDocuments(fs.readFileSync(p, 'utf8'))
      .map((d) => d.toJS())
      .filter((o) => o !== null);
  });
}

const outputs = VARIANTS.map((v) => expectedDir(v));
const dirs = outputs.flatMap((o) => kustomizationDirs(o).map((d) => [path.relative(ROOT, d), d] as const));

test('every committed output is walked, and the fleet bootstrap and the staged folders are among the built folders', () => {
  expect(outputs.length).toBe(VARIANTS.length);
  const rel = dirs.map(([r]) => r);
  expect(rel.some((r) => r.endsWith('/_fleet'))).toBe(true);
  expect(rel.some((r) => r.endsWith('/_after-crds'))).toBe(true);
});

describe.each(dirs)('kubectl kustomize %s', (_rel, dir) => {
  test('builds, and holds exactly the listed objects, unchanged', () => {
    const text = execFileSync(kubectlBinary(), ['kustomize', dir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const built = parseAllDocuments(text)
      .map((d) => d.toJS())
      .filter((o) => o !== null);
    const listed = listedObjects(dir);
    expect(built.map(identity).sort()).toEqual(listed.map(identity).sort());
    const byId = new Map(listed.map((o) => [identity(o), o]));
    for (const o of built) expect(o).toEqual(byId.get(identity(o)));
  });
});
