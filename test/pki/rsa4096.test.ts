import { IntermediateKind, PkiStore, pkiStatus } from '../../lib/pki';
import { KeyAlgorithm } from '../../lib/spec';
import { openssl, opensslVerify, rmTmp, tmpDir } from './helpers';

/* RSA 4096 (Istio's tools/certs default). Kept to one small mesh: 4096-bit keygen is slow. */

let base: string;
afterAll(() => rmTmp(base));

test('a one-cluster RSA-4096 hierarchy verifies with openssl', () => {
  base = tmpDir('rsa4096');
  const store = new PkiStore({ mesh: 'big', clusters: ['east'], baseDir: base, keyAlgorithm: KeyAlgorithm.RSA_4096 });
  expect(store.ensure().created).toHaveLength(6);

  const root = store.layout.rootCertFile;
  expect(openssl('x509', '-in', root, '-noout', '-text')).toContain('Public-Key: (4096 bit)');
  for (const kind of IntermediateKind.ALL) {
    const f = store.layout.certFile('east', kind);
    expect(openssl('x509', '-in', f, '-noout', '-text')).toContain('Public-Key: (4096 bit)');
    expect(opensslVerify('-x509_strict', '-CAfile', root, f).ok).toBe(true);
    expect(openssl('pkey', '-in', store.layout.keyFile('east', kind), '-pubout')).toBe(openssl('x509', '-in', f, '-noout', '-pubkey'));
  }
  expect(pkiStatus(store).map((r) => r.keyAlgorithm)).toEqual(['RSA-4096', 'RSA-4096', 'RSA-4096']);
});
