/**
 * cert-manager as the root CA (seed 002): istiod's CA Certificate with typed durations, the
 * issuer chain in dist/ when spiremesh holds the mesh root (`rootSecretStore`: an ExternalSecret
 * building the root's kubernetes.io/tls Secret in cert-manager's namespace and a CA ClusterIssuer),
 * SPIRE's cert-manager UpstreamAuthority naming the same issuer, the root-only PKI, and
 * `pki export` of the root. Every key is generated at run time in a temp folder and removed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { CaDelivery, IssuerKind, MeshSpec, SpireMesh, synthesize } from '../../lib';
import {
  CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  IntermediateKind,
  MESH_ROOT_CA_SECRET_NAME,
  PRIVATE_FOLDER_GITIGNORE,
  PkiError,
  keyMatchesCertificate,
  inspectCertificate,
  meshRootRemoteKey,
  pkiStatus,
  pkiStoreFor,
  rotateIntermediate,
} from '../../lib/pki';
import { resolveMeshProps } from '../../lib/spec';
import { exampleProps, readTree } from '../helpers';
import { catchPkiError, openssl, rmTmp, tmpDir } from './helpers';
import { filesUnder, inDir, isolateGit, removeProjects, runCommand, scratchProject } from './custody-helpers';

const made: string[] = [];
const project = (prefix: string) => {
  const dir = fs.realpathSync(tmpDir(prefix));
  made.push(dir);
  return dir;
};

let restoreGit: () => void;
beforeAll(() => {
  restoreGit = isolateGit();
});
afterAll(() => {
  restoreGit();
  removeProjects();
  for (const d of made.splice(0)) rmTmp(d);
});

/** Seed 002: cert-manager is the root CA of istiod and SPIRE, istiod's certificate rotates at 720h. */
const seed002 = (extra: Partial<Parameters<typeof CaDelivery.certManager>[0]> = {}) =>
  CaDelivery.certManager({ issuerName: 'mesh-root', rootSecretStore: 'mesh-root-store', istiodCaDuration: '720h', ...extra });

function synthIn(dir: string, props: MeshSpec) {
  const out = path.join(dir, 'dist');
  const app = new App({ outdir: out });
  new SpireMesh(app, 'mesh', props);
  const result = synthesize(app, { outdir: out, baseDir: dir });
  return { out, result, tree: readTree(out) };
}

const yamlOf = (tree: Record<string, string>, file: string) => {
  expect(Object.keys(tree)).toContain(file);
  return YAML.parse(tree[file]);
};
const serverConf = (tree: Record<string, string>, cluster: string) =>
  JSON.parse(yamlOf(tree, `${cluster}/spire/configmap_spire-server_spire-server.yaml`).data['server.conf']);

describe('istiod CA Certificate durations', () => {
  const certificateSpec = (delivery: CaDelivery) => {
    const app = new App();
    const mesh = new SpireMesh(app, 'mesh', { ...exampleProps(), pki: { delivery } });
    const cert = mesh
      .clusterChart('cluster1')
      .node.findAll()
      .map((c) => (c as any).toJson?.())
      .find((j) => j?.kind === 'Certificate');
    return cert.spec;
  };

  test("duration and renewBefore are the spec's typed settings (seed 002: 720h, renewal a third of it by default)", () => {
    expect(certificateSpec(seed002())).toMatchObject({ duration: '720h', renewBefore: '240h' });
    expect(certificateSpec(seed002({ istiodCaDuration: '1440h', istiodCaRenewBefore: '720h' }))).toMatchObject({
      duration: '1440h',
      renewBefore: '720h',
    });
  });

  test('the defaults keep the committed output: 43800h (five years) and 720h', () => {
    expect(certificateSpec(CaDelivery.certManager({ issuerName: 'mesh-root' }))).toMatchObject({ duration: '43800h', renewBefore: '720h' });
  });
});

