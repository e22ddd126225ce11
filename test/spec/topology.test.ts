// Spec rules of ingress gateways, istio-cni, SPIRE bundle endpoints, federation and the durations they depend on.
import {
  CaDelivery,
  DataplaneMode,
  GatewayServiceType,
  federateBothWays,
  formatSpecPath,
  resolveMeshProps,
  toMeshSpecDocument,
  validateMeshSpec,
  type MeshSpec,
} from '../../lib';

const base: MeshSpec = {
  name: 'fed',
  clusters: [
    { name: 'one', trustDomain: 'foo.com', dataplaneMode: DataplaneMode.SIDECAR, spireBundleEndpointAddress: '192.0.2.1' },
    { name: 'two', trustDomain: 'bar.com', dataplaneMode: DataplaneMode.SIDECAR, spireBundleEndpointAddress: 'spire.bar.example.com' },
  ],
  links: [],
  federation: { relations: federateBothWays('foo.com', 'bar.com') },
};

function problems(spec: MeshSpec): string[] {
  return validateMeshSpec(toMeshSpecDocument(spec)).map((p) => `${formatSpecPath(p.path)}: ${p.message}`);
}

describe('topology rules', () => {
  test('the seed 002 shape is valid, and resolves with defaults', () => {
    expect(problems(base)).toEqual([]);
    const model = resolveMeshProps(
      { ...base, clusters: [{ ...base.clusters[0], ingressGateways: [{ name: 'istio-ingressgateway' }] }, base.clusters[1]] },
      'test',
    );
    expect(model.federation).toMatchObject({ bundleRefreshHint: '5m', bundleEndpointServiceType: GatewayServiceType.LOAD_BALANCER });
    expect(model.federatesWith('foo.com')).toEqual(['bar.com']);
    expect(model.clusters[0].istioCni).toBe(false);
    expect(model.clusters[0].ingressGateways[0]).toEqual({
      name: 'istio-ingressgateway',
      namespace: 'istio-ingress',
      serviceType: GatewayServiceType.LOAD_BALANCER,
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021 },
        { name: 'http2', port: 80, targetPort: 80 },
        { name: 'https', port: 443, targetPort: 443 },
      ],
    });
    expect(model.clusters[0].spireServerSpiffeId).toBe('spiffe://foo.com/spire/server');
  });

  test('federation without relations is all-to-all between the distinct trust domains', () => {
    const model = resolveMeshProps({ ...base, federation: {} }, 'test');
    expect(model.federation?.relations).toEqual([
      { trustDomain: 'bar.com', federatesWith: 'foo.com' },
      { trustDomain: 'foo.com', federatesWith: 'bar.com' },
    ]);
  });

  test.each<[string, (s: MeshSpec) => MeshSpec, string]>([
    [
      'ambient without istio-cni',
      (s) => ({ ...s, clusters: [{ ...s.clusters[0], dataplaneMode: DataplaneMode.AMBIENT, istioCni: false }, s.clusters[1]] }),
      'clusters[0].istioCni: ambient clusters need istio-cni',
    ],
    [
      'an IP-looking bundle endpoint address',
      (s) => ({ ...s, clusters: [{ ...s.clusters[0], spireBundleEndpointAddress: '999.1.1.1' }, s.clusters[1]] }),
      "clusters[0].spireBundleEndpointAddress: SPIRE bundle endpoint address '999.1.1.1' looks like an IP address",
    ],
    [
      'a relation to an unknown trust domain',
      (s) => ({ ...s, federation: { relations: [{ trustDomain: 'foo.com', federatesWith: 'baz.com' }] } }),
      "federation.relations[0].federatesWith: 'baz.com' is not the trust domain of any cluster",
    ],
    [
      'a trust domain federating with itself',
      (s) => ({ ...s, federation: { relations: [{ trustDomain: 'foo.com', federatesWith: 'foo.com' }] } }),
      "federation.relations[0]: trust domain 'foo.com' federates with itself",
    ],
    [
      'a duplicate relation',
      (s) => ({
        ...s,
        federation: { relations: [...federateBothWays('foo.com', 'bar.com'), { trustDomain: 'foo.com', federatesWith: 'bar.com' }] },
      }),
      'federation.relations[2]: relation foo.com -> bar.com duplicates relations[0]',
    ],
    [
      'federation with one trust domain',
      (s) => ({ ...s, clusters: s.clusters.map((c) => ({ ...c, trustDomain: 'foo.com' })), federation: {} }),
      "federation: federation needs at least two trust domains; the mesh has only 'foo.com'",
    ],
    [
      'a refresh hint that is no duration',
      (s) => ({ ...s, federation: { bundleRefreshHint: 'often' } }),
      "federation.bundleRefreshHint: 'often' is not a duration",
    ],
    ['a CA TTL that is no duration', (s) => ({ ...s, spire: { caTtl: '1 day' } }), "spire.caTtl: '1 day' is not a duration"],
    [
      'two ingress gateways with one name',
      (s) => ({
        ...s,
        clusters: [{ ...s.clusters[0], ingressGateways: [{ name: 'in' }, { name: 'in', namespace: 'istio-ingress' }] }, s.clusters[1]],
      }),
      "clusters[0].ingressGateways[1].name: ingress gateway 'istio-ingress/in' is already declared at ingressGateways[0]",
    ],
    [
      'a gateway name longer than a Helm release name',
      (s) => ({ ...s, clusters: [{ ...s.clusters[0], ingressGateways: [{ name: 'g'.repeat(54) }] }, s.clusters[1]] }),
      'is longer than 53 characters, the longest Helm release name',
    ],
    [
      'a gateway port on the status port',
      (s) => ({
        ...s,
        clusters: [{ ...s.clusters[0], ingressGateways: [{ name: 'in', ports: [{ name: 'web', port: 15021 }] }] }, s.clusters[1]],
      }),
      "clusters[0].ingressGateways[0].ports[0].port: port 15021 is the gateway's status-port",
    ],
    [
      'a gateway port used twice',
      (s) => ({
        ...s,
        clusters: [
          {
            ...s.clusters[0],
            ingressGateways: [
              {
                name: 'in',
                ports: [
                  { name: 'a', port: 8080 },
                  { name: 'b', port: 8080 },
                ],
              },
            ],
          },
          s.clusters[1],
        ],
      }),
      'clusters[0].ingressGateways[0].ports[1].port: port 8080 is used twice',
    ],
    [
      'an istiod CA renewed before its whole lifetime',
      (s) => ({
        ...s,
        pki: { delivery: CaDelivery.certManager({ issuerName: 'root', istiodCaDuration: '720h', istiodCaRenewBefore: '720h' }) },
      }),
      'pki.delivery.istiodCaRenewBefore: renewBefore 720h is not shorter than the duration 720h',
    ],
    [
      'an istiod CA shorter than cert-manager accepts',
      (s) => ({ ...s, pki: { delivery: CaDelivery.certManager({ issuerName: 'root', istiodCaDuration: '30m' }) } }),
      'pki.delivery.istiodCaDuration: duration 30m is under 1h, which cert-manager refuses',
    ],
  ])('%s is refused with its message', (_, change, expected) => {
    expect(problems(change(base)).join('\n')).toContain(expected);
  });

  test('the same problems come from the YAML form (the document round trip keeps every new field)', () => {
    const spec: MeshSpec = {
      ...base,
      clusters: [
        {
          ...base.clusters[0],
          istioCni: true,
          ingressGateways: [
            { name: 'in', serviceType: GatewayServiceType.NODE_PORT, ports: [{ name: 'https', port: 443, targetPort: 8443 }] },
          ],
        },
        base.clusters[1],
      ],
      spire: { caTtl: '48h' },
      federation: { ...base.federation, bundleRefreshHint: '10m', bundleEndpointServiceType: GatewayServiceType.NODE_PORT },
    };
    const doc = toMeshSpecDocument(spec);
    expect(doc.clusters[0]).toMatchObject({
      istioCni: true,
      ingressGateways: [{ name: 'in', serviceType: 'NodePort', ports: [{ name: 'https', port: 443, targetPort: 8443 }] }],
    });
    expect(doc.federation).toEqual({
      relations: federateBothWays('foo.com', 'bar.com'),
      bundleRefreshHint: '10m',
      bundleEndpointServiceType: 'NodePort',
    });
    expect(doc.spire).toEqual({ caTtl: '48h' });
    expect(validateMeshSpec(doc)).toEqual([]);
  });
});
