/**
 * The model's per-cluster and per-trust-domain lookups are indexed once (issue 15: a per-cluster scan of every link
 * made an all-to-all fleet cubic in its cluster count). Each lookup must answer exactly what a scan of the links,
 * clusters or relations answers, in the same order, and the model must stay immutable so that the index stays valid.
 */
import { DataplaneMode, MeshModel, federateBothWays, resolveMeshProps, type MeshSpec } from '../../lib';

const spec: MeshSpec = {
  name: 'index',
  clusters: [
    {
      name: 'a',
      trustDomain: 'one.example',
      dataplaneMode: DataplaneMode.SIDECAR,
      spireBundleEndpointAddress: '192.0.2.1',
      eastWestAddress: '192.0.2.11',
    },
    { name: 'b', trustDomain: 'one.example', dataplaneMode: DataplaneMode.SIDECAR, eastWestAddress: '192.0.2.12' },
    {
      name: 'c',
      trustDomain: 'two.example',
      dataplaneMode: DataplaneMode.SIDECAR,
      spireBundleEndpointAddress: '192.0.2.3',
      eastWestAddress: '192.0.2.13',
    },
    {
      name: 'd',
      trustDomain: 'three.example',
      dataplaneMode: DataplaneMode.SIDECAR,
      spireBundleEndpointAddress: '192.0.2.4',
      eastWestAddress: '192.0.2.14',
    },
    { name: 'lonely', trustDomain: 'four.example', dataplaneMode: DataplaneMode.SIDECAR },
  ],
  // Irregular on purpose: one-way links, a cluster reached but reaching nothing, one linked to nobody.
  links: [
    { from: 'a', to: 'b' },
    { from: 'c', to: 'a' },
    { from: 'b', to: 'a' },
    { from: 'a', to: 'd' },
    { from: 'c', to: 'd' },
  ],
  federation: {
    relations: [...federateBothWays('two.example', 'one.example'), { trustDomain: 'three.example', federatesWith: 'one.example' }],
  },
};

/** What the lookups answered before they were indexed: scans of the model's arrays. */
const scan = {
  linksOf: (m: MeshModel, c: MeshModel['clusters'][number]) => m.links.filter((l) => l.from === c || l.to === c),
  linksFrom: (m: MeshModel, c: MeshModel['clusters'][number]) => m.links.filter((l) => l.from === c),
  linksTo: (m: MeshModel, c: MeshModel['clusters'][number]) => m.links.filter((l) => l.to === c),
  clustersOf: (m: MeshModel, td: string) => m.clusters.filter((c) => c.trustDomain === td),
  federatesWith: (m: MeshModel, td: string) =>
    (m.federation?.relations ?? []).filter((r) => r.trustDomain === td).map((r) => r.federatesWith),
  isFederatedWith: (m: MeshModel, td: string) => (m.federation?.relations ?? []).some((r) => r.federatesWith === td),
};

describe('MeshModel lookups', () => {
  const model = resolveMeshProps(spec, 'test');
  const domains = [...new Set(model.clusters.map((c) => c.trustDomain)), 'unknown.example'];

  test('each per-cluster lookup answers what a scan of the links answers, in link order', () => {
    for (const c of model.clusters) {
      expect(model.linksOf(c)).toEqual(scan.linksOf(model, c));
      expect(model.linksFrom(c)).toEqual(scan.linksFrom(model, c));
      expect(model.linksTo(c)).toEqual(scan.linksTo(model, c));
      expect(model.isPeered(c)).toBe(scan.linksOf(model, c).length > 0);
      // The same link objects, not copies.
      model.linksOf(c).forEach((l, i) => expect(l).toBe(scan.linksOf(model, c)[i]));
    }
    const [a, b, c, d, lonely] = model.clusters;
    expect(model.linksFrom(a).map((l) => l.to.name)).toEqual(['b', 'd']);
    expect(model.linksTo(a).map((l) => l.from.name)).toEqual(['c', 'b']);
    expect(model.linksOf(d).map((l) => `${l.from.name}->${l.to.name}`)).toEqual(['a->d', 'c->d']);
    expect(model.linksTo(c)).toEqual([]);
    expect(model.linksFrom(b).map((l) => l.to.name)).toEqual(['a']);
    expect(model.isPeered(lonely)).toBe(false);
  });

  test('a cluster of another model is in none of its links (identity, as the scans compare)', () => {
    const other = resolveMeshProps(spec, 'other');
    expect(model.linksOf(other.clusters[0])).toEqual([]);
    expect(model.linksFrom(other.clusters[0])).toEqual([]);
    expect(model.isPeered(other.clusters[0])).toBe(false);
  });

  test('each per-trust-domain lookup answers what a scan answers, in spec and relation order', () => {
    for (const td of domains) {
      expect(model.clustersOf(td)).toEqual(scan.clustersOf(model, td));
      expect(model.federatesWith(td)).toEqual(scan.federatesWith(model, td));
      expect(model.isFederatedWith(td)).toBe(scan.isFederatedWith(model, td));
    }
    expect(model.clustersOf('one.example').map((c) => c.name)).toEqual(['a', 'b']);
    expect(model.federatesWith('one.example')).toEqual(['two.example']);
    expect(model.isFederatedWith('one.example')).toBe(true);
    expect(model.isFederatedWith('three.example')).toBe(false);
  });

  test('cluster(name) finds each cluster and names the declared ones for an unknown name', () => {
    for (const c of model.clusters) expect(model.cluster(c.name)).toBe(c);
    expect(() => model.cluster('nope')).toThrow(/no cluster 'nope' in mesh 'index'/);
  });

  test('the model is immutable, so the index stays valid: clusters, links, relations and answers are frozen', () => {
    expect(Object.isFrozen(model.clusters)).toBe(true);
    expect(Object.isFrozen(model.links)).toBe(true);
    expect(model.links.every((l) => Object.isFrozen(l))).toBe(true);
    expect(Object.isFrozen(model.federation?.relations)).toBe(true);
    expect(Object.isFrozen(model.linksOf(model.clusters[0]))).toBe(true);
    expect(Object.isFrozen(model.federatesWith('one.example'))).toBe(true);
    expect(Object.isFrozen(model.clustersOf('nobody'))).toBe(true);
    expect(() => (model.links as unknown as unknown[]).push({})).toThrow(TypeError);
  });

  test('the index is no property of the model: two models of one spec are equal whether or not one was queried', () => {
    const fresh = resolveMeshProps(spec, 'test');
    expect(Object.keys(model)).toEqual(Object.keys(fresh));
    expect(model).toEqual(fresh);
  });

  test('all-to-all: every cluster reaches and is reached by every other', () => {
    const n = 12;
    const all = resolveMeshProps(
      {
        name: 'all',
        clusters: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, eastWestAddress: `192.0.2.${i + 1}` })),
      },
      'test',
    );
    expect(all.links).toHaveLength(n * (n - 1));
    for (const c of all.clusters) {
      expect(all.linksFrom(c)).toEqual(scan.linksFrom(all, c));
      expect(all.linksTo(c)).toEqual(scan.linksTo(all, c));
      expect(all.linksOf(c)).toHaveLength(2 * (n - 1));
    }
  });
});
