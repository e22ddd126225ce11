import * as path from 'path';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { EastWestServiceType, IstioLicense, MeshSpec, SpireMesh, synthesize } from '../../lib';
import { ARGO_SYNC_OPTIONS_ANNOTATION, ARGO_SYNC_WAVE_ANNOTATION } from '../../lib/delivery/names';
import { EASTWEST_GATEWAY_NAME, EastWestGateway, Multicluster, RemotePeerGateway, remotePeerGatewayName } from '../../lib/multicluster';
import { MeshModel, MeshSpecDocument, meshPropsFromDocument } from '../../lib/spec';
import { SchemaRegistry } from '../../lib/validation';
import { TEST_PROJECT, declareSpireMesh, errorOf, exampleProps, readTree, tempDir } from '../helpers';

const LISTENERS = [
  { name: 'cross-network', port: 15008, protocol: 'HBONE', tls: { mode: 'Passthrough' } },
  { name: 'xds-tls', port: 15012, protocol: 'TLS', tls: { mode: 'Passthrough' } },
];

/** A mesh; SpireMesh adds the Multicluster component to every cluster. */
function meshWithMulticluster(props: MeshSpec | MeshModel): { app: App; mesh: SpireMesh } {
  const app = new App();
  const mesh = declareSpireMesh(app, 'mesh', props);
  for (const cluster of mesh.clusters) expect(cluster.node.tryFindChild('Multicluster')).toBeInstanceOf(Multicluster);
  return { app, mesh };
}

/**
 * The object as the multicluster constructs write it: without the Argo CD first-sync annotations that the cluster's
 * delivery adds to every custom resource (test/gitops/first-sync-order.test.ts checks those).
 */