describe('cert-manager with rootSecretStore: the issuer chain in dist/', () => {
  let dir: string;
  let tree: Record<string, string>;
  let warnings: readonly string[];
  beforeAll(() => {
    dir = project('cm-root');
    const run = synthIn(dir, { ...exampleProps(), pki: { delivery: seed002() } });
    tree = run.tree;
    warnings = run.result.warnings;
  });

  test('every cluster builds the mesh root Secret (kubernetes.io/tls, cert-manager namespace) from one remote key of the root store', () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      const es = yamlOf(tree, `${cluster}/pki/externalsecret_cert-manager_spiremesh-root-ca.yaml`);
      expect(es.apiVersion).toBe('external-secrets.io/v1');
      expect(es.metadata).toMatchObject({ name: MESH_ROOT_CA_SECRET_NAME, namespace: CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE });
      expect(es.metadata.namespace).toBe('cert-manager');
      expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'mesh-root-store' });
      expect(es.spec.target).toEqual({ name: 'spiremesh-root-ca', creationPolicy: 'Owner', template: { type: 'kubernetes.io/tls' } });
      expect(es.spec.data).toEqual(
        ['tls.crt', 'tls.key'].map((k) => ({ secretKey: k, remoteRef: { key: 'spiremesh/example/spiremesh-root-ca', property: k } })),
      );
    }
  });

  test('every cluster has the CA ClusterIssuer issuerName, signing with that Secret', () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      const issuer = yamlOf(tree, `${cluster}/pki/clusterissuer_mesh-root.yaml`);
      expect(issuer.apiVersion).toBe('cert-manager.io/v1');
      expect(issuer.kind).toBe('ClusterIssuer');
      expect(issuer.metadata.name).toBe('mesh-root');
      expect(issuer.metadata.namespace).toBeUndefined();
      expect(issuer.spec).toEqual({ ca: { secretName: 'spiremesh-root-ca' } });
      const kustomization = YAML.parse(tree[`${cluster}/kustomization.yaml`]);
      expect(kustomization.resources).toEqual(
        expect.arrayContaining(['pki/clusterissuer_mesh-root.yaml', 'pki/externalsecret_cert-manager_spiremesh-root-ca.yaml']),
      );
    }
  });

  test("istiod's CA Certificate, SPIRE's UpstreamAuthority and the ClusterIssuer name one issuer; SPIRE's requests land in spire-server", () => {
    for (const cluster of ['cluster1', 'cluster2']) {
      const cert = yamlOf(tree, `${cluster}/pki/certificate_istio-system_istiod-ca.yaml`);
      expect(cert.spec.issuerRef).toEqual({ name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      expect(cert.spec).toMatchObject({ isCA: true, secretName: 'cacerts', duration: '720h', renewBefore: '240h' });
      const ua = serverConf(tree, cluster).plugins.UpstreamAuthority;
      expect(ua).toEqual([
        {
          'cert-manager': {
            plugin_data: {
              namespace: 'spire-server',
              issuer_name: 'mesh-root',
              issuer_kind: 'ClusterIssuer',
              issuer_group: 'cert-manager.io',
            },
          },
        },
      ]);
      // spire-server may create its CertificateRequests where the plugin puts them.
      const role = yamlOf(tree, `${cluster}/spire/role_spire-server_spire-server-cm.yaml`);
      expect(role.metadata.namespace).toBe(ua[0]['cert-manager'].plugin_data.namespace);
      expect(role.rules[0]).toMatchObject({ apiGroups: ['cert-manager.io'], resources: expect.arrayContaining(['certificaterequests']) });
      expect(role.rules[0].verbs).toEqual(expect.arrayContaining(['create', 'get', 'delete']));
    }
  });

  test('the synth passes every gate with no cert-manager finding, and nothing private reaches dist/', () => {
    expect(warnings.filter((w) => /cert-manager|Intermediate Certs/.test(w))).toEqual([]);
    const text = Object.values(tree).join('\n');
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toMatch(/^kind: Secret$/m);
    // The root certificate is public; even it is not in dist/ (External Secrets brings it with its key).
    expect(text).not.toContain(fs.readFileSync(path.join(dir, 'pki/example/root-ca.crt'), 'utf8').split('\n')[1]);
  });

  test('the PKI holds only the mesh root: certificate in pki/<mesh>/, key 0600 in the git-ignored key folder, no intermediates', () => {
    expect(filesUnder(path.join(dir, 'pki'))).toEqual(['example/root-ca.crt']);
    expect(filesUnder(path.join(dir, '.spiremesh'))).toEqual(['keys/.gitignore', 'keys/example/root-ca.key']);
    expect(fs.readFileSync(path.join(dir, '.spiremesh/keys/.gitignore'), 'utf8')).toBe(PRIVATE_FOLDER_GITIGNORE);
    expect(fs.statSync(path.join(dir, '.spiremesh/keys/example/root-ca.key')).mode & 0o777).toBe(0o600);
    // A real CA root, as openssl reads it: self-signed, CA:TRUE with the mesh root's path length.
    const rootFile = path.join(dir, 'pki/example/root-ca.crt');
    const text = openssl('x509', '-in', rootFile, '-noout', '-text');
    expect(text).toMatch(/CA:TRUE, pathlen:2/);
    expect(openssl('verify', '-CAfile', rootFile, rootFile)).toContain(': OK');
  });

  test('a second synth is up to date, and a fresh clone (root certificate, no key) synthesizes without creating a key', () => {
    const again = synthIn(dir, { ...exampleProps(), pki: { delivery: seed002() } });
    expect(again.result.upToDate).toBe(true);
    const clone = project('cm-clone');
    fs.cpSync(path.join(dir, 'pki'), path.join(clone, 'pki'), { recursive: true });
    const cloned = synthIn(clone, { ...exampleProps(), pki: { delivery: seed002() } });
    expect(fs.existsSync(path.join(clone, '.spiremesh'))).toBe(false);
    expect(filesUnder(path.join(clone, 'pki'))).toEqual(['example/root-ca.crt']);
    const differing = Object.keys(tree).filter((f) => cloned.tree[f] !== tree[f]);
    expect(differing).toEqual([]);
  });
});

