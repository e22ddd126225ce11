/**
 * The review page at fleet scale: the Mermaid topology only while it stays within Mermaid's default limits (500
 * edges, 50,000 characters of diagram source: the defaults GitHub renders with), a topology table beyond them, one
 * fleet table and grouped rows beyond DETAILED_CLUSTER_LIMIT clusters, and a page under 100 KB for 2 to 200 clusters.
 * Fleets are declared as bench/synth-fleet.ts declares its fleet (all-to-all, one trust domain, cert-manager CA).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import { SpireMesh, linkBothWays, resolveMeshProps, synthesize } from '../../lib';
import {
  DETAILED_CLUSTER_LIMIT,
  MERMAID_DEFAULT_LIMITS,
  ReviewPageMesh,
  renderReviewPage,
  topologyDiagram,
  withinMermaidDefaults,
} from '../../lib/app/review-page';
import { MeshComponent } from '../../lib/core';
import { fleetSpec } from '../../bench/fleet';
import { TEST_PROJECT, tempDir } from '../helpers';

const fleet = fleetSpec;

/**
 * The page as synthesis renders it, with the objects per cluster and component counted in the construct tree (no disk,
 * no PKI, no gates: a synth of 200 clusters is the benchmark's job, not a unit test's).
 */
function fleetInputs(n: number): ReviewPageMesh {
  const app = new App();
  const mesh = new SpireMesh(app, 'fleet', fleet(n));
  const objectCounts: Record<string, Record<string, number>> = {};
  for (const chart of mesh.clusters) {
    const perCluster = (objectCounts[chart.cluster.name] ??= {});
    for (const o of chart.node.findAll().filter((c) => ApiObject.isApiObject(c))) {
      const component = MeshComponent.of(o)?.componentName ?? 'namespaces';
      perCluster[component] = (perCluster[component] ?? 0) + 1;
    }
  }
  return { mesh: mesh.model, objectCounts, findings: [] };
}

/** Every Mermaid block of a page, with its edges counted as Mermaid counts them (one per link statement). */
function mermaidBlocks(page: string): { source: string; edges: number }[] {
  return [...page.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => ({
    source: m[1],
    edges: m[1].split('\n').filter((line) => /^\s*\w+ (<-->|-->)/.test(line)).length,
  }));
}

const kb = (page: string) => Buffer.byteLength(page, 'utf8') / 1024;

describe('the topology renders with Mermaid’s default settings, or is a table', () => {
  test('Mermaid’s defaults as its config schema states them', () => {
    expect(MERMAID_DEFAULT_LIMITS).toEqual({ maxEdges: 500, maxTextSize: 50000 });
  });

  test.each([2, 6])('%i clusters (synthesized) keep their Mermaid diagram: a two-way pair of links is one edge', (n) => {
    const out = tempDir();
    const app = new App({ outdir: out });
    new SpireMesh(app, 'fleet', fleet(n));
    synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    const page = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    const blocks = mermaidBlocks(page);
    expect(blocks).toHaveLength(1);
    expect(blocks[0].edges).toBe((n * (n - 1)) / 2);
    expect(blocks[0].source).toContain('<-->|"both ways"|');
    expect(blocks[0].source.length).toBeLessThanOrEqual(MERMAID_DEFAULT_LIMITS.maxTextSize);
    // Small meshes keep a table per cluster.
    for (const c of fleet(n).clusters) expect(page).toContain(`### ${c.name}\n`);
    expect(kb(page)).toBeLessThan(100);
    // Byte-identical on a second run of the unchanged spec: the page carries no facts of the run.
    const again = new App({ outdir: out });
    new SpireMesh(again, 'fleet', fleet(n));
    expect(synthesize(again, { outdir: out, baseDir: TEST_PROJECT }).upToDate).toBe(true);
    expect(fs.readFileSync(path.join(out, 'README.md'), 'utf8')).toBe(page);
  });

  test('a one-way link is drawn one way', () => {
    const mesh = resolveMeshProps(
      fleet(3, { links: [...linkBothWays('cluster-001', 'cluster-002'), { from: 'cluster-003', to: 'cluster-001' }] }),
      'test',
    );
    const { source, edges } = topologyDiagram(mesh);
    expect(edges).toBe(2);
    expect(source).toContain('c1 <-->|"both ways"| c2');
    expect(source).toContain('c3 -->|"reaches"| c1');
  });

  test('up to 32 all-to-all clusters (496 edges) are a diagram, from 33 (528 edges) a table', () => {
    const diagram32 = topologyDiagram(resolveMeshProps(fleet(32), 'test'));
    const diagram33 = topologyDiagram(resolveMeshProps(fleet(33), 'test'));
    expect(diagram32.edges).toBe(496);
    expect(withinMermaidDefaults(diagram32)).toBe(true);
    expect(diagram33.edges).toBe(528);
    expect(withinMermaidDefaults(diagram33)).toBe(false);
  });

  test('a diagram over the text limit is a table even with few edges', () => {
    const diagram = topologyDiagram(resolveMeshProps(fleet(400, { links: [] }), 'test'));
    expect(diagram.edges).toBe(0);
    expect(diagram.source.length).toBeGreaterThan(MERMAID_DEFAULT_LIMITS.maxTextSize);
    expect(withinMermaidDefaults(diagram)).toBe(false);
  });
});

