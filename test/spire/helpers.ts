/** Helpers of the SPIRE tests: a mesh with a Spire component per test, synthesis, object lookup. */
import { App } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { SpireMesh, SpireMeshProps, SynthesisResult, collectObjects, synthesize } from '../../lib';
import { Spire, SpireComponentProps } from '../../lib/spire';
import { TEST_PROJECT, exampleProps, tempDir } from '../helpers';

/** Mesh props like the example (seed 001), with per-cluster overrides. */
export function meshProps(
  overrides: {
    trustDomain1?: string;
    pki?: SpireMeshProps['pki'];
    dataplaneMode2?: SpireMeshProps['clusters'][number]['dataplaneMode'];
  } = {},
): SpireMeshProps {
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

/**
 * A mesh with `new Spire(mesh.clusterChart(cluster), 'Spire', props)`. Should SpireMesh already
 * create a Spire component in every cluster (the lead's wiring), it is replaced by this one, so
 * that the test controls the props.
 */
export function spireMesh(props: SpireComponentProps = {}, mesh: SpireMeshProps = meshProps(), cluster = 'cluster1'): SpireFixture {
  const app = new App();
  const m = new SpireMesh(app, 'mesh', mesh);
  return { app, mesh: m, spire: addSpire(m, cluster, props) };
}

/** `new Spire(mesh.clusterChart(cluster), 'Spire', props)`, replacing a Spire that SpireMesh made. */
export function addSpire(mesh: SpireMesh, cluster: string, props: SpireComponentProps = {}): Spire {
  const chart = mesh.clusterChart(cluster);
  const existing = Spire.of(chart);
  if (existing) {
    existing.node.scope!.node.tryRemoveChild(existing.node.id);
    chart.deliveries.removeRelease('spire-crds'); // the replacement registers it again
  }
  return new Spire(chart, 'Spire', props);
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