describe('cert-manager without rootSecretStore: the issuer is the team’s', () => {
  test('no ClusterIssuer, no ExternalSecret and no local CA material; SPIRE and istiod still name the issuer', () => {
    const dir = project('cm-team');
    const { tree } = synthIn(dir, {
      ...exampleProps(),
      pki: { delivery: CaDelivery.certManager({ issuerName: 'team-ca', issuerKind: IssuerKind.CLUSTER_ISSUER }) },
    });
    expect(Object.keys(tree).filter((f) => f.startsWith('cluster1/pki/'))).toEqual([
      'cluster1/pki/certificate_istio-system_istiod-ca.yaml',
    ]);
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '.spiremesh'))).toBe(false);
    expect(serverConf(tree, 'cluster2').plugins.UpstreamAuthority[0]['cert-manager'].plugin_data.issuer_name).toBe('team-ca');
  });
});

describe('a PKI store that keeps only the mesh root', () => {
  const model = (_dir: string) =>
    resolveMeshProps(
      {
        name: 'rootonly',
        clusters: [
          { name: 'east', eastWestAddress: '192.0.2.1' },
          { name: 'west', eastWestAddress: '192.0.2.2' },
        ],
        pki: { delivery: seed002() },
      },
      'test',
    );

  test('is what cert-manager with rootSecretStore gets: init generates the root only, status lists it alone', () => {
    const dir = project('cm-store');
    const store = pkiStoreFor(model(dir), { baseDir: dir })!;
    expect(store.rootOnly).toBe(true);
    expect(store.intermediateClusters).toEqual([]);
    const r = store.ensure();
    expect(r.created.map((f) => path.relative(dir, f))).toEqual(['.spiremesh/keys/rootonly/root-ca.key', 'pki/rootonly/root-ca.crt']);
    expect(store.ensure().created).toEqual([]);
    expect(store.loadPublic().clusters).toEqual({});
    expect(pkiStatus(store).map((row) => [row.role, row.state, row.keyPresent])).toEqual([['root', 'ok', true]]);
    // The root for upload: tls.crt is the committed root, tls.key its key; redacted in JSON.
    const material = store.exportRoot();
    expect(material.name).toBe('spiremesh-root-ca');
    expect(material.keys).toEqual(['tls.crt', 'tls.key']);
    const data = material.stringData();
    expect(data['tls.crt']).toBe(fs.readFileSync(store.layout.rootCertFile, 'utf8'));
    expect(keyMatchesCertificate(inspectCertificate(data['tls.crt'], { file: 'tls.crt' }), data['tls.key'])).toBe(true);
    expect(JSON.stringify(material)).not.toContain('PRIVATE KEY');
  });

  test('refuses per-cluster exports and rotations, naming cert-manager as the issuer of the cluster CAs', () => {
    const dir = project('cm-refuse');
    const store = pkiStoreFor(model(dir), { baseDir: dir })!;
    store.ensure();
    const exported = catchPkiError(() => store.export('east'));
    expect(exported.code).toBe('INVALID_ARGUMENT');
    expect(exported.message).toContain('cert-manager signs the per-cluster CAs in-cluster');
    expect(exported.message).toContain('spiremesh pki export');
    const rotated = catchPkiError(() => rotateIntermediate(store, 'west', IntermediateKind.ISTIO));
    expect(rotated.message).toContain('cannot rotate the');
    expect(rotated.message).toContain('istiodCaDuration');
    expect(filesUnder(dir)).toEqual(['.spiremesh/keys/.gitignore', '.spiremesh/keys/rootonly/root-ca.key', 'pki/rootonly/root-ca.crt']);
  });

  test('exportRoot without the root key names the key file', () => {
    const dir = project('cm-nokey');
    const store = pkiStoreFor(model(dir), { baseDir: dir })!;
    store.ensure();
    fs.rmSync(store.layout.rootKeyFile);
    const e = catchPkiError(() => store.exportRoot());
    expect(e).toBeInstanceOf(PkiError);
    expect(e.code).toBe('MISSING_ROOT_KEY');
    expect(e.message).toContain('root-ca.key');
  });
});