function withoutFirstSyncAnnotations(o: any): any {
  const annotations = { ...(o?.metadata?.annotations ?? {}) };
  delete annotations[ARGO_SYNC_OPTIONS_ANNOTATION];
  delete annotations[ARGO_SYNC_WAVE_ANNOTATION];
  const { annotations: _dropped, ...metadata } = o.metadata;
  return { ...o, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
}

/**
 * Synthesizes into a temp dir (schema gate included; the mesh PKI goes to the helpers' temp
 * project, never the repo) and returns, per cluster, the parsed files of `multicluster/`.
 */
function synthMulticluster(props: MeshSpec | MeshModel): Record<string, Record<string, any>> {
  const { app, mesh } = meshWithMulticluster(props);
  const outdir = tempDir();
  synthesize(app, { outdir, baseDir: TEST_PROJECT });
  const result: Record<string, Record<string, any>> = {};
  for (const cluster of mesh.model.clusters) {
    const tree = readTree(path.join(outdir, cluster.name));
    result[cluster.name] = Object.fromEntries(
      Object.entries(tree)
        .filter(([file]) => file.startsWith('multicluster/'))
        .map(([file, text]) => [file.slice('multicluster/'.length), withoutFirstSyncAnnotations(YAML.parse(text))]),
    );
  }
  return result;
}

/** Builds the mesh without validating the spec, to reach the constructs' own checks. */
function unvalidated(doc: MeshSpecDocument): MeshModel {
  return new MeshModel(meshPropsFromDocument(doc), doc);
}

const eastWestFile = 'gateway_istio-eastwest_istio-eastwest.yaml';
const peerFile = (remote: string) => `gateway_istio-eastwest_istio-remote-peer-${remote}.yaml`;

function threeClusters(links?: { from: string; to: string }[], extra: Partial<Record<'a' | 'b' | 'c', object>> = {}): MeshSpecDocument {
  return {
    name: 'three',
    istio: { license: { secretName: 'solo-istio-license', secretNamespace: 'istio-system' } },
    clusters: [
      { name: 'a', eastWestAddress: '192.0.2.1', ...extra.a },
      { name: 'b', eastWestAddress: '192.0.2.2', ...extra.b },
      { name: 'c', eastWestAddress: '192.0.2.3', ...extra.c },
    ],
    ...(links ? { links } : {}),
  };
}

describe('example mesh (seed 001: two clusters linked both ways)', () => {
  let out: Record<string, Record<string, any>>;
  beforeAll(() => {
    out = synthMulticluster(exampleProps());
  });

  test('cluster1 holds its east-west Gateway and istio-remote-peer-cluster2, exactly as expose/link write them', () => {
    expect(Object.keys(out.cluster1).sort()).toEqual([eastWestFile, peerFile('cluster2')]);
    expect(out.cluster1[eastWestFile]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'istio-eastwest',
        namespace: 'istio-eastwest',
        labels: {
          'app.kubernetes.io/managed-by': 'spiremesh',
          'topology.istio.io/network': 'cluster1',
          'topology.istio.io/cluster': 'cluster1',
          'istio.io/expose-istiod': '15012',
        },
      },
      spec: { gatewayClassName: 'istio-eastwest', listeners: LISTENERS },
    });
    expect(out.cluster1[peerFile('cluster2')]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'istio-remote-peer-cluster2',
        namespace: 'istio-eastwest',
        annotations: {
          'gateway.istio.io/service-account': 'istio-eastwest',
          'gateway.istio.io/trust-domain': 'cluster2',
        },
        labels: {
          'app.kubernetes.io/managed-by': 'spiremesh',
          'topology.istio.io/network': 'cluster2',
          'topology.istio.io/cluster': 'cluster2',
        },
      },
      spec: {
        gatewayClassName: 'istio-remote',
        addresses: [{ type: 'IPAddress', value: '198.51.100.10' }],
        listeners: LISTENERS,
      },
    });
  });

  test('cluster2 holds its east-west Gateway and istio-remote-peer-cluster1', () => {
    expect(Object.keys(out.cluster2).sort()).toEqual([eastWestFile, peerFile('cluster1')]);
    expect(out.cluster2[eastWestFile]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'istio-eastwest',
        namespace: 'istio-eastwest',
        labels: {
          'app.kubernetes.io/managed-by': 'spiremesh',
          'topology.istio.io/network': 'cluster2',
          'topology.istio.io/cluster': 'cluster2',
          'istio.io/expose-istiod': '15012',
        },
      },
      spec: { gatewayClassName: 'istio-eastwest', listeners: LISTENERS },
    });
    expect(out.cluster2[peerFile('cluster1')]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: 'istio-remote-peer-cluster1',
        namespace: 'istio-eastwest',
        annotations: {
          'gateway.istio.io/service-account': 'istio-eastwest',
          'gateway.istio.io/trust-domain': 'cluster1',
        },
        labels: {
          'app.kubernetes.io/managed-by': 'spiremesh',
          'topology.istio.io/network': 'cluster1',
          'topology.istio.io/cluster': 'cluster1',
        },
      },
      spec: {
        gatewayClassName: 'istio-remote',
        addresses: [{ type: 'IPAddress', value: '192.0.2.10' }],
        listeners: LISTENERS,
      },
    });
  });

  test('every Gateway passes the Gateway API v1.4.0 schema, has no allowedRoutes, and its namespace is declared', () => {
    const { app, mesh } = meshWithMulticluster(exampleProps());
    for (const chart of mesh.clusters) {
      const gateways = chart.toJson().filter((o: any) => o.kind === 'Gateway');
      expect(gateways).toHaveLength(2);
      for (const gw of gateways) {
        expect(SchemaRegistry.default().validate(gw)).toEqual([]);
        expect(JSON.stringify(gw)).not.toContain('allowedRoutes');
        // The gate really judges these objects: a misspelt field is caught.
        const typo = { ...gw, spec: { ...gw.spec, gatewayClass: gw.spec.gatewayClassName } };
        expect(
          SchemaRegistry.default()
            .validate(typo)
            .map((v) => v.message)
            .join(),
        ).toContain('gatewayClass');
      }
      expect(chart.namespaces.names).toContain('istio-eastwest');
    }
    expect(app.node.findAll().filter((c) => c instanceof EastWestGateway)).toHaveLength(2);
  });

  test('the east-west network label equals the network the peers put on their remote Gateways (seed 001, network configuration check)', () => {
    expect(out.cluster1[eastWestFile].metadata.labels['topology.istio.io/network']).toBe(
      out.cluster2[peerFile('cluster1')].metadata.labels['topology.istio.io/network'],
    );
    expect(out.cluster2[eastWestFile].metadata.labels['topology.istio.io/network']).toBe(
      out.cluster1[peerFile('cluster2')].metadata.labels['topology.istio.io/network'],
    );
  });
});

