/**
 * The example mesh of main.ts: the whole rendered tree is pinned by a snapshot, and the
 * committed dist/ must equal a fresh synth.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import { synthesize } from '../lib';
import { declareExampleMesh } from '../main';
import { readTree, tempDir } from './helpers';

const repoDist = path.join(__dirname, '..', 'dist');

describe('example mesh (main.ts)', () => {
  const out = tempDir();
  const app = new App({ outdir: out });
  const mesh = declareExampleMesh(app);
  const result = synthesize(app, { outdir: out });
  const tree = readTree(out);

  test('writes dist/cluster1, dist/cluster2 and the fleet bootstrap dist/_fleet with every object schema-valid', () => {
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster1', 'cluster2', '_fleet']);
    expect(Object.keys(tree).every((p) => /^(cluster1|cluster2|_fleet)\//.test(p) || p === 'README.md')).toBe(true);
  });

  test('the istio-system namespace carries each cluster network label (seed 001)', () => {
    for (const cluster of mesh.model.clusters) {
      expect(tree[`${cluster.name}/namespaces/namespace_istio-system.yaml`]).toContain(`topology.istio.io/network: ${cluster.network}`);
    }
  });

  test('no file contains a private key and no Secret carries data', () => {
    for (const [file, text] of Object.entries(tree)) {
      expect(`${file}: ${/PRIVATE KEY/.test(text)}`).toBe(`${file}: false`);
      if (/^kind: Secret$/m.test(text)) expect(text).not.toMatch(/^(data|stringData):/m);
    }
  });

  test('the review page names every cluster and link in a Mermaid block and is deterministic', () => {
    const page = tree['README.md'];
    const mermaid = page.match(/```mermaid\n([\s\S]*?)```/);
    expect(mermaid).not.toBeNull();
    const ids = new Map(mesh.model.clusters.map((c) => [c.name, mermaid![1].match(new RegExp(`(\\w+)\\["<b>${c.name}</b>`))![1]]));
    // A pair of links both ways is one two-way edge (drawn from the cluster declared first), a one-way link one arrow.
    const order = mesh.model.clusters.map((c) => c.name);
    for (const link of mesh.model.links) {
      const reverse = mesh.model.links.some((l) => l.from === link.to && l.to === link.from);
      const [a, b] = order.indexOf(link.from.name) < order.indexOf(link.to.name) ? [link.from, link.to] : [link.to, link.from];
      expect(mermaid![1]).toContain(
        reverse
          ? `${ids.get(a.name)} <-->|"both ways"| ${ids.get(b.name)}`
          : `${ids.get(link.from.name)} -->|"reaches"| ${ids.get(link.to.name)}`,
      );
    }
    for (const c of mesh.model.clusters) expect(page).toContain(`### ${c.name}`);
    const again = tempDir();
    const app2 = new App({ outdir: again });
    declareExampleMesh(app2);
    synthesize(app2, { outdir: again });
    expect(readTree(again)).toEqual(tree);
  });

  test('whole-output snapshot', () => {
    expect(tree).toMatchSnapshot();
  });

  test('the committed dist/ equals a fresh synth (run `npm run synth` and commit when this fails)', () => {
    const checkApp = new App({ outdir: repoDist });
    declareExampleMesh(checkApp);
    const check = synthesize(checkApp, { outdir: repoDist, check: true });
    const drift = check.directories.flatMap((d) => [
      ...d.created.map((f) => `+ ${d.dir}/${f}`),
      ...d.changed.map((f) => `~ ${d.dir}/${f}`),
      ...d.pruned.map((f) => `- ${d.dir}/${f}`),
    ]);
    expect(drift).toEqual([]);
  });
});
