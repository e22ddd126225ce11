/** Helpers of the SPIRE tests: a mesh with a Spire component per test, synthesis, object lookup. */
import { App } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { SpireMesh, MeshSpec, SynthesisResult, collectObjects, synthesize } from '../../lib';
import { Spire, SpireComponentProps } from '../../lib/spire';
import { TEST_PROJECT, exampleProps, tempDir } from '../helpers';

/** Mesh props like the example (two ambient clusters), with per-cluster overrides. */
export function meshProps(
  overrides: {
    trustDomain1?: string;
    pki?: MeshSpec['pki'];
    dataplaneMode2?: MeshSpec['clusters'][number]['dataplaneMode'];
  } = {},
): MeshSpec {
  const base = exampleProps();
  return {
    ...base,
    clusters: base.clusters.map((c, i) => ({
      ...c,
      ...(i === 0 && overrides.trustDomain1 ? { trustDomain: overrides.trustDomain1 } : {}),
      ...(i === 1 && overrides.dataplaneMode2 ? { dataplaneMode: overrides.dataplaneMode2 } : {}),
    })),
    ...(overrides.pki ? { pki: overrides.pki } : {}),
  };
}

export interface SpireFixture {
  readonly app: App;
  readonly mesh: SpireMesh;
  readonly spire: Spire;
}

/** A mesh whose Spire components (one per cluster) get `props`; `spire` is the one of `cluster`. */
export function spireMesh(props: SpireComponentProps = {}, mesh: MeshSpec = meshProps(), cluster = 'cluster1'): SpireFixture {
  const app = new App();
  const m = new SpireMesh(app, 'mesh', { ...mesh, components: { spire: props } });
  return { app, mesh: m, spire: spireOf(m, cluster) };
}

/** The Spire component that SpireMesh created in `cluster`. */
export function spireOf(mesh: SpireMesh, cluster: string): Spire {
  const spire = Spire.of(mesh.clusterChart(cluster));
  if (!spire) throw new Error(`cluster ${cluster} has no Spire component`);
  return spire;
}

/** Every manifest of the `spire` component of one cluster, as JSON. */
export function spireObjects(fixture: SpireFixture, cluster = 'cluster1'): any[] {
  return collectObjects(fixture.app)
    .objects.filter((o) => o.cluster === cluster && o.component === 'spire')
    .map((o) => o.manifest);
}

/** The one object of a kind and name; fails when absent. */
export function find(objects: readonly any[], kind: string, name: string): any {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} '${name}' among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

/** Synthesizes the fixture's app into a fresh temp folder. */
export function synthSpire(fixture: SpireFixture): { outdir: string; result: SynthesisResult } {
  const outdir = tempDir('spiremesh-spire-');
  return { outdir, result: synthesize(fixture.app, { outdir, baseDir: TEST_PROJECT }) };
}

/** The configs as emitted: server.conf, agent.conf (JSON) and the controller-manager config (YAML). */
export function emittedConfigs(objects: readonly any[]): {
  server: any;
  agent: any;
  controllerManager: any;
  serverText: string;
  agentText: string;
  controllerManagerText: string;
} {
  const serverText = find(objects, 'ConfigMap', 'spire-server').data['server.conf'];
  const agentText = find(objects, 'ConfigMap', 'spire-agent').data['agent.conf'];
  const controllerManagerText = find(objects, 'ConfigMap', 'spire-controller-manager').data['controller-manager-config.yaml'];
  return {
    server: JSON.parse(serverText),
    agent: JSON.parse(agentText),
    controllerManager: parseYaml(controllerManagerText),
    serverText,
    agentText,
    controllerManagerText,
  };
}