describe('link topologies', () => {
  const peersOf = (files: Record<string, any>) =>
    Object.values(files)
      .filter((o) => o.spec.gatewayClassName === 'istio-remote')
      .map((o) => o.metadata.name)
      .sort();
  const eastWestOf = (files: Record<string, any>) => Object.values(files).filter((o) => o.spec.gatewayClassName === 'istio-eastwest');

  test('three clusters with a one-way link (a<->b, c->b): one peer Gateway per link, in the source cluster', () => {
    const out = synthMulticluster(
      unvalidated(
        threeClusters([
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
          { from: 'c', to: 'b' },
        ]),
      ),
    );
    expect(peersOf(out.a)).toEqual(['istio-remote-peer-b']);
    expect(peersOf(out.b)).toEqual(['istio-remote-peer-a']);
    expect(peersOf(out.c)).toEqual(['istio-remote-peer-b']);
    // Every peered cluster is exposed, also c that nobody links to (expose runs on every peered cluster).
    for (const name of ['a', 'b', 'c']) {
      expect(eastWestOf(out[name])).toHaveLength(1);
      expect(eastWestOf(out[name])[0].metadata.labels['topology.istio.io/cluster']).toBe(name);
    }
    expect(Object.keys(out.a)).toHaveLength(2);
    expect(Object.keys(out.b)).toHaveLength(2);
    expect(Object.keys(out.c)).toHaveLength(2);
  });

  test('the same mesh declared through SpireMesh props (validated spec) gives the same objects', () => {
    const props: MeshSpec = {
      name: 'three',
      istio: { license: IstioLicense.fromSecret('solo-istio-license', 'istio-system') },
      clusters: [
        { name: 'a', eastWestAddress: '192.0.2.1' },
        { name: 'b', eastWestAddress: '192.0.2.2' },
        { name: 'c', eastWestAddress: '192.0.2.3' },
      ],
      links: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
        { from: 'c', to: 'b' },
      ],
    };
    const viaProps = synthMulticluster(props);
    const viaModel = synthMulticluster(unvalidated(threeClusters(props.links)));
    expect(viaProps).toEqual(viaModel);
  });

  test('all-to-all by default: every cluster has a peer Gateway for every other cluster', () => {
    const out = synthMulticluster(unvalidated(threeClusters()));
    expect(peersOf(out.a)).toEqual(['istio-remote-peer-b', 'istio-remote-peer-c']);
    expect(peersOf(out.b)).toEqual(['istio-remote-peer-a', 'istio-remote-peer-c']);
    expect(peersOf(out.c)).toEqual(['istio-remote-peer-a', 'istio-remote-peer-b']);
    for (const name of ['a', 'b', 'c']) expect(eastWestOf(out[name])).toHaveLength(1);
  });

  test('a cluster outside every link gets no multicluster objects', () => {
    const out = synthMulticluster(unvalidated(threeClusters([{ from: 'a', to: 'b' }])));
    expect(peersOf(out.a)).toEqual(['istio-remote-peer-b']);
    expect(peersOf(out.b)).toEqual([]);
    expect(eastWestOf(out.b)).toHaveLength(1);
    expect(out.c).toEqual({});
  });

  test('a single-cluster mesh renders nothing', () => {
    const { mesh } = meshWithMulticluster(unvalidated({ name: 'solo', clusters: [{ name: 'only' }] }));
    const mc = mesh.clusters[0].node.findChild('Multicluster') as Multicluster;
    expect(mc.eastWestGateway).toBeUndefined();
    expect(mc.remotePeerGateways).toEqual([]);
    expect(mesh.clusters[0].toJson().filter((o: any) => o.kind === 'Gateway')).toEqual([]);
  });
});

