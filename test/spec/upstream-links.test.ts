/**
 * Link rules of community Istio: links between sidecar clusters are multi-primary on different networks; linked
 * ambient clusters stay refused; the east-west address is optional (istiod discovers the gateway) and refused where it
 * cannot be used; `remoteSecretStore` is typed, in the YAML schema and validated.
 */
import { MeshSpecDocument, formatSpecPath, meshPropsFromDocument, toMeshSpecDocument, validateMeshSpec } from '../../lib/spec';

const upstream = (clusters: MeshSpecDocument['clusters'], extra: Partial<MeshSpecDocument> = {}): MeshSpecDocument => ({
  name: 'community',
  istio: { distribution: 'upstream' },
  clusters,
  ...extra,
});

const lines = (doc: unknown) => validateMeshSpec(doc).map((p) => `${formatSpecPath(p.path)}: ${p.message}`);

describe('links of community istio', () => {
  test('sidecar clusters may be linked, all-to-all or one-way, with or without east-west addresses', () => {
    expect(
      validateMeshSpec(
        upstream([
          { name: 'a', dataplaneMode: 'sidecar' },
          { name: 'b', dataplaneMode: 'sidecar' },
        ]),
      ),
    ).toEqual([]);
    expect(
      validateMeshSpec(
        upstream(
          [
            { name: 'a', dataplaneMode: 'sidecar', eastWestAddress: '192.0.2.1' },
            { name: 'b', dataplaneMode: 'sidecar', eastWestAddress: 'eastwest.b.example.org' },
            { name: 'c', dataplaneMode: 'sidecar' },
          ],
          {
            links: [
              { from: 'a', to: 'b' },
              { from: 'c', to: 'a' },
            ],
          },
        ),
      ),
    ).toEqual([]);
  });

  test('a linked ambient cluster is refused with the reason and the fix (next to the general ambient rule)', () => {
    const found = validateMeshSpec(upstream([{ name: 'a', dataplaneMode: 'sidecar' }, { name: 'b' }]));
    const link = found.filter((p) => formatSpecPath(p.path) === 'istio.distribution');
    expect(link).toEqual([
      {
        path: ['istio', 'distribution'],
        message:
          "links of community istio are rendered as multi-primary on different networks (the classic east-west gateway on port 15443), which links sidecar clusters only, but 'b' is ambient: peering ambient clusters needs Solo's istioctl multicluster expose/link",
        fix: "set istio.distribution to 'solo', or set dataplaneMode 'sidecar' on b, or remove their links",
      },
    ]);
    expect(found.map((p) => formatSpecPath(p.path))).toContain('clusters[1].dataplaneMode');
  });

  test('an ambient cluster that is not linked gets only the general ambient rule', () => {
    const found = validateMeshSpec(
      upstream([{ name: 'a', dataplaneMode: 'sidecar' }, { name: 'b', dataplaneMode: 'sidecar' }, { name: 'c' }], {
        links: [{ from: 'a', to: 'b' }],
      }),
    );
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['clusters[2].dataplaneMode']);
  });

  test('Solo links still need the target east-west address', () => {
    expect(
      lines({
        name: 'solo',
        istio: { license: { secretName: 'l', secretNamespace: 'istio-system' } },
        clusters: [{ name: 'a', eastWestAddress: '192.0.2.1' }, { name: 'b' }],
      }),
    ).toEqual(["clusters[1].eastWestAddress: cluster 'b' is linked to by another cluster but has no east-west gateway address"]);
  });

  test('an east-west address of an upstream NodePort gateway is refused as unused', () => {
    const found = validateMeshSpec(
      upstream([
        { name: 'a', dataplaneMode: 'sidecar' },
        { name: 'b', dataplaneMode: 'sidecar', eastWestServiceType: 'NodePort', eastWestAddress: '192.0.2.2' },
      ]),
    );
    expect(found).toEqual([
      {
        path: ['clusters', 1, 'eastWestAddress'],
        message:
          "eastWestAddress '192.0.2.2' of cluster 'b' is not used: with upstream istio, a NodePort east-west gateway is found by istiod from its nodes' addresses and node port (annotation traffic.istio.io/nodeSelector), and meshNetworks cannot name a node port",
        fix: "remove clusters[1].eastWestAddress, or set clusters[1].eastWestServiceType to 'LoadBalancer'",
      },
    ]);
    expect(
      validateMeshSpec(
        upstream([
          { name: 'a', dataplaneMode: 'sidecar' },
          { name: 'b', dataplaneMode: 'sidecar', eastWestServiceType: 'NodePort' },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('remoteSecretStore', () => {
  const linked = [
    { name: 'a', dataplaneMode: 'sidecar' },
    { name: 'b', dataplaneMode: 'sidecar' },
  ];

  test('accepted on a linked upstream mesh; round-trips between props and document', () => {
    const doc = upstream(linked, { remoteSecretStore: 'cluster-credentials' });
    expect(validateMeshSpec(doc)).toEqual([]);
    const props = meshPropsFromDocument(doc);
    expect(props.remoteSecretStore).toBe('cluster-credentials');
    expect(toMeshSpecDocument(props).remoteSecretStore).toBe('cluster-credentials');
  });

  test('the schema: a string, not empty', () => {
    expect(lines(upstream(linked, { remoteSecretStore: 42 as unknown as string }))).toEqual(['remoteSecretStore: must be of type string']);
    expect(lines(upstream(linked, { remoteSecretStore: '' }))).toEqual([expect.stringMatching(/^remoteSecretStore: /)]);
  });

  test('a name that is no DNS-1123 subdomain is refused', () => {
    expect(validateMeshSpec(upstream(linked, { remoteSecretStore: 'Cluster_Credentials' }))).toEqual([
      {
        path: ['remoteSecretStore'],
        message: "ClusterSecretStore name 'Cluster_Credentials' is not a DNS-1123 subdomain",
        fix: "use the metadata.name of the ClusterSecretStore that holds the remote-secret kubeconfigs, e.g. 'cluster-credentials'",
      },
    ]);
  });

  test('refused with Solo (peering reads no remote secrets) and without links', () => {
    expect(
      validateMeshSpec({
        name: 'solo',
        istio: { license: { secretName: 'l', secretNamespace: 'istio-system' } },
        remoteSecretStore: 'cluster-credentials',
        clusters: [
          { name: 'a', eastWestAddress: '192.0.2.1' },
          { name: 'b', eastWestAddress: '192.0.2.2' },
        ],
      }),
    ).toEqual([
      {
        path: ['remoteSecretStore'],
        message:
          'remote secrets are for community istio: Solo peering discovers other clusters through their east-west gateways, and istiod ignores remote secrets (DISABLE_LEGACY_MULTICLUSTER)',
        fix: "remove remoteSecretStore, or set istio.distribution to 'upstream'",
      },
    ]);
    expect(validateMeshSpec(upstream([{ name: 'a', dataplaneMode: 'sidecar' }], { remoteSecretStore: 'cluster-credentials' }))).toEqual([
      {
        path: ['remoteSecretStore'],
        message: 'no cluster links to another cluster, so no istiod reads a remote secret',
        fix: 'remove remoteSecretStore, or declare links between the clusters',
      },
    ]);
  });
});
