/**
 * The mesh check of upstream Istio's multi-network sidecar mesh (lib/app/check-upstream-multinetwork.ts): the rendered
 * mesh passes, the Solo peering checks stay out, and each upstream fact that breaks gives its finding.
 */
import { App } from 'cdk8s';
import { CheckFinding, Istio, MeshSpec, SpireMesh, checkMesh, collectObjects, federateBothWays, formatCheckFinding } from '../../lib';
import { mergeValues } from '../../lib/istio';
import { UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID } from '../../lib/multicluster';
import { sidecar, upstreamMesh } from './upstream-fixtures';

interface Tamper {
  /** Rewrites the rendered objects of a cluster. */
  readonly manifests?: (cluster: string, manifests: any[]) => any[];
  /** Overrides istiod values of a cluster. */
  readonly istiod?: Record<string, object>;
  /** Rewrites the delivered releases of a cluster. */
  readonly releases?: (cluster: string, releases: any[]) => any[];
  /** Leaves out the releases (as an input without them). */
  readonly noReleases?: boolean;
}

function findings(props: MeshSpec, tamper: Tamper = {}): CheckFinding[] {
  const app = new App();
  const mesh = new SpireMesh(app, 'mesh', props);
  const objects = collectObjects(app).objects;
  return checkMesh({
    mesh: mesh.model,
    clusters: mesh.clusters.map((c) => {
      const name = c.cluster.name;
      const istio = Istio.of(c)!.releases;
      const override = tamper.istiod?.[name];
      const manifests = objects.filter((o) => o.cluster === name).map((o) => JSON.parse(JSON.stringify(o.manifest)));
      return {
        cluster: c.cluster,
        manifests: tamper.manifests ? tamper.manifests(name, manifests) : manifests,
        istio: override ? { ...istio, istiod: { ...istio.istiod, values: mergeValues(istio.istiod.values, override) } } : istio,
        ...(tamper.noReleases ? {} : { releases: tamper.releases ? tamper.releases(name, [...c.delivery.releases]) : c.delivery.releases }),
      };
    }),
  });
}

const errors = (f: CheckFinding[]) => f.filter((x) => x.severity === 'error').map(formatCheckFinding);

const withStore = () => upstreamMesh({ remoteSecretStore: 'cluster-credentials' });