describe.each([100, 200])('%i all-to-all clusters', (n) => {
  let inputs: ReviewPageMesh;
  let page: string;
  beforeAll(() => {
    inputs = fleetInputs(n);
    page = renderReviewPage([inputs]);
  });

  test('every Mermaid block stays within the default limits (there is none: 9,900-edge diagrams are a table)', () => {
    for (const block of mermaidBlocks(page)) {
      expect(block.edges).toBeLessThanOrEqual(MERMAID_DEFAULT_LIMITS.maxEdges);
      expect(block.source.length).toBeLessThanOrEqual(MERMAID_DEFAULT_LIMITS.maxTextSize);
    }
    expect(mermaidBlocks(page)).toEqual([]);
    expect(page).toContain(`${n} clusters and ${n * (n - 1)} one-way links`);
    expect(page).toContain('Every cluster reaches every other cluster (all-to-all).');
  });

  test('the page is under 100 KB', () => {
    expect(kb(page)).toBeLessThan(100);
  });

  test('a reviewer finds every cluster once in the topology table, with its network, address and peers', () => {
    for (const [i, c] of fleet(n).clusters.entries()) {
      const row = page.split('\n').filter((l) => l.startsWith(`| ${c.name} | \`${c.name}\` | \`fleet.example.com\` | ambient |`));
      expect(row).toEqual([
        `| ${c.name} | \`${c.name}\` | \`fleet.example.com\` | ambient | ${c.eastWestAddress} | all ${n - 1} others | all ${n - 1} others |`,
      ]);
      expect(i).toBeLessThan(n);
    }
  });

  test('facts every cluster shares are stated once; rows that read alike are one', () => {
    expect(n).toBeGreaterThan(DETAILED_CLUSTER_LIMIT);
    expect(page).not.toContain('### cluster-001\n');
    expect(page).toContain(`${n} clusters. Common to every cluster:`);
    expect(page.match(/\| SPIRE \| /g)).toHaveLength(1);
    // How it goes live: one row for all clusters, the name and context as placeholders.
    expect(page).toMatch(
      new RegExp(`\\| all ${n} clusters \\| \`<cluster>/\` \\(\\d+ objects\\) \\| an Argo CD Application you point at \`<cluster>/\``),
    );
    // The kube context differs per cluster: one row each.
    expect(page).toContain(`| cluster-${String(n).padStart(3, '0')} | \`cluster-${String(n).padStart(3, '0')}\` |`);
  });

  test('the page is deterministic', () => {
    // The same spec resolved again, with the same objects: the same bytes.
    expect(renderReviewPage([{ ...inputs, mesh: resolveMeshProps(fleet(n), 'again') }])).toBe(page);
  });
});

test('a directory digest, when synthesis hands one, is a row of its cluster (the line a change of the directory changes)', () => {
  const mesh = resolveMeshProps(fleet(2), 'test');
  const page = renderReviewPage([
    { mesh, objectCounts: {}, findings: [], directoryDigests: { 'cluster-001': 'sha256:aaaa', 'cluster-002': 'sha256:bbbb' } },
  ]);
  expect(page).toContain('| content digest | `sha256:aaaa` |');
  expect(page).toContain('| content digest | `sha256:bbbb` |');
  expect(page).toContain('## What changed');
  expect(page).toContain('`spiremesh diff`');
});
