/** Shared test helpers: example specs, temp folders and whole-tree comparisons. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import {
  ChartDelivery,
  DataplaneMode,
  IstioDistribution,
  IstioLicense,
  MeshModel,
  MeshSpecDocument,
  SpireMesh,
  SpireMeshProps,
  MeshSpec,
  SynthesisResult,
  linkBothWays,
  synthesize,
} from '../lib';

/** The example mesh of main.ts (seed 001 multicluster). */
export function exampleProps(): MeshSpec {
  return {
    name: 'example',
    istio: {
      distribution: IstioDistribution.SOLO,
      version: '1.29.1',
      license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
    },
    clusters: [
      {
        name: 'cluster1',
        trustDomain: 'cluster1',
        network: 'cluster1',
        dataplaneMode: DataplaneMode.AMBIENT,
        eastWestAddress: '192.0.2.10',
      },
      {
        name: 'cluster2',
        trustDomain: 'cluster2',
        network: 'cluster2',
        dataplaneMode: DataplaneMode.AMBIENT,
        eastWestAddress: '198.51.100.10',
      },
    ],
    links: linkBothWays('cluster1', 'cluster2'),
    chartDelivery: ChartDelivery.argoCd(),
  };
}

/** A valid YAML-shaped document with n clusters, all-to-all. */
export function meshDocument(n: number, name = 'fleet'): MeshSpecDocument {
  return {
    name,
    istio: { license: { secretName: 'solo-istio-license', secretNamespace: 'istio-system' } },
    clusters: Array.from({ length: n }, (_, i) => ({ name: `c${i + 1}`, eastWestAddress: `192.0.2.${i + 1}` })),
  };
}

export function tempDir(prefix = 'spiremesh-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Every file under `dir` (relative path → content), for byte-for-byte comparisons. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = fs.readFileSync(path.join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Project folder of the tests in one test file: the meshes' PKI (certificates and throwaway keys)
 * is generated here once and reused, never in the repository.
 */
export const TEST_PROJECT = tempDir('spiremesh-project-');

/** A SpireMesh from props, or from an already resolved model. */
export function declareSpireMesh(scope: Construct, id: string, props: SpireMeshProps | MeshModel): SpireMesh {
  return props instanceof MeshModel ? SpireMesh.fromModel(scope, id, props) : new SpireMesh(scope, id, props);
}

/** Declares a mesh in a fresh app and synthesizes it into `outdir` (PKI under TEST_PROJECT). */
export function synthMesh(props: SpireMeshProps | MeshModel | ((app: App) => void), outdir: string, check = false): SynthesisResult {
  const app = new App({ outdir });
  if (typeof props === 'function') props(app);
  else declareSpireMesh(app, 'mesh', props);
  return synthesize(app, { outdir, check, baseDir: TEST_PROJECT });
}

/** Runs `fn` and returns the error it throws (fails the test when it does not throw). */
export function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but none was thrown');
}
