import * as fs from 'fs';
import fsModule from 'fs';
import * as path from 'path';
import {
  IntermediateKind,
  PkiError,
  PkiStore,
  PkiStoreProps,
  expiringWithin,
  formatStatusTable,
  pkiStatus,
  rotateIntermediate,
} from '../../lib/pki';
import { SpiremeshError, redactPrivateKeys } from '../../lib/spec';
import { catchPkiError, cloneBase, openssl, opensslVerify, rmTmp, snapshotTree, tmpDir } from './helpers';

/*
 * Key custody: what ensure / loadPublic / export / rotateIntermediate / pkiStatus do on disk, and
 * the errors they raise. Two meshes are generated once; each test works on a copy.
 */

const CLUSTERS = ['east', 'west'];
const DAY_MS = 86_400_000;

let meshA: string;
let meshB: string;
const cleanup: string[] = [];

const storeAt = (baseDir: string, extra: Partial<PkiStoreProps> = {}): PkiStore =>
  new PkiStore({ mesh: 'demo', clusters: CLUSTERS, baseDir, ...extra });

const clone = (src: string, prefix: string): string => {
  const d = cloneBase(src, prefix);
  cleanup.push(d);
  return d;
};

/** Fixes name commands a user can run (`spiremesh pki ...`), never library calls. */
function expectCommandFix(err: PkiError): void {
  expect(err.fix).not.toMatch(/\b(ensure|rotateIntermediate|export|loadPublic)\(/);
  expect(err.fix).toContain('`spiremesh pki ');
}

/** No key material, no long base64 run, in any field of the error. */
function expectNoKeyMaterial(err: PkiError): void {
  for (const text of [err.message, err.reason, err.fix]) {
    expect(text).not.toMatch(/PRIVATE KEY-----/);
    expect(text).not.toMatch(/[A-Za-z0-9+/]{48,}/);
  }
}

beforeAll(() => {
  meshA = tmpDir('store-a');
  meshB = tmpDir('store-b');
  storeAt(meshA).ensure();
  storeAt(meshB).ensure();
});

afterAll(() => {
  for (const d of [meshA, meshB, ...cleanup]) rmTmp(d);
});

describe('ensure', () => {
  test('layout, modes, and keys only in the key directory', () => {
    const s = storeAt(meshA);
    expect(s.layout.publicDir).toBe(path.join(meshA, 'pki', 'demo'));
    expect(s.layout.keyDir).toBe(path.join(meshA, '.spiremesh', 'keys', 'demo'));
    const keyFiles = [s.layout.rootKeyFile, ...CLUSTERS.flatMap((c) => IntermediateKind.ALL.map((k) => s.layout.keyFile(c, k)))];
    for (const f of keyFiles) expect((fs.statSync(f).mode & 0o777).toString(8)).toBe('600');
    for (const d of [path.join(meshA, '.spiremesh', 'keys'), s.layout.keyDir, ...CLUSTERS.map((c) => path.join(s.layout.keyDir, c))]) {
      expect((fs.statSync(d).mode & 0o777).toString(8)).toBe('700');
    }
    const publicFiles = [...snapshotTree(s.layout.publicDir).keys()].filter((f) => f.endsWith('.crt') || f.endsWith('.key'));
    expect(publicFiles.sort()).toEqual(
      [
        'root-ca.crt',
        'east/istio-intermediate.crt',
        'east/spire-intermediate.crt',
        'west/istio-intermediate.crt',
        'west/spire-intermediate.crt',
      ].sort(),
    );
    for (const f of publicFiles) expect(fs.readFileSync(path.join(s.layout.publicDir, f), 'utf8')).not.toContain('PRIVATE KEY');
    // No leftover temp files anywhere.
    expect([...snapshotTree(meshA).keys()].filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a second run creates and changes nothing (bytes, mtimes, modes)', () => {
    const base = clone(meshA, 'twice');
    const before = snapshotTree(base);
    const result = storeAt(base).ensure();
    expect(result.created).toEqual([]);
    expect(result.reused).toHaveLength(5);
    expect(result.keysAbsent).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(snapshotTree(base)).toEqual(before);
  });

  test('a new cluster gets only its own two intermediates', () => {
    const base = clone(meshA, 'grow');
    const before = snapshotTree(base);
    const result = storeAt(base, { clusters: [...CLUSTERS, 'north'] }).ensure();
    expect(result.created.map((f) => path.relative(base, f)).sort()).toEqual(
      [
        '.spiremesh/keys/demo/north/istio-intermediate.key',
        '.spiremesh/keys/demo/north/spire-intermediate.key',
        'pki/demo/north/istio-intermediate.crt',
        'pki/demo/north/spire-intermediate.crt',
      ].sort(),
    );
    const after = snapshotTree(base);
    for (const [file, state] of before) {
      if (!file.startsWith('pki/demo') || file === 'pki/demo') continue; // folders gain an entry
      if (fs.statSync(path.join(base, file)).isDirectory()) continue;
      expect(after.get(file)).toBe(state);
    }
    const s = storeAt(base, { clusters: [...CLUSTERS, 'north'] });
    expect(opensslVerify('-x509_strict', '-CAfile', s.layout.rootCertFile, s.layout.certFile('north', IntermediateKind.ISTIO)).ok).toBe(
      true,
    );
  });

  test('file systems without hard links: exclusive copy, same modes', () => {
    const base = clone(meshA, 'nolink');
    const spy = jest.spyOn(fsModule, 'linkSync').mockImplementation(() => {
      throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
    });
    try {
      const s = storeAt(base, { clusters: ['north'] });
      expect(s.ensure().created).toHaveLength(4);
      expect((fs.statSync(s.layout.keyFile('north', IntermediateKind.SPIRE)).mode & 0o777).toString(8)).toBe('600');
      expect((fs.statSync(s.layout.certFile('north', IntermediateKind.SPIRE)).mode & 0o777).toString(8)).toBe('644');
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect([...snapshotTree(base).keys()].filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('a missing intermediate without the root key fails, naming the root key file and how to restore it', () => {
    const base = clone(meshA, 'noroot');
    const s = storeAt(base, { clusters: [...CLUSTERS, 'north'] });
    fs.rmSync(s.layout.rootKeyFile);
    const before = snapshotTree(base);
    const err = catchPkiError(() => s.ensure());
    expect(err.code).toBe('MISSING_ROOT_KEY');
    expect(err.cluster).toBe('north');
    expect(err.file).toBe(s.layout.rootKeyFile);
    expect(err.message).toContain(s.layout.rootKeyFile);
    expect(err.message).toContain('north/spire-intermediate.crt');
    expect(err.fix).toMatch(/restore the root key from its offline backup/);
    expect(err.fix).toContain('then run `spiremesh pki init` again');
    expect(snapshotTree(base)).toEqual(before);
    expectNoKeyMaterial(err);
  });

  test('never regenerates a root when intermediates exist', () => {
    const base = clone(meshA, 'rootgone');
    const s = storeAt(base);
    fs.rmSync(s.layout.rootCertFile);
    fs.rmSync(s.layout.rootKeyFile);
    const err = catchPkiError(() => s.ensure());
    expect(err.code).toBe('MISSING_FILE');
    expect(err.file).toBe(s.layout.rootCertFile);
    expect(err.fix).toContain('git checkout');
    expect(fs.existsSync(s.layout.rootCertFile)).toBe(false);
  });

  test('a key without its certificate is an orphan, not a reason to regenerate', () => {
    const base = clone(meshA, 'orphan');
    const s = storeAt(base);
    const certFile = s.layout.certFile('east', IntermediateKind.SPIRE);
    fs.rmSync(certFile);
    const err = catchPkiError(() => s.ensure());
    expect(err.code).toBe('ORPHAN_KEY');
    expect(err.cluster).toBe('east');
    expect(err.message).toContain(certFile);
    expectCommandFix(err);
    expect(fs.existsSync(certFile)).toBe(false);
    // loadPublic names the missing file too.
    const err2 = catchPkiError(() => s.loadPublic());
    expect(err2.code).toBe('MISSING_FILE');
    expect(err2.message).toContain('cluster "east"');
    expect(err2.message).toContain(certFile);
  });

  test('a key readable by group/others is refused, like ssh does', () => {
    const base = clone(meshA, 'perms');
    const s = storeAt(base);
    const keyFile = s.layout.keyFile('west', IntermediateKind.ISTIO);
    fs.chmodSync(keyFile, 0o644);
    const err = catchPkiError(() => s.ensure());
    expect(err.code).toBe('INSECURE_PERMISSIONS');
    expect(err.cluster).toBe('west');
    expect(err.fix).toBe(`chmod 600 ${keyFile}`);
  });
});

describe('loadPublic (fresh clone: certificates only)', () => {
  test('works with the key directory deleted; ensure then reuses and reports the absent keys', () => {
    const base = clone(meshA, 'nokeys');
    const s = storeAt(base);
    fs.rmSync(path.join(base, '.spiremesh'), { recursive: true });
    const pub = s.loadPublic();
    expect(Object.keys(pub.clusters)).toEqual(CLUSTERS);
    expect(pub.root.subject).toBe('CN=SPIRE Root CA');
    expect(pub.clusters.west.istioIntermediate.subject).toBe('O=Istio, CN=Intermediate CA, L=west');
    expect(pub.clusters.west.spireUpstreamCa['bundle.crt']).toBe(pub.rootPem);
    expect(pub.warnings).toEqual([]);
    expect(fs.existsSync(path.join(base, '.spiremesh'))).toBe(false);

    const before = snapshotTree(base);
    const result = s.ensure();
    expect(result.created).toEqual([]);
    expect(result.keysAbsent).toHaveLength(5);
    expect(snapshotTree(base)).toEqual(before);

    const err = catchPkiError(() => s.export('east'));
    expect(err.code).toBe('MISSING_FILE');
    expect(err.cluster).toBe('east');
    expect(err.file).toBe(s.layout.keyFile('east', IntermediateKind.SPIRE));
    expect(pkiStatus(s).every((r) => !r.keyPresent)).toBe(true);
  });

  test('a key that does not match its certificate fails, naming cluster and key file', () => {
    const base = clone(meshA, 'mismatch');
    const s = storeAt(base);
    const keyFile = s.layout.keyFile('east', IntermediateKind.ISTIO);
    fs.copyFileSync(storeAt(meshB).layout.keyFile('east', IntermediateKind.ISTIO), keyFile);
    fs.chmodSync(keyFile, 0o600);
    for (const op of [() => s.ensure(), () => s.export('east')]) {
      const err = catchPkiError(op);
      expect(err.code).toBe('KEY_MISMATCH');
      expectCommandFix(err);
      expect(err.cluster).toBe('east');
      expect(err.file).toBe(keyFile);
      expect(err.message).toContain('cluster "east"');
      expect(err.message).toContain(keyFile);
      expect(err.message).toContain('istio-intermediate.crt');
      expectNoKeyMaterial(err);
    }
    // Certificates alone are still consistent: synthesis is unaffected.
    expect(() => s.loadPublic()).not.toThrow();
    const row = pkiStatus(s).find((r) => r.cluster === 'east' && r.role === 'istio');
    expect(row).toMatchObject({ state: 'invalid', keyMatches: false, chainVerified: true });
  });

  test('an intermediate from another root fails, naming cluster and file', () => {
    const base = clone(meshA, 'chain');
    const s = storeAt(base);
    const certFile = s.layout.certFile('west', IntermediateKind.SPIRE);
    fs.copyFileSync(storeAt(meshB).layout.certFile('west', IntermediateKind.SPIRE), certFile);
    // Both roots are "CN=SPIRE Root CA": only the key identifier and signature tell them apart.
    expect(opensslVerify('-x509_strict', '-CAfile', s.layout.rootCertFile, certFile).ok).toBe(false);
    for (const op of [() => s.loadPublic(), () => s.ensure(), () => s.export('west')]) {
      const err = catchPkiError(op);
      expect(err.code).toBe('CHAIN_INVALID');
      expectCommandFix(err);
      expect(err.cluster).toBe('west');
      expect(err.file).toBe(certFile);
      expect(err.message).toContain('cluster "west"');
      expect(err.message).toContain(certFile);
      expectNoKeyMaterial(err);
    }
    expect(pkiStatus(s).find((r) => r.cluster === 'west' && r.role === 'spire')).toMatchObject({ state: 'invalid', chainVerified: false });
  });
});

describe('expiry (injected clock)', () => {
  // "now" for the test; the mesh was created 400 days earlier with a 365-day SPIRE intermediate
  // (expired 35 days ago) and a 410-day Istio intermediate (expires in 10 days).
  const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
  const T0 = new Date(NOW.getTime() - 400 * DAY_MS);
  let base: string;
  const timeline = (now: Date): PkiStore =>
    new PkiStore({ mesh: 'aged', clusters: ['east'], baseDir: base, now, spireValidityDays: 365, istioValidityDays: 410 });

  beforeAll(() => {
    base = tmpDir('expiry');
    cleanup.push(base);
    timeline(T0).ensure();
  });

  test('an expired intermediate fails to load, naming cluster and file', () => {
    const s = timeline(NOW);
    const certFile = s.layout.certFile('east', IntermediateKind.SPIRE);
    for (const op of [() => s.loadPublic(), () => s.ensure(), () => s.export('east')]) {
      const err = catchPkiError(op);
      expect(err.code).toBe('EXPIRED');
      expect(err.cluster).toBe('east');
      expect(err.file).toBe(certFile);
      expect(err.message).toContain('cluster "east"');
      expect(err.message).toContain(certFile);
      expect(err.message).toMatch(/expired on/);
      expect(err.fix).toContain('run `spiremesh pki rotate --cluster east --which spire`');
      expectCommandFix(err);
    }
  });

  test('expiry warnings: within 30 days by default, expired ones included', () => {
    const s = timeline(NOW);
    const warnings = expiringWithin(s);
    expect(warnings.map((w) => [w.cluster, w.role, w.daysLeft])).toEqual([
      ['east', 'spire', -35],
      ['east', 'istio', 10],
    ]);
    expect(warnings[1].message).toContain('cluster "east" istio intermediate');
    expect(warnings[1].message).toContain(s.layout.certFile('east', IntermediateKind.ISTIO));
    expect(warnings[1].message).toMatch(/Fix: run `spiremesh pki rotate --cluster east --which istio`\.$/);
    expect(expiringWithin(s, 5).map((w) => w.role)).toEqual(['spire']);
    const states = pkiStatus(s).map((r) => [r.role, r.state]);
    expect(states).toEqual([
      ['root', 'ok'],
      ['spire', 'expired'],
      ['istio', 'expiring'],
    ]);
  });

  test('rotation replaces the expired intermediate; loadPublic then warns about the other one', () => {
    const s = timeline(NOW);
    const rotated = rotateIntermediate(s, 'east', IntermediateKind.SPIRE);
    expect(rotated.notAfter.getTime()).toBe(NOW.getTime() + 365 * DAY_MS);
    const pub = s.loadPublic();
    expect(pub.warnings.map((w) => [w.role, w.daysLeft])).toEqual([['istio', 10]]);
    const retired = pkiStatus(s).find((r) => r.retired);
    expect(retired).toMatchObject({ role: 'spire', state: 'expired', chainVerified: true, keyPresent: true, keyMatches: true });
  });

  test('an expired root fails, naming the root file', () => {
    const rootBase = tmpDir('oldroot');
    cleanup.push(rootBase);
    new PkiStore({ mesh: 'old', clusters: [], baseDir: rootBase, now: T0, rootValidityDays: 30 }).ensure();
    const s = new PkiStore({ mesh: 'old', clusters: [], baseDir: rootBase, now: NOW });
    const err = catchPkiError(() => s.loadPublic());
    expect(err.code).toBe('EXPIRED');
    expect(err.cluster).toBeUndefined();
    expect(err.file).toBe(s.layout.rootCertFile);
    expect(err.message).toContain('PKI problem in mesh "old":');
    expect(err.message).toContain(`error [pki] mesh root CA, ${s.layout.rootCertFile}: `);
  });
});

describe('rotateIntermediate', () => {
  test('keeps the old certificate and key; the new one verifies against the same root', () => {
    const base = clone(meshA, 'rotate');
    const s = storeAt(base);
    const certFile = s.layout.certFile('east', IntermediateKind.SPIRE);
    const oldPem = fs.readFileSync(certFile, 'utf8');
    const oldKeyPem = fs.readFileSync(s.layout.keyFile('east', IntermediateKind.SPIRE), 'utf8');
    const oldSerial = openssl('x509', '-in', certFile, '-noout', '-serial').trim().replace('serial=', '').toLowerCase();
    const rootBefore = fs.readFileSync(s.layout.rootCertFile, 'utf8');

    const r = rotateIntermediate(s, 'east', IntermediateKind.SPIRE);
    expect(r.retiredSerial).toBe(oldSerial);
    expect(r.retiredCertFile).toBe(path.join(base, 'pki', 'demo', 'east', 'retired', `spire-intermediate.${oldSerial}.crt`));
    expect(fs.readFileSync(r.retiredCertFile, 'utf8')).toBe(oldPem);
    expect(fs.readFileSync(r.retiredKeyFile!, 'utf8')).toBe(oldKeyPem);
    expect((fs.statSync(r.retiredKeyFile!).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(path.dirname(r.retiredKeyFile!)).mode & 0o777).toString(8)).toBe('700');

    const newPem = fs.readFileSync(certFile, 'utf8');
    expect(newPem).not.toBe(oldPem);
    expect(r.serial).not.toBe(oldSerial);
    expect(fs.readFileSync(s.layout.rootCertFile, 'utf8')).toBe(rootBefore);
    for (const f of [certFile, r.retiredCertFile]) {
      expect(opensslVerify('-x509_strict', '-CAfile', s.layout.rootCertFile, f).ok).toBe(true);
    }
    expect(openssl('pkey', '-in', r.keyFile, '-pubout')).toBe(openssl('x509', '-in', certFile, '-noout', '-pubkey'));
    expect(openssl('x509', '-in', certFile, '-noout', '-subject').trim()).toBe('subject=CN = SPIRE east CA');

    // Everything is consistent afterwards: ensure is a no-op, export ships the new intermediate.
    const before = snapshotTree(base);
    expect(s.ensure().created).toEqual([]);
    expect(snapshotTree(base)).toEqual(before);
    expect(s.export('east').spireUpstreamCa.stringData()['tls.crt']).toBe(newPem);
    const rows = pkiStatus(s).filter((row) => row.cluster === 'east' && row.role === 'spire');
    expect(rows.map((row) => [row.retired, row.state, row.serial])).toEqual([
      [false, 'ok', r.serial],
      [true, 'ok', oldSerial],
    ]);

    // A second rotation keeps both earlier certificates.
    rotateIntermediate(s, 'east', IntermediateKind.SPIRE);
    expect(s.layout.retiredCertFiles('east', IntermediateKind.SPIRE)).toHaveLength(2);
  });

  test('needs the root key and a known cluster; changes nothing otherwise', () => {
    const base = clone(meshA, 'rotate-noroot');
    const s = storeAt(base);
    fs.rmSync(s.layout.rootKeyFile);
    const before = snapshotTree(base);
    const err = catchPkiError(() => rotateIntermediate(s, 'west', IntermediateKind.ISTIO));
    expect(err.code).toBe('MISSING_ROOT_KEY');
    expect(err.fix).toContain('then run `spiremesh pki rotate --cluster west --which istio` again');
    expect(err.cluster).toBe('west');
    expect(err.file).toBe(s.layout.rootKeyFile);
    expect(snapshotTree(base)).toEqual(before);
    expect(catchPkiError(() => rotateIntermediate(s, 'nowhere', IntermediateKind.ISTIO)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('status, names and errors', () => {
  test('status rows: subject, issuer, not-after, days left, chain verified', () => {
    const rows = pkiStatus(storeAt(meshA));
    expect(rows.map((r) => [r.cluster ?? '(root)', r.role, r.subject, r.issuer, r.chainVerified, r.state, r.keyAlgorithm])).toEqual([
      ['(root)', 'root', 'CN=SPIRE Root CA', 'CN=SPIRE Root CA', true, 'ok', 'RSA-2048'],
      ['east', 'spire', 'CN=SPIRE east CA', 'CN=SPIRE Root CA', true, 'ok', 'RSA-2048'],
      ['east', 'istio', 'O=Istio, CN=Intermediate CA, L=east', 'CN=SPIRE Root CA', true, 'ok', 'RSA-2048'],
      ['west', 'spire', 'CN=SPIRE west CA', 'CN=SPIRE Root CA', true, 'ok', 'RSA-2048'],
      ['west', 'istio', 'O=Istio, CN=Intermediate CA, L=west', 'CN=SPIRE Root CA', true, 'ok', 'RSA-2048'],
    ]);
    expect(rows[0].daysLeft).toBeGreaterThanOrEqual(3649);
    expect(rows[1].daysLeft).toBeGreaterThanOrEqual(1824);
    expect(rows[1].notAfter).toBeInstanceOf(Date);
    const table = formatStatusTable(rows);
    expect(table.split('\n')).toHaveLength(6);
    expect(table).toContain('O=Istio, CN=Intermediate CA, L=west');
    const missing = pkiStatus(storeAt(meshA, { clusters: ['east', 'south'] })).filter((r) => r.cluster === 'south');
    expect(missing.map((r) => r.state)).toEqual(['missing', 'missing']);
  });

  test('invalid names and duplicates are refused', () => {
    expect(catchPkiError(() => new PkiStore({ mesh: '../x', clusters: [] })).code).toBe('INVALID_ARGUMENT');
    expect(catchPkiError(() => new PkiStore({ mesh: 'm', clusters: ['a.b'] })).message).toMatch(/invalid cluster name "a.b"/);
    expect(catchPkiError(() => new PkiStore({ mesh: 'm', clusters: ['a', 'a'] })).message).toMatch(/duplicate/);
  });

  test('PkiError redacts private key blocks in every field', () => {
    const key = fs.readFileSync(storeAt(meshA).layout.rootKeyFile, 'utf8');
    const err = new PkiError({ code: 'UNREADABLE', cluster: 'east', file: 'k.key', reason: `bad ${key}`, fix: `see ${key.slice(0, 80)}` });
    expect(err.message).not.toContain(key.split('\n')[1]);
    expect(err.reason).toBe('bad [REDACTED PRIVATE KEY]\n');
    expect(err.fix).toBe('see [REDACTED PRIVATE KEY]');
    expect(err.message).toMatch(/^PKI problem:\n {2}error \[pki\] cluster "east", k\.key: bad \[REDACTED PRIVATE KEY\]/);
    expect(err.findings[0].message).toBe(err.reason);
    expect(redactPrivateKeys('no key here')).toBe('no key here');
  });

  test('PkiError is a SpiremeshError with one pki finding: subject is the cluster or root CA and the file', () => {
    const err = new PkiError({
      code: 'MISSING_FILE',
      mesh: 'demo',
      cluster: 'east',
      file: 'pki/demo/east/spire-intermediate.crt',
      reason: 'the certificate file does not exist.',
      fix: 'restore it from git.',
    });
    expect(err).toBeInstanceOf(SpiremeshError);
    expect(err.name).toBe('PkiError');
    expect(err.findings).toEqual([
      {
        severity: 'error',
        source: 'pki',
        subject: 'cluster "east", pki/demo/east/spire-intermediate.crt',
        message: 'the certificate file does not exist.',
        fix: 'restore it from git.',
      },
    ]);
    expect(err.message).toBe(
      'PKI problem in mesh "demo":\n' +
        '  error [pki] cluster "east", pki/demo/east/spire-intermediate.crt: the certificate file does not exist.\n' +
        '      fix: restore it from git.',
    );
    const root = new PkiError({ code: 'EXPIRED', mesh: 'demo', file: 'pki/demo/root-ca.crt', reason: 'r', fix: 'f' });
    expect(root.findings[0].subject).toBe('mesh root CA, pki/demo/root-ca.crt');
    expect(new PkiError({ code: 'INVALID_ARGUMENT', reason: 'r', fix: 'f' }).findings[0].subject).toBeUndefined();
  });
});
