/**
 * The cert-manager check (lib/app/check-cert-manager.ts), run by every synth in cert-manager
 * mode: all clusters chain to one root. Each finding is triggered by a spec or by an object
 * overridden the way a hand edit or an extra construct could, with its message; an error stops
 * synthesis before anything is written. Keys are generated at run time in temp folders.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, JsonPatch } from 'cdk8s';
import {
  CaDelivery,
  CheckFinding,
  IssuerKind,
  MeshSpec,
  SpireMesh,
  SynthesisError,
  UpstreamAuthority,
  collectObjects,
  createRootCa,
  formatCheckFinding,
  inspectCertificate,
  synthesize,
} from '../../lib';
import { CERT_MANAGER_CHECKS, checkCertManager } from '../../lib/app/check-cert-manager';
import { SpireComponentProps } from '../../lib/spire';
import { errorOf, exampleProps, readTree } from '../helpers';
import { rmTmp, tmpDir } from './helpers';

const made: string[] = [];
const project = () => {
  const dir = tmpDir('cm-check');
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of made.splice(0)) rmTmp(d);
});

const rooted = (extra: Partial<Parameters<typeof CaDelivery.certManager>[0]> = {}) =>
  CaDelivery.certManager({ issuerName: 'mesh-root', rootSecretStore: 'mesh-root-store', ...extra });

function declare(props: MeshSpec, spire?: SpireComponentProps) {
  const dir = project();
  const out = path.join(dir, 'dist');
  const app = new App({ outdir: out });
  const mesh = new SpireMesh(app, 'mesh', { ...props, components: spire ? { spire } : undefined });
  return { dir, out, app, mesh, run: () => synthesize(app, { outdir: out, baseDir: dir }) };
}

/** The cert-manager findings of a synth that passes. */
function passingFindings(props: MeshSpec): string[] {
  const { run } = declare(props);
  return run()
    .checkFindings.filter((f) => Object.values(CERT_MANAGER_CHECKS).includes(f.check as never))
    .map(formatCheckFinding);
}

/** The check findings of a synth that is refused; nothing is written. */
function refused(d: ReturnType<typeof declare>): string[] {
  const e = errorOf(d.run) as SynthesisError;
  expect(e).toBeInstanceOf(SynthesisError);
  expect(fs.existsSync(d.out)).toBe(false);
  return e.findings.filter((f): f is CheckFinding => 'check' in f).map(formatCheckFinding);
}

const patch = (mesh: SpireMesh, cluster: string, pathEnd: string, op: JsonPatch) => {
  const obj = mesh
    .clusterChart(cluster)
    .node.findAll()
    .find((c) => c.node.path.endsWith(pathEnd));
  expect(obj).toBeDefined();
  ApiObject.of(obj!).addJsonPatch(op);
};

