import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as forge from 'node-forge';
import { IntermediateKind, PkiStore, createRootCa, generateKeyPair, generateKeyPairs } from '../../lib/pki';
import { generateRsaPrivateKeys, keyGenerationThreads } from '../../lib/pki/keygen-pool';
import { KeyAlgorithm } from '../../lib/spec';
import { useRealKeyGeneration } from '../support/test-keys';
import { catchPkiError, openssl, opensslVerify, rmTmp, snapshotTree, tmpDir } from './helpers';

// This file tests key generation itself: no key from the run's pool (test/support/test-keys/pool.cjs).
useRealKeyGeneration();

/** The PEM label of a PKCS#8 key, assembled so that no committed file holds a key block marker. */
const PRIVATE_KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');

/*
 * Key generation on every core (keygen-pool.ts): worker threads and the calling thread take
 * keys from one queue behind a synchronous call. What matters: every key arrives, in order, each
 * distinct and valid; a failing key fails the whole call and nothing is written.
 */

/** Sizes the spec does not offer, to make OpenSSL work fast (1024) or refuse (256: "key size too small"). */
const RSA_1024 = { value: 'rsa-1024', rsaBits: 1024 } as unknown as KeyAlgorithm;
const TOO_SMALL = { value: 'rsa-256', rsaBits: 256 } as unknown as KeyAlgorithm;

const cleanup: string[] = [];
afterAll(() => cleanup.forEach(rmTmp));
const base = (prefix: string): string => {
  const d = tmpDir(prefix);
  cleanup.push(d);
  return d;
};

const modulus = (pem: string): string => crypto.createPrivateKey(pem).export({ format: 'jwk' }).n as string;
const bitsOf = (pem: string): number => crypto.createPrivateKey(pem).asymmetricKeyDetails?.modulusLength ?? 0;

describe('generateKeyPairs on several threads', () => {
  test('every key arrives, in the order asked, distinct, and readable by the system openssl', () => {
    const asked = [RSA_1024, KeyAlgorithm.RSA_2048, RSA_1024, RSA_1024, KeyAlgorithm.RSA_2048, RSA_1024, RSA_1024, RSA_1024];
    const pairs = generateKeyPairs(asked, { parallelism: 3 });
    expect(pairs.map((p) => bitsOf(p.privateKeyPem))).toEqual(asked.map((a) => a.rsaBits));
    expect(new Set(pairs.map((p) => modulus(p.privateKeyPem))).size).toBe(asked.length);
    const dir = base('keygen');
    pairs.forEach((p, i) => {
      expect(p.privateKeyPem.startsWith(`-----BEGIN ${PRIVATE_KEY_LABEL}-----\n`)).toBe(true); // PKCS#8, as `openssl genpkey` writes it
      expect(p.publicKey.n.bitLength()).toBe(asked[i].rsaBits);
      expect(p.privateKey.n.toString(16)).toBe(p.publicKey.n.toString(16));
      const file = path.join(dir, `k${i}.key`);
      fs.writeFileSync(file, p.privateKeyPem, { mode: 0o600 });
      expect(openssl('pkey', '-in', file, '-noout', '-text')).toContain(`Private-Key: (${asked[i].rsaBits} bit, 2 primes)`);
      expect(openssl('rsa', '-in', file, '-check', '-noout')).toContain('RSA key ok');
    });
  });

  test('one thread (no worker) and more threads than keys give the same kind of result', () => {
    for (const parallelism of [1, 8]) {
      const pems = generateRsaPrivateKeys([1024, 1024], { parallelism });
      expect(pems.map(bitsOf)).toEqual([1024, 1024]);
      expect(pems[0]).not.toBe(pems[1]);
    }
    expect(keyGenerationThreads(2, { parallelism: 8 })).toBe(2);
    expect(keyGenerationThreads(0, { parallelism: 8 })).toBe(1);
    expect(keyGenerationThreads(50, { parallelism: 3 })).toBe(3);
  });

  test('a refused key fails the whole call, naming the reason, with no key material', () => {
    // The first job keeps the calling thread busy, so the refused one is normally a worker's.
    const err = catchPkiError(() =>
      generateKeyPairs([KeyAlgorithm.RSA_2048, TOO_SMALL, RSA_1024, RSA_1024, RSA_1024, RSA_1024], { parallelism: 2 }),
    );
    expect(err.code).toBe('KEY_GENERATION');
    expect(err.reason).toContain('key size too small');
    expect(err.reason).toContain('no key was kept and nothing was written');
    expect(`${err.message}${err.reason}${err.fix}`).not.toMatch(new RegExp(`${PRIVATE_KEY_LABEL}|[A-Za-z0-9+/]{48,}`));
    // Refused on the calling thread too (it takes the first job).
    expect(catchPkiError(() => generateKeyPairs([TOO_SMALL, RSA_1024], { parallelism: 2 })).code).toBe('KEY_GENERATION');
    expect(catchPkiError(() => generateKeyPairs([TOO_SMALL], { parallelism: 1 })).code).toBe('KEY_GENERATION');
  });

  test('a parallelism that is not a whole number of threads is refused, naming it', () => {
    for (const bad of [0, 1.5, Number.NaN]) {
      const err = catchPkiError(() => generateKeyPairs([RSA_1024], { parallelism: bad }));
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.reason).toContain(`got ${bad}`);
    }
    const store = new PkiStore({ mesh: 'm', clusters: ['a'], baseDir: base('bad-parallelism'), keyGenerationParallelism: 0 });
    expect(catchPkiError(() => store.ensure()).code).toBe('INVALID_ARGUMENT');
    expect(fs.readdirSync(store.layout.baseDir)).toEqual([]);
  });

  test('a key pair given to a CA must have the key algorithm', () => {
    const err = catchPkiError(() => createRootCa({ keyAlgorithm: KeyAlgorithm.RSA_4096, keyPair: generateKeyPair() }));
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.reason).toContain('RSA-2048, but the key algorithm is rsa-4096');
  });
});