describe('remote peer addresses', () => {
  test.each([
    ['IPv4', 'IPAddress', '203.0.113.7'],
    ['IPv6', 'IPAddress', '2001:db8::7'],
    ['DNS name', 'Hostname', 'eastwest.b.example.com'],
  ])('%s east-west address gives type %s', (_, type, address) => {
    const out = synthMulticluster(unvalidated(threeClusters([{ from: 'a', to: 'b' }], { b: { eastWestAddress: address } })));
    expect(out.a[peerFile('b')].spec.addresses).toEqual([{ type, value: address }]);
  });
});

describe('locality labels', () => {
  test('region and zone go on the east-west Gateway and on the peer Gateways pointing at the cluster, only when given', () => {
    const out = synthMulticluster(
      unvalidated(
        threeClusters(
          [
            { from: 'a', to: 'b' },
            { from: 'b', to: 'a' },
          ],
          {
            a: { region: 'eu-west-1', zone: 'eu-west-1a' },
            b: { region: 'us-east-1' },
          },
        ),
      ),
    );
    const locality = (o: any) =>
      Object.fromEntries(Object.entries(o.metadata.labels).filter(([k]) => k.startsWith('topology.kubernetes.io/')));
    expect(locality(out.a[eastWestFile])).toEqual({
      'topology.kubernetes.io/region': 'eu-west-1',
      'topology.kubernetes.io/zone': 'eu-west-1a',
    });
    expect(locality(out.b[peerFile('a')])).toEqual({
      'topology.kubernetes.io/region': 'eu-west-1',
      'topology.kubernetes.io/zone': 'eu-west-1a',
    });
    expect(locality(out.b[eastWestFile])).toEqual({ 'topology.kubernetes.io/region': 'us-east-1' });
    expect(locality(out.a[peerFile('b')])).toEqual({ 'topology.kubernetes.io/region': 'us-east-1' });
  });
});

describe('NodePort peering', () => {
  test('a NodePort cluster annotates its east-west Gateway, and the peers pointing at it prefer its NodePort', () => {
    const out = synthMulticluster(
      unvalidated(threeClusters(undefined, { b: { eastWestServiceType: 'NodePort' }, a: { eastWestServiceType: 'LoadBalancer' } })),
    );
    expect(out.b[eastWestFile].metadata.annotations).toEqual({
      'networking.istio.io/service-type': 'NodePort',
      'peering.solo.io/data-plane-service-type': 'NodePort',
    });
    expect(out.a[eastWestFile].metadata.annotations).toBeUndefined();
    expect(out.c[eastWestFile].metadata.annotations).toBeUndefined();
    for (const from of ['a', 'c']) {
      expect(out[from][peerFile('b')].metadata.annotations).toEqual({
        'gateway.istio.io/service-account': 'istio-eastwest',
        'gateway.istio.io/trust-domain': 'b',
        'peering.solo.io/preferred-data-plane-service-type': 'NodePort',
      });
    }
    expect(out.b[peerFile('a')].metadata.annotations).not.toHaveProperty(['peering.solo.io/preferred-data-plane-service-type']);
    expect(out.c[peerFile('a')].metadata.annotations).not.toHaveProperty(['peering.solo.io/preferred-data-plane-service-type']);
  });

  test('service types are enum-like values with the spelling Kubernetes uses', () => {
    expect(EastWestServiceType.values()).toEqual(['LoadBalancer', 'NodePort']);
    expect(EastWestServiceType.of('NodePort')).toBe(EastWestServiceType.NODE_PORT);
  });
});