describe('cert-manager check: one root', () => {
  test('with rootSecretStore: every cluster chains to the mesh root, no finding', () => {
    expect(passingFindings({ ...exampleProps(), pki: { delivery: rooted() } })).toEqual([]);
  });

  test('a cluster whose issuer Secret comes from another remote key would not chain to one root: refused', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    patch(d.mesh, 'cluster2', 'spiremesh-root-ca-external-secret', JsonPatch.replace('/spec/data/1/remoteRef/key', 'spiremesh/other/root'));
    const lines = refused(d);
    expect(lines).toContain(
      'error [Intermediate Certs Compatibility Check] cluster cluster2: ExternalSecret cert-manager/spiremesh-root-ca: spec.data tls.key: ' +
        'reads spiremesh/other/root#tls.key, but `spiremesh pki export` gives the mesh root as spiremesh/example/spiremesh-root-ca#tls.key ' +
        '(fix: read remote key spiremesh/example/spiremesh-root-ca, property tls.key)',
    );
    expect(lines.find((l) => l.includes('would not chain to one root'))).toContain(
      "cluster cluster2: ExternalSecret cert-manager/spiremesh-root-ca: builds the issuer's Secret from ClusterSecretStore mesh-root-store " +
        '(spiremesh/example/spiremesh-root-ca#tls.crt, spiremesh/other/root#tls.key), but cluster cluster1 builds it from ClusterSecretStore mesh-root-store ' +
        '(spiremesh/example/spiremesh-root-ca#tls.crt, spiremesh/example/spiremesh-root-ca#tls.key)',
    );
  });

  test('another secret store, a ClusterIssuer reading another Secret, or no ClusterIssuer at all: refused', () => {
    const store = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    patch(store.mesh, 'cluster1', 'spiremesh-root-ca-external-secret', JsonPatch.replace('/spec/secretStoreRef/name', 'team-vault'));
    expect(refused(store)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'cluster cluster1: ExternalSecret cert-manager/spiremesh-root-ca: spec.secretStoreRef: reads ClusterSecretStore team-vault, not the mesh root store ClusterSecretStore mesh-root-store',
        ),
        expect.stringContaining('would not chain to one root'),
      ]),
    );

    const secret = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    patch(secret.mesh, 'cluster1', 'mesh-root-issuer', JsonPatch.replace('/spec/ca/secretName', 'team-root'));
    expect(refused(secret)).toContain(
      'error [Intermediate Certs Compatibility Check] cluster cluster1: ClusterIssuer mesh-root: spec.ca.secretName: reads Secret cert-manager/team-root, ' +
        'which no ExternalSecret in this cluster builds from the mesh root (fix: use Secret spiremesh-root-ca, built from ClusterSecretStore mesh-root-store)',
    );

    const missing = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    const issuer = missing.mesh
      .clusterChart('cluster2')
      .node.findAll()
      .find((c) => c.node.path.endsWith('mesh-root-issuer'))!;
    issuer.node.scope!.node.tryRemoveChild(issuer.node.id);
    expect(refused(missing)).toContain(
      'error [Intermediate Certs Compatibility Check] cluster cluster2: ClusterIssuer mesh-root: is not rendered, although pki.delivery.rootSecretStore says ' +
        'spiremesh runs the issuer from the mesh root (fix: keep the CA delivery component (CaSecretDelivery) in every cluster)',
    );
  });

  test('the mesh root: an expired root is an error, one expiring within 30 days a warning', () => {
    const app = new App();
    const mesh = new SpireMesh(app, 'mesh', { ...exampleProps(), pki: { delivery: rooted() } });
    const objects = collectObjects(app).objects;
    const now = new Date('2030-01-01T00:00:00Z');
    const root = inspectCertificate(createRootCa({ validityDays: 10, now }).certPem, { mesh: 'example', file: 'root-ca.crt' });
    const check = (at: Date) =>
      checkCertManager({
        mesh: mesh.model,
        clusters: mesh.clusters.map((c) => ({
          cluster: c.cluster,
          manifests: objects.filter((o) => o.cluster === c.cluster.name).map((o) => o.manifest),
        })),
        certificates: { root },
        now: at,
      }).map(formatCheckFinding);
    expect(check(now)).toEqual([
      'warning [Intermediate Certs Compatibility Check] mesh root CA CN=SPIRE Root CA: expires on 2030-01-11, within 30 days ' +
        '(fix: a new mesh root replaces the trust anchor of every cluster: plan a root migration, then upload it (`spiremesh pki export`))',
    ]);
    expect(check(new Date('2030-02-01T00:00:00Z'))).toEqual([
      expect.stringContaining('error [Intermediate Certs Compatibility Check] mesh root CA CN=SPIRE Root CA: expired on 2030-01-11'),
    ]);
    // Not known yet (a synth generates it before writing and checks again): nothing to say.
    expect(checkCertManager({ mesh: mesh.model, clusters: [], now })).toEqual([]);
  });
});

describe('cert-manager check: an issuer the team runs', () => {
  test('two clusters: a warning that spiremesh cannot verify one root, with the fix (rootSecretStore)', () => {
    expect(passingFindings({ ...exampleProps(), pki: { delivery: CaDelivery.certManager({ issuerName: 'team-ca' }) } })).toEqual([
      "warning [Intermediate Certs Compatibility Check] pki.delivery.issuerName ClusterIssuer team-ca: spiremesh cannot verify that the ClusterIssuer 'team-ca' " +
        'in every cluster (cluster1, cluster2) is backed by the same root: istiod and SPIRE chain to whatever each issuer signs with, and cross-cluster mTLS ' +
        'needs one shared root (fix: set pki.delivery.rootSecretStore to a ClusterSecretStore: spiremesh then keeps the mesh root in pki/ (key in the ' +
        'git-ignored key folder) and renders the CA ClusterIssuer from it in every cluster; upload the values of `spiremesh pki export`)',
    ]);
  });

  test('one cluster: a ClusterIssuer serves SPIRE and istiod alike (no finding); an Issuer must exist in both namespaces (warning)', () => {
    const one = (kind: IssuerKind): MeshSpec => ({
      name: 'single',
      istio: exampleProps().istio,
      clusters: [{ name: 'solo' }],
      pki: { delivery: CaDelivery.certManager({ issuerName: 'team-ca', issuerKind: kind }) },
    });
    expect(passingFindings(one(IssuerKind.CLUSTER_ISSUER))).toEqual([]);
    const [line] = passingFindings(one(IssuerKind.ISSUER));
    expect(line).toContain(
      "spiremesh cannot verify that the Issuer 'team-ca' in cluster solo and in both namespaces that use it " +
        "(spire-server for SPIRE's CertificateRequests, istio-system for istiod's Certificate) is backed by the same root",
    );
    expect(line).toContain('fix: remove issuerKind (a ClusterIssuer) and set pki.delivery.rootSecretStore');
  });
});