describe('upstream multi-network check', () => {
  test('the rendered mesh passes, with or without a remote-secret store; no Solo peering finding applies', () => {
    for (const props of [withStore(), upstreamMesh()]) {
      const all = findings(props);
      expect(errors(all)).toEqual([]);
      const checks = new Set(all.map((f) => f.check));
      expect(checks).not.toContain('Incompatible Environment Variable Check');
      expect(checks).not.toContain('License Check');
      // No istio/istio#57878 warning: that is sidecars under ambient (Solo) peering, not the classic gateway.
      expect(all.filter((f) => f.message.includes('57878'))).toEqual([]);
    }
  });

  test('the network label, network, cluster name and mesh ID are checked', () => {
    const found = errors(
      findings(withStore(), {
        manifests: (cluster, manifests) =>
          cluster === 'cluster1'
            ? manifests.map((m) =>
                m.kind === 'Namespace' && m.metadata.name === 'istio-system' ? { ...m, metadata: { name: 'istio-system' } } : m,
              )
            : manifests,
        istiod: { cluster2: { global: { network: 'other', multiCluster: { clusterName: 'c2' }, meshID: 'mesh2' } } },
      }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          "cluster cluster1: Namespace istio-system label topology.istio.io/network: is missing; expected 'cluster1': istiod reads the network of the cluster's workloads from it",
        ),
        expect.stringContaining("cluster cluster2: istiod values of cluster2: global.network: is 'other'; expected 'cluster2'"),
        expect.stringContaining(
          "cluster cluster2: istiod values of cluster2: global.multiCluster.clusterName: is 'c2'; expected 'cluster2'",
        ),
        expect.stringContaining(
          "cluster cluster2: istiod values of cluster2: global.meshID: is 'mesh2'; expected 'community': every cluster of a multi-primary mesh needs the same mesh ID",
        ),
      ]),
    );
    expect(found).toHaveLength(4);
  });

  test('meshNetworks must name the declared gateway address of each cluster read', () => {
    const found = errors(
      findings(withStore(), {
        istiod: { cluster1: { global: { meshNetworks: { cluster2: { gateways: [{ address: '203.0.113.9', port: 15443 }] } } } } },
      }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      "cluster cluster1: istiod values of cluster1: global.meshNetworks.cluster2.gateways: do not name cluster2's east-west gateway eastwest.cluster2.example.org:15443",
    );
  });

  test('the cross-network Gateway: missing, wrong selector, no AUTO_PASSTHROUGH server', () => {
    const drop = (cluster: string, manifests: any[]) =>
      cluster === 'cluster1' ? manifests.filter((m) => m.kind !== 'Gateway') : manifests;
    expect(errors(findings(withStore(), { manifests: drop }))).toEqual([
      expect.stringContaining(
        "cluster cluster1: Gateway istio-system/cross-network-gateway: is missing: the east-west gateway does not expose the cluster's services to other networks",
      ),
    ]);
    const broken = (cluster: string, manifests: any[]) =>
      manifests.map((m) =>
        cluster === 'cluster2' && m.kind === 'Gateway'
          ? { ...m, spec: { selector: { istio: 'ingressgateway' }, servers: [{ ...m.spec.servers[0], tls: { mode: 'PASSTHROUGH' } }] } }
          : m,
      );
    const found = errors(findings(withStore(), { manifests: broken }));
    expect(found).toHaveLength(2);
    expect(found[0]).toContain(
      'cluster cluster2: Gateway istio-system/cross-network-gateway selector: selects {"istio":"ingressgateway"}, not the east-west gateway\'s pods (istio: eastwestgateway)',
    );
    expect(found[1]).toContain(
      'cluster cluster2: Gateway istio-system/cross-network-gateway servers: has no server on port 15443 (TLS, AUTO_PASSTHROUGH, hosts *.local)',
    );
  });

  test('the east-west gateway release: missing, or for another network (read only when the releases are given)', () => {
    const without = (cluster: string, releases: any[]) =>
      cluster === 'cluster1' ? releases.filter((r) => r.id !== UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID) : releases;
    expect(errors(findings(withStore(), { releases: without }))).toEqual([
      expect.stringContaining(
        'cluster cluster1: release istio-eastwestgateway: no east-west gateway is delivered, so no other network can reach this cluster',
      ),
    ]);
    const other = (cluster: string, releases: any[]) =>
      releases.map((r) =>
        cluster === 'cluster2' && r.id === UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID
          ? { ...r, values: { ...r.values, networkGateway: 'cluster1' } }
          : r,
      );
    expect(errors(findings(withStore(), { releases: other }))).toEqual([
      expect.stringContaining("cluster cluster2: release istio-eastwestgateway: networkGateway: is 'cluster1'; expected 'cluster2'"),
    ]);
    expect(errors(findings(withStore(), { noReleases: true, releases: without }))).toEqual([]);
  });

  test('remote secrets: missing with a store; a rendered one that istiod would not read', () => {
    const drop = (cluster: string, manifests: any[]) =>
      cluster === 'cluster2' ? manifests.filter((m) => m.kind !== 'ExternalSecret') : manifests;
    expect(errors(findings(withStore(), { manifests: drop }))).toEqual([
      expect.stringContaining(
        'cluster cluster2: ExternalSecret istio-system/istio-remote-secret-cluster1: is missing, so istiod of cluster2 cannot discover the endpoints of cluster1',
      ),
    ]);
    const unlabelled = (cluster: string, manifests: any[]) =>
      manifests.map((m) =>
        cluster === 'cluster1' && m.kind === 'ExternalSecret'
          ? { ...m, spec: { ...m.spec, target: { name: m.spec.target.name }, data: [{ ...m.spec.data[0], secretKey: 'kubeconfig' }] } }
          : m,
      );
    const found = errors(findings(withStore(), { manifests: unlabelled }));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      'cluster cluster1: ExternalSecret istio-system/istio-remote-secret-cluster2: the Secret it builds lacks label istio/multiCluster: "true" (istiod selects remote secrets by it); annotation networking.istio.io/cluster: cluster2; exactly one data key, \'cluster2\'',
    );
    expect(found[0]).toContain('istioctl create-remote-secret --context=ctx-two --name=cluster2 | kubectl apply --context=ctx-one -f -');
  });

  test('linked clusters with different trust domains must federate both ways and alias each other', () => {
    const props = (extra: Partial<MeshSpec> = {}): MeshSpec =>
      upstreamMesh({
        clusters: [
          sidecar('foo', { trustDomain: 'foo.com', eastWestAddress: '192.0.2.10' }),
          sidecar('bar', { trustDomain: 'bar.com', eastWestAddress: '198.51.100.10' }),
        ],
        links: [{ from: 'foo', to: 'bar' }],
        ...extra,
      });
    const trust = (f: CheckFinding[]) => errors(f.filter((x) => x.check === 'Trust Domain Check'));
    const bundles = (f: CheckFinding[]) => trust(f).filter((l) => l.includes('does not federate'));
    expect(bundles(findings(props()))).toEqual([
      expect.stringContaining(
        'trust domain foo.com: does not federate with bar.com, so its workloads reject the certificates of bar.com on calls over link foo -> bar',
      ),
      expect.stringContaining(
        'trust domain bar.com: does not federate with foo.com, so its workloads reject the certificates of foo.com on calls over link foo -> bar',
      ),
    ]);
    expect(bundles(findings(props({ federation: { relations: [{ trustDomain: 'foo.com', federatesWith: 'bar.com' }] } })))).toEqual([
      expect.stringContaining('trust domain bar.com: does not federate with foo.com'),
    ]);
    // istiod's trustDomainAliases must name the other end's trust domain, on both ends of the link.
    const federated = props({ federation: { relations: federateBothWays('foo.com', 'bar.com') } });
    const aliases = (foo: string[], bar: string[]) => ({
      istiod: { foo: { meshConfig: { trustDomainAliases: foo } }, bar: { meshConfig: { trustDomainAliases: bar } } },
    });
    expect(trust(findings(federated, aliases(['bar.com'], ['foo.com'])))).toEqual([]);
    expect(trust(findings(federated, aliases(['bar.com'], []))).map((l) => l.replace(/ \(fix:.*$/, ''))).toEqual([
      "error [Trust Domain Check] cluster bar: istiod values of bar: meshConfig.trustDomainAliases: do not name foo.com, the trust domain of linked cluster foo: bar's sidecars expect spiffe://bar.com/... of foo's workloads and refuse their spiffe://foo.com/... certificates",
    ]);
    // The Solo warning about ambient multi-network with different trust domains does not apply.
    expect(findings(props()).filter((f) => f.message.includes('peer did not present the expected SAN'))).toEqual([]);
  });
});