describe('pki commands with cert-manager and rootSecretStore', () => {
  const declare = (app: App) =>
    new SpireMesh(app, 'm', {
      name: 'seed',
      istio: exampleProps().istio,
      clusters: [
        { name: 'foo', trustDomain: 'foo.com', eastWestAddress: '192.0.2.10' },
        { name: 'bar', trustDomain: 'bar.com', eastWestAddress: '192.0.2.20' },
      ],
      pki: { delivery: seed002() },
    });

  test('init generates the root, export gives the values the ExternalSecret reads, rotate is refused', () => {
    const dir = scratchProject('cm-cli');
    const init = inDir(dir, () => runCommand(declare, ['pki', 'init']));
    expect(init.stderr).toBe('');
    expect(init.stdout).toContain('2 file(s) generated');
    expect(filesUnder(dir)).toEqual([
      '.spiremesh/keys/.gitignore',
      '.spiremesh/keys/seed/root-ca.key',
      'package.json',
      'pki/seed/root-ca.crt',
    ]);

    // --stdout: keyed by the remote key, with the properties the ExternalSecret reads.
    const printed = inDir(dir, () => runCommand(declare, ['pki', 'export', '--stdout']));
    expect(printed.code).toBe(0);
    const values = JSON.parse(printed.stdout);
    expect(Object.keys(values)).toEqual([meshRootRemoteKey({ name: 'seed' })]);
    expect(Object.keys(values)).toEqual(['spiremesh/seed/spiremesh-root-ca']);
    const entry = values['spiremesh/seed/spiremesh-root-ca'];
    expect(Object.keys(entry)).toEqual(['tls.crt', 'tls.key']);
    expect(entry['tls.crt']).toBe(fs.readFileSync(path.join(dir, 'pki/seed/root-ca.crt'), 'utf8'));
    // The pair belongs together, as openssl sees it.
    const keyFile = path.join(dir, 'exported.key');
    fs.writeFileSync(keyFile, entry['tls.key'], { mode: 0o600 });
    expect(openssl('pkey', '-in', keyFile, '-pubout')).toBe(
      openssl('x509', '-in', path.join(dir, 'pki/seed/root-ca.crt'), '-noout', '-pubkey'),
    );
    fs.rmSync(keyFile);

    // ...exactly the remote keys and properties the rendered ExternalSecret reads.
    const out = path.join(dir, 'dist');
    const app = new App({ outdir: out });
    declare(app);
    synthesize(app, { outdir: out, baseDir: dir });
    for (const cluster of ['foo', 'bar']) {
      const es = YAML.parse(fs.readFileSync(path.join(out, cluster, 'pki/externalsecret_cert-manager_spiremesh-root-ca.yaml'), 'utf8'));
      for (const d of es.spec.data) expect(entry[d.remoteRef.property]).toBeDefined();
      expect(new Set(es.spec.data.map((d: any) => d.remoteRef.key))).toEqual(new Set(Object.keys(values)));
    }

    // Default file: the git-ignored secrets folder, mode 0600; --cluster is accepted (same values).
    const written = inDir(dir, () => runCommand(declare, ['pki', 'export', '--cluster', 'bar']));
    expect(written.stderr).toBe('');
    expect(written.stdout).toContain('spiremesh/seed/spiremesh-root-ca: tls.crt, tls.key');
    expect(written.stdout).toContain('ClusterSecretStore mesh-root-store');
    const file = path.join(dir, '.spiremesh/secrets/seed/root-ca-export.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(values);
    const unknown = inDir(dir, () => runCommand(declare, ['pki', 'export', '--cluster', 'baz', '--stdout']));
    expect(unknown.code).toBe(2); // a usage error
    expect(unknown.stdout).toBe('');

    const rotate = inDir(dir, () => runCommand(declare, ['pki', 'rotate', '--cluster', 'foo']));
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('cert-manager signs the per-cluster CAs in-cluster');
    const status = inDir(dir, () => runCommand(declare, ['pki', 'status']));
    expect(status.stdout.trim().split('\n')).toHaveLength(2); // header and the root
  });

  test('without rootSecretStore there is nothing to manage, and the message names rootSecretStore', () => {
    const dir = scratchProject('cm-cli-team');
    const r = inDir(dir, () =>
      runCommand(
        (app) =>
          new SpireMesh(app, 'm', {
            name: 'team',
            clusters: [{ name: 'a' }],
            pki: { delivery: CaDelivery.certManager({ issuerName: 'ca' }) },
          }),
        ['pki', 'init'],
      ),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set pki.delivery.rootSecretStore');
    expect(filesUnder(dir)).toEqual(['package.json']);
  });
});