describe('cert-manager check: one issuer for SPIRE and istiod', () => {
  test("SPIRE's UpstreamAuthority naming another issuer than istiod's Certificate: refused", () => {
    const d = declare(
      { ...exampleProps(), pki: { delivery: rooted() } },
      { upstreamAuthority: UpstreamAuthority.certManager({ issuerName: 'other-ca', issuerKind: IssuerKind.ISSUER }) },
    );
    expect(refused(d)).toContain(
      'error [cert-manager Issuer Check] cluster cluster1: ConfigMap spire-server/spire-server server.conf: UpstreamAuthority cert-manager plugin_data: ' +
        "references Issuer 'other-ca' (group cert-manager.io), but istiod's CA Certificate uses ClusterIssuer 'mesh-root' (group cert-manager.io): " +
        'SPIRE and istiod would chain to different CAs (fix: remove the upstreamAuthority override of the SPIRE component, or give it pki.delivery.issuerName / issuerKind)',
    );
  });

  test('the disk UpstreamAuthority in cert-manager mode reads a Secret nobody delivers: refused', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted() } }, { upstreamAuthority: UpstreamAuthority.disk() });
    expect(refused(d)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          "cluster cluster2: ConfigMap spire-server/spire-server server.conf: UpstreamAuthority: is 'disk', but pki.delivery.mode is cert-manager",
        ),
      ]),
    );
  });

  test('an istiod CA Certificate referencing another issuer: refused', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    patch(d.mesh, 'cluster2', 'CaSecretDelivery/istiod-ca', JsonPatch.replace('/spec/issuerRef/name', 'elsewhere'));
    expect(refused(d)).toContain(
      'error [cert-manager Issuer Check] cluster cluster2: Certificate istio-system/istiod-ca: spec.issuerRef: ' +
        "references ClusterIssuer 'elsewhere' (group cert-manager.io), but the mesh's issuer is ClusterIssuer 'mesh-root' (group cert-manager.io): " +
        'istiod and SPIRE would chain to different CAs (fix: set pki.delivery.issuerName / issuerKind once; the Certificate and SPIRE are both derived from it)',
    );
  });
});

describe('cert-manager check: durations cert-manager admits', () => {
  // The spec refuses such durations first (lib/spec/validate-topology.ts); the check guards the
  // rendered Certificate, whatever changed it (here a JSON patch).
  test('a spec duration under 1h is refused by the spec validation, naming the field', () => {
    expect(() => declare({ ...exampleProps(), pki: { delivery: rooted({ istiodCaDuration: '30m' }) } })).toThrow(
      /pki\.delivery\.istiodCaDuration: duration 30m is under 1h, which cert-manager refuses/,
    );
  });

  test('a Certificate duration under 1h (and its renewal) is refused by the check', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted() } });
    patch(d.mesh, 'cluster1', 'CaSecretDelivery/istiod-ca', JsonPatch.replace('/spec/duration', '30m'));
    expect(refused(d)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'cluster cluster1: Certificate istio-system/istiod-ca: spec.duration: is 30m; cert-manager refuses a Certificate duration under 1h',
        ),
        expect.stringContaining('spec.renewBefore: 720h is not shorter than the duration 30m; cert-manager refuses the Certificate'),
      ]),
    );
  });

  test('a renewBefore under 5m is refused', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted({ istiodCaDuration: '2h' }) } });
    patch(d.mesh, 'cluster2', 'CaSecretDelivery/istiod-ca', JsonPatch.replace('/spec/renewBefore', '1m'));
    expect(refused(d)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'cluster cluster2: Certificate istio-system/istiod-ca: spec.renewBefore: is 1m; cert-manager refuses a renewBefore under 5m',
        ),
      ]),
    );
  });

  test('seed 002 (720h) passes and is rendered', () => {
    const d = declare({ ...exampleProps(), pki: { delivery: rooted({ istiodCaDuration: '720h' }) } });
    d.run();
    expect(readTree(d.out)['cluster1/pki/certificate_istio-system_istiod-ca.yaml']).toMatch(/duration: 720h\n[\s\S]*renewBefore: 240h\n/);
  });
});