describe('validation', () => {
  test('a link to a cluster without eastWestAddress names the cluster and the fix', () => {
    const e = errorOf(() =>
      meshWithMulticluster(unvalidated(threeClusters([{ from: 'a', to: 'b' }], { b: { eastWestAddress: undefined } }))),
    );
    expect(e.message).toBe(
      "cluster 'b' has no eastWestAddress, so cluster 'a' cannot link to it: set eastWestAddress of cluster 'b' to the load balancer IP or DNS name of its istio-eastwest gateway",
    );
  });

  test('an east-west address that is neither an IP nor a DNS name is refused', () => {
    const e = errorOf(() =>
      meshWithMulticluster(unvalidated(threeClusters([{ from: 'a', to: 'b' }], { b: { eastWestAddress: 'https://b.example.com:15008' } }))),
    );
    expect(e.message).toContain("eastWestAddress of cluster 'b': 'https://b.example.com:15008' is neither an IP address nor a DNS name");
    expect(e.message).toContain('without scheme or port');
  });

  test('a remote peer Gateway from a cluster to itself is refused', () => {
    const { mesh } = meshWithMulticluster(unvalidated(threeClusters([])));
    const a = mesh.model.cluster('a');
    const e = errorOf(() => new RemotePeerGateway(mesh.clusterChart('a'), 'Self', { from: a, to: a }));
    expect(e.message).toBe("link a -> a links cluster 'a' to itself: remove the link; a cluster reaches its own services without peering");
  });

  test('a remote peer Gateway must be created in the link source cluster', () => {
    const { mesh } = meshWithMulticluster(unvalidated(threeClusters([])));
    const e = errorOf(
      () => new RemotePeerGateway(mesh.clusterChart('b'), 'Wrong', { from: mesh.model.cluster('a'), to: mesh.model.cluster('c') }),
    );
    expect(e.message).toBe(
      "remote peer gateway for link a -> c is created in cluster 'b': create it in cluster 'a' (the peer Gateway lives in the link's source cluster)",
    );
  });

  test('the gateways must live inside a MeshCluster', () => {
    const app = new App();
    expect(errorOf(() => new EastWestGateway(new Construct(app, 'loose'), 'EW')).message).toContain('is not inside a MeshCluster');
  });

  test('a linked ambient cluster on community istio is refused (no expose/link there; upstream links sidecar clusters)', () => {
    const e = errorOf(() => meshWithMulticluster(unvalidated({ ...threeClusters(), istio: { distribution: 'upstream' } })));
    expect(e.message).toBe(
      "cluster 'a' is linked and ambient, but istio distribution 'upstream' links only sidecar clusters (multi-primary on different networks): set dataplaneMode 'sidecar' on every linked cluster, use IstioDistribution.SOLO for ambient peering, or remove the links",
    );
  });
});

describe('construct API', () => {
  test('components expose their gateways; names come from one place', () => {
    const { mesh } = meshWithMulticluster(exampleProps());
    const mc = mesh.clusterChart('cluster1').node.findChild('Multicluster') as Multicluster;
    expect(mc.componentName).toBe('multicluster');
    expect(mc.eastWestGateway!.resource.name).toBe(EASTWEST_GATEWAY_NAME);
    expect(mc.eastWestGateway!.serviceType).toBe(EastWestServiceType.LOAD_BALANCER);
    expect(mc.remotePeerGateways.map((g) => g.resource.name)).toEqual([remotePeerGatewayName('cluster2')]);
    expect(mc.remotePeerGateways[0].to.name).toBe('cluster2');
    expect(mc.eastWestGateway!.node.defaultChild).toBe(mc.eastWestGateway!.resource);
  });

  test('two synths give byte-identical multicluster files', () => {
    const run = () => {
      const { app } = meshWithMulticluster(exampleProps());
      const outdir = tempDir();
      synthesize(app, { outdir, baseDir: TEST_PROJECT });
      return readTree(outdir);
    };
    const a = run();
    expect(run()).toEqual(a);
    expect(Object.keys(a).filter((f) => f.includes('/multicluster/'))).toHaveLength(4);
  });
});
