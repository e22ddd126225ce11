/**
 * CA delivery modes end to end: what lands in dist/, what lands in the git-ignored folder, and
 * that a fresh clone (public certificates only, no keys) synthesizes without creating any.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { CaDelivery, IssuerKind, SpireMesh, MeshSpec, synthesize } from '../../lib';
import { declareExampleMesh } from '../../main';
import { exampleProps, readTree, tempDir } from '../helpers';

const repo = path.join(__dirname, '..', '..');

function synthIn(project: string, props: MeshSpec) {
  const out = path.join(project, 'dist');
  const app = new App({ outdir: out });
  new SpireMesh(app, 'mesh', props);
  const result = synthesize(app, { outdir: out, baseDir: project });
  return { out, result, tree: readTree(out) };
}

const allText = (tree: Record<string, string>) => Object.values(tree).join('\n');

describe('CA delivery modes', () => {
  test('external-secrets: ExternalSecrets build spiffe-upstream-ca and cacerts from the store; no Secret, no key in dist/', () => {
    const project = tempDir();
    const { tree } = synthIn(project, {
      ...exampleProps(),
      pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault', remoteKeyPrefix: 'mesh/prod' }) },
    });
    const spire = YAML.parse(tree['cluster1/pki/externalsecret_spire-server_spiffe-upstream-ca.yaml']);
    expect(spire.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    expect(spire.spec.target).toEqual({ name: 'spiffe-upstream-ca', creationPolicy: 'Owner' });
    expect(spire.spec.data).toEqual(
      ['tls.crt', 'tls.key', 'bundle.crt'].map((k) => ({
        secretKey: k,
        remoteRef: { key: 'mesh/prod/cluster1/spiffe-upstream-ca', property: k },
      })),
    );
    const cacerts = YAML.parse(tree['cluster2/pki/externalsecret_istio-system_cacerts.yaml']);
    expect(cacerts.spec.data.map((d: any) => d.secretKey)).toEqual(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem']);
    expect(cacerts.spec.data[1].remoteRef).toEqual({ key: 'mesh/prod/cluster2/cacerts', property: 'ca-key.pem' });
    expect(allText(tree)).not.toMatch(/PRIVATE KEY|^kind: Secret$/m);
    // The keys exist locally (generated at the first synth) but never reached dist/.
    expect(fs.readdirSync(path.join(project, '.spiremesh/keys/example'))).toContain('root-ca.key');
  });

  test('kubectl: Secret manifests go to the git-ignored folder (mode 0600), never dist/', () => {
    const project = tempDir();
    const { tree, result } = synthIn(project, { ...exampleProps(), pki: { delivery: CaDelivery.kubectl() } });
    expect(Object.keys(tree).filter((p) => p.includes('/pki/'))).toEqual([]);
    expect(allText(tree)).not.toContain('PRIVATE KEY');
    expect(result.warnings.filter((w) => w.includes('kubectl'))).toEqual([]);
    const dir = path.join(project, '.spiremesh/secrets/example/cluster1');
    expect(fs.readdirSync(dir).sort()).toEqual(['cacerts.yaml', 'spiffe-upstream-ca.yaml']);
    const secret = YAML.parse(fs.readFileSync(path.join(dir, 'spiffe-upstream-ca.yaml'), 'utf8'));
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'spiffe-upstream-ca', namespace: 'spire-server' },
      type: 'Opaque',
    });
    expect(Object.keys(secret.stringData)).toEqual(['tls.crt', 'tls.key', 'bundle.crt']);
    expect(fs.statSync(path.join(dir, 'cacerts.yaml')).mode & 0o777).toBe(0o600);
    // The repository's .gitignore covers this folder.
    const ignored = execFileSync('git', ['check-ignore', '-v', '.spiremesh/secrets/example/cluster1/cacerts.yaml'], {
      cwd: repo,
      encoding: 'utf8',
    });
    expect(ignored).toContain('.gitignore');
  });

  test('kubectl without the keys on this machine: dist/ is still rendered, with a warning', () => {
    const project = tempDir();
    synthIn(project, { ...exampleProps(), pki: { delivery: CaDelivery.kubectl() } });
    fs.rmSync(path.join(project, '.spiremesh'), { recursive: true });
    const { result } = synthIn(project, { ...exampleProps(), pki: { delivery: CaDelivery.kubectl() } });
    expect(result.warnings).toContain(
      'cluster cluster1: CA keys are not on this machine, so the kubectl Secret manifests were not written (synthesize where the keys are kept)',
    );
  });

  test('cert-manager: no local CA at all; istiod gets a CA Certificate and SPIRE the cert-manager UpstreamAuthority', () => {
    const project = tempDir();
    const { tree } = synthIn(project, {
      ...exampleProps(),
      pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root', issuerKind: IssuerKind.CLUSTER_ISSUER }) },
    });
    expect(fs.existsSync(path.join(project, 'pki'))).toBe(false);
    expect(fs.existsSync(path.join(project, '.spiremesh'))).toBe(false);
    const cert = YAML.parse(tree['cluster1/pki/certificate_istio-system_istiod-ca.yaml']);
    expect(cert.spec).toMatchObject({
      isCA: true,
      secretName: 'cacerts',
      commonName: 'Intermediate CA',
      dnsNames: ['istiod.istio-system.svc'],
      subject: { organizations: ['Istio'], localities: ['cluster1'] },
      issuerRef: { name: 'mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' },
    });
    const server = JSON.parse(YAML.parse(tree['cluster1/spire/configmap_spire-server_spire-server.yaml']).data['server.conf']);
    const ua = server.plugins.UpstreamAuthority[0];
    expect(Object.keys(ua)).toEqual(['cert-manager']);
    expect(ua['cert-manager'].plugin_data).toMatchObject({ issuer_name: 'mesh-root', issuer_kind: 'ClusterIssuer' });
    expect(tree['README.md']).toContain('issued at run time (CA delivery: cert-manager)');
  });

  test('a fresh clone (public certificates, no key folder) synthesizes the example and creates or changes no key or certificate', () => {
    const project = tempDir();
    fs.cpSync(path.join(repo, 'pki', 'example'), path.join(project, 'pki', 'example'), { recursive: true });
    const certsBefore = readTree(path.join(project, 'pki'));
    const run = () => {
      const out = path.join(project, 'dist');
      const app = new App({ outdir: out });
      declareExampleMesh(app);
      return synthesize(app, { outdir: out, baseDir: project });
    };
    run();
    const second = run();
    expect(second.upToDate).toBe(true);
    expect(fs.existsSync(path.join(project, '.spiremesh'))).toBe(false);
    expect(readTree(path.join(project, 'pki'))).toEqual(certsBefore);
    // And the output equals the committed dist/.
    expect(readTree(path.join(project, 'dist'))).toEqual(readTree(path.join(repo, 'dist')));
  });
});
