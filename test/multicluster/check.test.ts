/**
 * The static multicluster check: each check triggered by a spec (or an escape-hatch override)
 * that breaks it, with its message; an error stops synthesis and leaves dist/ untouched.
 */
import { ApiObject, App, JsonPatch } from 'cdk8s';
import {
  CheckFinding,
  SpireMesh,
  MeshSpec,
  SynthesisError,
  Istio,
  checkMesh,
  collectObjects,
  formatCheckFinding,
  pkiStoreFor,
  createIstioIntermediate,
  createRootCa,
  createSpireIntermediate,
  inspectCertificate,
  synthesize,
} from '../../lib';
import { mergeValues } from '../../lib/istio';
import { MeshModel, resolveMeshSpec } from '../../lib/spec';
import { TEST_PROJECT, declareSpireMesh, errorOf, exampleProps, meshDocument, readTree, tempDir } from '../helpers';

function synthWith(props: MeshSpec | MeshModel, tweak?: (mesh: SpireMesh) => void, now?: Date) {
  const out = tempDir();
  const app = new App({ outdir: out });
  const mesh = declareSpireMesh(app, 'mesh', props);
  tweak?.(mesh);
  return { out, run: () => synthesize(app, { outdir: out, baseDir: TEST_PROJECT, now }) };
}

/** The check findings of a failed synth, as lines. */
function checkErrors(props: MeshSpec | MeshModel, tweak?: (mesh: SpireMesh) => void): string[] {
  const e = errorOf(() => synthWith(props, tweak).run()) as SynthesisError;
  expect(e).toBeInstanceOf(SynthesisError);
  return e.findings.filter((f): f is CheckFinding => 'check' in f).map(formatCheckFinding);
}

const patch = (mesh: SpireMesh, cluster: string, path: string, op: JsonPatch) => {
  const obj = mesh
    .clusterChart(cluster)
    .node.findAll()
    .find((c) => c.node.path.endsWith(path));
  ApiObject.of(obj!).addJsonPatch(op);
};

/**
 * The check over a mesh whose delivered Istio values of one cluster are overridden: values the
 * Istio component refuses to take through its escape hatch, as a chart delivered by other means
 * could still carry them. Returns the error lines.
 */
function checkErrorsWithValues(cluster: string, override: { istiod?: object; ztunnel?: object }): string[] {
  const app = new App();
  const mesh = new SpireMesh(app, 'mesh', exampleProps());
  const objects = collectObjects(app).objects;
  const findings = checkMesh({
    mesh: mesh.model,
    clusters: mesh.clusters.map((c) => {
      const releases = Istio.of(c)!.releases;
      const tampered =
        c.cluster.name !== cluster
          ? releases
          : {
              ...releases,
              istiod: { ...releases.istiod, values: mergeValues(releases.istiod.values, override.istiod ?? {}) },
              ztunnel: releases.ztunnel && { ...releases.ztunnel, values: mergeValues(releases.ztunnel.values, override.ztunnel ?? {}) },
            };
      return { cluster: c.cluster, manifests: objects.filter((o) => o.cluster === c.cluster.name).map((o) => o.manifest), istio: tampered };
    }),
  });
  return findings.filter((f) => f.severity === 'error').map(formatCheckFinding);
}