describe('PkiStore.ensure with many missing keys', () => {
  const CLUSTERS = ['c1', 'c2', 'c3', 'c4'];

  test('a mesh from nothing on two threads: every key distinct, 0600, matching its certificate, every chain valid for openssl', () => {
    const dir = base('parallel-mesh');
    const store = new PkiStore({ mesh: 'fleet', clusters: CLUSTERS, baseDir: dir, keyGenerationParallelism: 2 });
    const result = store.ensure();
    expect(result.created).toHaveLength(2 * (1 + 2 * CLUSTERS.length));
    const L = store.layout;
    const pairs = [
      { cert: L.rootCertFile, key: L.rootKeyFile },
      ...CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => ({ cert: L.certFile(c, k), key: L.keyFile(c, k) }))),
    ];
    const moduli = new Set<string>();
    for (const { cert, key } of pairs) {
      expect((fs.statSync(key).mode & 0o777).toString(8)).toBe('600');
      expect(key.startsWith(L.keyDir + path.sep)).toBe(true);
      expect(openssl('pkey', '-in', key, '-pubout')).toBe(openssl('x509', '-in', cert, '-noout', '-pubkey'));
      moduli.add(modulus(fs.readFileSync(key, 'utf8')));
      if (cert !== L.rootCertFile) {
        const verified = opensslVerify('-x509_strict', '-check_ss_sig', '-CAfile', L.rootCertFile, cert);
        expect(verified).toEqual({ ok: true, output: `${cert}: OK\n` });
      }
    }
    expect(moduli.size).toBe(pairs.length);
    // No key outside the key folder.
    for (const f of snapshotTree(L.publicDir).keys()) expect(f).not.toMatch(/\.key$/);
    expect(store.ensure().created).toEqual([]);
  });

  test('natively signed certificates verify with node-forge too (same signature encoding as forge writes)', () => {
    const dir = base('forge-verify');
    const store = new PkiStore({ mesh: 'fleet', clusters: ['c1'], baseDir: dir, keyGenerationParallelism: 2 });
    store.ensure();
    const root = forge.pki.certificateFromPem(fs.readFileSync(store.layout.rootCertFile, 'utf8'));
    expect(root.verify(root)).toBe(true);
    for (const kind of IntermediateKind.ALL) {
      const child = forge.pki.certificateFromPem(fs.readFileSync(store.layout.certFile('c1', kind), 'utf8'));
      expect(root.verify(child)).toBe(true);
      expect(child.signatureOid).toBe(forge.pki.oids.sha256WithRSAEncryption);
    }
  });

  test('a key that cannot be generated leaves nothing written: neither a new mesh nor new clusters of an existing one', () => {
    const dir = base('parallel-failure');
    const fresh = new PkiStore({ mesh: 'fleet', clusters: CLUSTERS, baseDir: dir, keyAlgorithm: TOO_SMALL, keyGenerationParallelism: 2 });
    const err = catchPkiError(() => fresh.ensure());
    expect(err.code).toBe('KEY_GENERATION');
    expect(fs.readdirSync(dir)).toEqual([]);

    new PkiStore({ mesh: 'fleet', clusters: ['c1'], baseDir: dir }).ensure();
    const before = new Map([...snapshotTree(dir)]);
    const grown = new PkiStore({ mesh: 'fleet', clusters: CLUSTERS, baseDir: dir, keyAlgorithm: TOO_SMALL, keyGenerationParallelism: 2 });
    expect(catchPkiError(() => grown.ensure()).code).toBe('KEY_GENERATION');
    expect(snapshotTree(dir)).toEqual(before);
  });
});
