import { MeshSpecDocument, SpecValidationError, formatSpecPath, resolveMeshSpec, validateMeshSpec } from '../../lib';
import { meshDocument } from '../helpers';

/** Problems of a document as `path: message` strings. */
function problems(doc: unknown): string[] {
  return validateMeshSpec(doc).map((p) => `${formatSpecPath(p.path)}: ${p.message}`);
}

function withClusters(mutate: (doc: MeshSpecDocument) => void, n = 2): MeshSpecDocument {
  const doc = meshDocument(n);
  mutate(doc);
  return doc;
}

describe('mesh spec validation', () => {
  test('a valid document has no problems', () => {
    expect(validateMeshSpec(meshDocument(3))).toEqual([]);
  });

  test('cluster names must be DNS-1123 labels', () => {
    const found = validateMeshSpec(
      withClusters((d) => {
        d.clusters[1].name = 'Cluster_2';
      }),
    );
    expect(found).toHaveLength(1);
    expect(formatSpecPath(found[0].path)).toBe('clusters[1].name');
    expect(found[0].message).toContain("'Cluster_2' is not a DNS-1123 label");
    expect(found[0].fix).toContain("'cluster-2'");
  });

  test('context names with underscores are refused (they break certificate SANs, seed 000)', () => {
    const found = validateMeshSpec(
      withClusters((d) => {
        d.clusters[0].context = 'gke_proj_zone_c1';
      }),
    );
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['clusters[0].context']);
    expect(found[0].message).toContain('SAN');
    expect(found[0].fix).toContain('kubectl config rename-context gke_proj_zone_c1 gke-proj-zone-c1');
  });

  test.each([
    ['Cluster1', 'not a valid SPIFFE trust domain name'],
    ['spiffe://cluster1', 'is a SPIFFE ID, not a trust domain name'],
    ['cluster1:8443', 'not a valid SPIFFE trust domain name'],
  ])('trust domain %s is refused', (td, message) => {
    const found = validateMeshSpec(
      withClusters((d) => {
        d.clusters[1].trustDomain = td;
      }),
    );
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['clusters[1].trustDomain']);
    expect(found[0].message).toContain(message);
  });

  test('duplicate cluster names, contexts and networks are refused', () => {
    expect(
      problems(
        withClusters((d) => {
          d.clusters[2].name = 'c1';
        }, 3),
      ),
    ).toEqual(expect.arrayContaining(["clusters[2].name: cluster name 'c1' is already used by clusters[0]"]));
    expect(
      problems(
        withClusters((d) => {
          d.clusters[0].context = 'prod';
          d.clusters[1].context = 'prod';
        }),
      ),
    ).toEqual(["clusters[1].context: kube context 'prod' is already used by clusters[0]"]);
    expect(
      problems(
        withClusters((d) => {
          d.clusters[0].network = 'net';
          d.clusters[1].network = 'net';
        }),
      ),
    ).toEqual(["clusters[1].network: network 'net' is already used by clusters[0]"]);
  });

  test('a network defaulting to the cluster name collides with an explicit one', () => {
    expect(
      problems(
        withClusters((d) => {
          d.clusters[1].network = 'c1';
        }),
      ),
    ).toEqual(["clusters[1].network: network 'c1' is already used by clusters[0]"]);
  });

  test('links to unknown clusters, to oneself, and duplicate links are refused', () => {
    const doc = withClusters((d) => {
      d.links = [
        { from: 'c1', to: 'c2' },
        { from: 'c1', to: 'c9' },
        { from: 'c2', to: 'c2' },
        { from: 'c1', to: 'c2' },
      ];
    });
    expect(problems(doc)).toEqual([
      "links[1].to: link to unknown cluster 'c9'",
      "links[2]: cluster 'c2' is linked to itself",
      'links[3]: link c1 -> c2 duplicates links[0]',
    ]);
  });

  test('every link target needs an east-west address; link sources do not', () => {
    const oneWay = withClusters((d) => {
      d.links = [{ from: 'c1', to: 'c2' }];
      delete d.clusters[0].eastWestAddress;
      delete d.clusters[1].eastWestAddress;
    });
    const found = validateMeshSpec(oneWay);
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['clusters[1].eastWestAddress']);
    expect(found[0].message).toBe("cluster 'c2' is linked to by another cluster but has no east-west gateway address");
    // All-to-all (no links declared): every cluster is a target.
    const allToAll = withClusters((d) => {
      delete d.clusters[0].eastWestAddress;
    });
    expect(problems(allToAll)).toEqual([
      "clusters[0].eastWestAddress: cluster 'c1' is linked to by another cluster but has no east-west gateway address",
    ]);
    // A single cluster needs none.
    expect(validateMeshSpec({ name: 'solo', clusters: [{ name: 'only' }] })).toEqual([]);
  });

  test('east-west addresses must be IPs or DNS names', () => {
    expect(
      problems(
        withClusters((d) => {
          d.clusters[0].eastWestAddress = 'https://gw.example.com:15008';
        }),
      ),
    ).toEqual(["clusters[0].eastWestAddress: east-west address 'https://gw.example.com:15008' is neither an IP address nor a DNS name"]);
    expect(
      validateMeshSpec(
        withClusters((d) => {
          d.clusters[0].eastWestAddress = 'eastwest.cluster1.example.com';
          d.clusters[1].eastWestAddress = '2001:db8::10';
        }),
      ),
    ).toEqual([]);
  });

  test('Solo istio 1.28 and earlier needs a repo key (seed 001)', () => {
    const found = validateMeshSpec(
      withClusters((d) => {
        d.istio = { version: '1.28.2' };
      }),
    );
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['istio.repoKey']);
    expect(found[0].message).toContain('needs the 12-character repo key');
    expect(
      validateMeshSpec(
        withClusters((d) => {
          d.istio = { version: '1.28.2', repoKey: 'abcdef123456' };
        }),
      ),
    ).toEqual([]);
    expect(
      problems(
        withClusters((d) => {
          d.istio = { version: '1.28.2', repoKey: 'short' };
        }),
      ),
    ).toEqual(["istio.repoKey: repo key 'short' is not 12 lowercase letters or digits"]);
  });

  test('ambient with upstream istio is refused (no SPIRE support in community ztunnel)', () => {
    const found = validateMeshSpec({ name: 'm', istio: { distribution: 'upstream' }, clusters: [{ name: 'a' }] });
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['clusters[0].dataplaneMode']);
    expect(
      validateMeshSpec({ name: 'm', istio: { distribution: 'upstream' }, clusters: [{ name: 'a', dataplaneMode: 'sidecar' }] }),
    ).toEqual([]);
  });

  test('unknown fields are refused with a did-you-mean hint', () => {
    const found = validateMeshSpec({ name: 'm', clusters: [{ name: 'a', trustdomain: 'a' }] });
    expect(found).toHaveLength(1);
    expect(formatSpecPath(found[0].path)).toBe('clusters[0].trustdomain');
    expect(found[0].message).toBe("unknown field 'trustdomain'");
    expect(found[0].fix).toBe("did you mean 'trustDomain'?");
  });

  test('enum values list the allowed choices', () => {
    const found = validateMeshSpec({ name: 'm', clusters: [{ name: 'a', dataplaneMode: 'ambiant' }] });
    expect(found[0].fix).toBe('use one of: ambient, sidecar');
  });

  test('delivery options of another mode and missing required options are refused', () => {
    expect(problems({ name: 'm', clusters: [{ name: 'a' }], pki: { delivery: { mode: 'kubectl', clusterSecretStore: 'vault' } } })).toEqual(
      ["pki.delivery.clusterSecretStore: 'clusterSecretStore' applies to CA delivery mode 'external-secrets', not 'kubectl'"],
    );
    expect(problems({ name: 'm', clusters: [{ name: 'a' }], pki: { delivery: { mode: 'external-secrets' } } })).toEqual([
      "pki.delivery.clusterSecretStore: mode 'external-secrets' needs 'clusterSecretStore'",
    ]);
  });

  test('key folders inside committed folders are refused', () => {
    expect(problems({ name: 'm', clusters: [{ name: 'a' }], pki: { keyDirectory: 'pki/keys' } })).toEqual([
      "pki.keyDirectory: key folder 'pki/keys' lies inside a committed folder ('pki' or 'dist')",
    ]);
    expect(
      problems({ name: 'm', clusters: [{ name: 'a' }], pki: { delivery: { mode: 'kubectl', outputDirectory: 'dist/secrets' } } }),
    ).toEqual(["pki.delivery.outputDirectory: 'dist/secrets' is inside dist/, which is committed: the Secret manifests hold private keys"]);
  });

  test('resolveMeshSpec throws one error listing every problem with its fix', () => {
    const doc = {
      name: 'Bad Mesh',
      clusters: [
        { name: 'a', trustDomain: 'A', eastWestAddress: '192.0.2.1' },
        { name: 'a', eastWestAddress: '192.0.2.2' },
      ],
    };
    const e = (() => {
      try {
        resolveMeshSpec(doc, 'inline');
      } catch (err) {
        return err as SpecValidationError;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.problems.map((p) => formatSpecPath(p.path))).toEqual(['name', 'clusters[0].trustDomain', 'clusters[1].name']);
    expect(e.message).toMatch(/^mesh spec inline has 3 problems; nothing was written:/);
    expect(e.message).toContain('fix:');
  });
});