describe('multicluster check', () => {
  test('the example mesh passes, with the different-trust-domain warning naming the upstream issue', () => {
    const result = synthWith(exampleProps()).run();
    const warnings = result.checkFindings.filter((f) => f.severity === 'warning');
    expect(warnings.map((f) => f.check)).toEqual(['Trust Domain Check']);
    expect(warnings[0].message).toContain('istio/istio#61608');
    expect(result.checkFindings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('peering discovery disabled', () => {
    expect(checkErrorsWithValues('cluster1', { istiod: { platforms: { peering: { enabled: false } } } })).toEqual([
      expect.stringContaining(
        'error [Incompatible Environment Variable Check] cluster cluster1: istiod values of cluster1: platforms.peering.enabled / ENABLE_PEERING_DISCOVERY: peering discovery is not enabled on istiod',
      ),
    ]);
  });

  test('legacy multicluster not disabled, and K8S_SELECT_WORKLOAD_ENTRIES=false', () => {
    const errors = checkErrorsWithValues('cluster2', {
      istiod: { env: { DISABLE_LEGACY_MULTICLUSTER: 'false', K8S_SELECT_WORKLOAD_ENTRIES: 'false' } },
    });
    expect(errors).toEqual([
      expect.stringContaining(
        'cluster cluster2: istiod values of cluster2: env.DISABLE_LEGACY_MULTICLUSTER: legacy multicluster is not disabled (DISABLE_LEGACY_MULTICLUSTER is "false")',
      ),
      expect.stringContaining('env.K8S_SELECT_WORKLOAD_ENTRIES: K8S_SELECT_WORKLOAD_ENTRIES=false is incompatible with peering'),
    ]);
  });

  test('no license for istiod', () => {
    const errors = checkErrors({ ...exampleProps(), istio: {} });
    expect(errors).toEqual([
      expect.stringContaining(
        '[License Check] cluster cluster1: istiod values of cluster1: license.secretRef: no license is configured for istiod (fix: set istio.license to IstioLicense.fromSecret(',
      ),
      expect.stringContaining('[License Check] cluster cluster2'),
    ]);
  });

  test('a network value that disagrees: istiod global.network and ztunnel network', () => {
    const errors = checkErrorsWithValues('cluster1', { istiod: { global: { network: 'cluster2' } }, ztunnel: { network: 'net-x' } });
    expect(errors).toEqual([
      expect.stringContaining(
        "[Network Configuration Check] cluster cluster1: istiod values of cluster1: global.network: is 'cluster2' but the cluster's network is 'cluster1' (fix: set global.network: cluster1)",
      ),
      expect.stringContaining("cluster cluster1: ztunnel values of cluster1: network: is 'net-x' but the cluster's network is 'cluster1'"),
    ]);
  });

  test('the east-west Gateway and a remote peer Gateway with the wrong network label', () => {
    const errors = checkErrors(exampleProps(), (m) => {
      patch(m, 'cluster1', 'EastWestGateway/Resource', JsonPatch.replace('/metadata/labels/topology.istio.io~1network', 'wrong'));
      patch(m, 'cluster2', 'RemotePeer-cluster1/Resource', JsonPatch.replace('/metadata/labels/topology.istio.io~1network', 'wrong'));
    });
    expect(errors).toEqual([
      expect.stringContaining(
        "cluster cluster1: Gateway istio-eastwest/istio-eastwest label topology.istio.io/network: is 'wrong' but the cluster's network is 'cluster1'",
      ),
      expect.stringContaining(
        "cluster cluster2: Gateway istio-eastwest/istio-remote-peer-cluster1: references network 'wrong' but cluster cluster1 is on 'cluster1'",
      ),
    ]);
  });

  test('the istio-system namespace without its network label', () => {
    const errors = checkErrors(exampleProps(), (m) =>
      patch(m, 'cluster2', 'Namespaces/istio-system', JsonPatch.remove('/metadata/labels/topology.istio.io~1network')),
    );
    expect(errors).toEqual([
      expect.stringContaining(
        "cluster cluster2: Namespace istio-system label topology.istio.io/network: missing; the cluster's network is 'cluster2'",
      ),
    ]);
  });

  test("a remote peer Gateway whose trust-domain annotation is not the remote's trust domain", () => {
    const errors = checkErrors(exampleProps(), (m) =>
      patch(
        m,
        'cluster1',
        'RemotePeer-cluster2/Resource',
        JsonPatch.replace('/metadata/annotations/gateway.istio.io~1trust-domain', 'cluster.local'),
      ),
    );
    expect(errors).toEqual([
      expect.stringContaining(
        "[Trust Domain Check] cluster cluster1: Gateway istio-eastwest/istio-remote-peer-cluster2: annotation gateway.istio.io/trust-domain is 'cluster.local' but cluster cluster2's trust domain is 'cluster2'",
      ),
    ]);
  });

  test("istiod's trust domain must equal the trust domain in SPIRE's server.conf", () => {
    const errors = checkErrorsWithValues('cluster1', { istiod: { meshConfig: { trustDomain: 'other.example.com' } } });
    expect(errors).toEqual([
      expect.stringContaining(
        "error [Trust Domain Check] cluster cluster1: istiod values of cluster1: meshConfig.trustDomain: is 'other.example.com' but SPIRE's server.conf trust_domain is 'cluster1'",
      ),
    ]);
  });

  test('different trust domains but ztunnel still validating them', () => {
    const errors = checkErrorsWithValues('cluster2', { ztunnel: { env: { SKIP_VALIDATE_TRUST_DOMAIN: 'false' } } });
    expect(errors).toEqual([
      expect.stringContaining(
        'cluster cluster2: ztunnel values of cluster2: env.SKIP_VALIDATE_TRUST_DOMAIN: trust domains differ between peers but ztunnel still validates them',
      ),
    ]);
  });

  test('a link without an address', () => {
    const errors = checkErrors(exampleProps(), (m) =>
      patch(m, 'cluster1', 'RemotePeer-cluster2/Resource', JsonPatch.replace('/spec/addresses', [])),
    );
    expect(errors).toEqual([
      expect.stringContaining(
        'cluster cluster1: Gateway istio-eastwest/istio-remote-peer-cluster2: has no address (istiod rejects istio-remote Gateways without spec.addresses)',
      ),
    ]);
  });

  test('an asymmetric topology where a cluster can reach none is reported', () => {
    const doc = {
      ...meshDocument(3),
      links: [
        { from: 'c1', to: 'c2' },
        { from: 'c3', to: 'c2' },
      ],
    };
    const result = synthWith(resolveMeshSpec(doc, 'test')).run();
    expect(result.checkFindings.filter((f) => f.check === 'Peers Check').map((f) => `${f.severity} ${f.cluster}: ${f.message}`)).toEqual([
      'warning c2: cluster c2 can reach no other cluster (only c1, c3 reach it)',
    ]);
  });

  test('a peered sidecar cluster is warned about (istio/istio#57878)', () => {
    const doc = meshDocument(2);
    doc.clusters[1].dataplaneMode = 'sidecar';
    const result = synthWith(resolveMeshSpec(doc, 'test')).run();
    expect(result.checkFindings.filter((f) => f.cluster === 'c2').map((f) => f.message)).toEqual([
      'sidecar workloads in a peered multi-network mesh receive east-west gateway endpoints and fail with 503 (istio/istio#57878, open)',
    ]);
  });

  test('certificates: an intermediate from another root fails; one expiring within 30 days warns', () => {
    const mesh = resolveMeshSpec(meshDocument(2), 'test');
    const root = createRootCa();
    const other = createRootCa();
    const info = (pem: string) => inspectCertificate(pem, { mesh: 'fleet', file: 'test.crt' });
    const clusters = {
      c1: {
        spireIntermediate: info(createSpireIntermediate(root, 'c1').certPem),
        istioIntermediate: info(createIstioIntermediate(root, 'c1').certPem),
      },
      c2: {
        spireIntermediate: info(createSpireIntermediate(other, 'c2').certPem),
        istioIntermediate: info(createIstioIntermediate(root, 'c2').certPem),
      },
    };
    const findings: CheckFinding[] = checkMesh({
      mesh,
      clusters: [],
      certificates: { root: info(root.certPem), clusters },
      now: new Date(),
    })
      .concat(
        checkMesh({
          mesh,
          clusters: mesh.clusters.map((cluster) => ({ cluster, manifests: [] })),
          certificates: { root: info(root.certPem), clusters },
        }),
      )
      .filter((f) => f.check === 'Intermediate Certs Compatibility Check');
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'error', cluster: 'c2', subject: 'cluster c2: SPIRE upstream intermediate CN=SPIRE c2 CA' }),
    ]);
    expect(findings[0].message).toContain('does not chain to the mesh root CN=SPIRE Root CA');
    const soon = new Date(clusters.c1.istioIntermediate.notAfter.getTime() - 10 * 86_400_000);
    const later = checkMesh({
      mesh,
      clusters: [{ cluster: mesh.cluster('c1'), manifests: [] }],
      certificates: { root: info(root.certPem), clusters },
      now: soon,
    });
    expect(later.filter((f) => f.severity === 'warning' && f.cluster === 'c1').map((f) => f.message)).toEqual([
      `expires on ${clusters.c1.spireIntermediate.notAfter.toISOString().slice(0, 10)}, within 30 days`,
      `expires on ${clusters.c1.istioIntermediate.notAfter.toISOString().slice(0, 10)}, within 30 days`,
    ]);
  });

  test('synth warns within 30 days of an intermediate expiry and fails once it expired, naming cluster and file', () => {
    const props = exampleProps();
    const first = synthWith(props).run();
    expect(first.checkFindings.filter((f) => f.severity === 'error')).toEqual([]);
    const certs = pkiStoreFor(new SpireMesh(new App(), 'm', props).model, { baseDir: TEST_PROJECT })!.loadPublic();
    const notAfter = certs.clusters.cluster1.spireIntermediate.notAfter;
    const nearly = synthWith(props, undefined, new Date(notAfter.getTime() - 20 * 86_400_000)).run();
    expect(nearly.warnings.filter((w) => w.includes('within 30 days')).length).toBeGreaterThan(0);
    const expired = errorOf(() => synthWith(props, undefined, new Date(notAfter.getTime() + 400 * 86_400_000)).run());
    expect(expired.message).toMatch(/\[pki\] .*(expired|not valid after)/);
    expect(expired.message).toMatch(/cluster1|root-ca\.crt/);
  });

  test('a spec with a check error leaves an existing dist/ untouched', () => {
    const { out, run } = synthWith(exampleProps());
    run();
    const before = readTree(out);
    const app = new App({ outdir: out });
    new SpireMesh(app, 'mesh', { ...exampleProps(), istio: {} });
    expect(() => synthesize(app, { outdir: out, baseDir: TEST_PROJECT })).toThrow(SynthesisError);
    expect(readTree(out)).toEqual(before);
  });
});
