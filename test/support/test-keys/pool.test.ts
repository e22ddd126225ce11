/**
 * The run's key pool (pool.cjs) keeps what the tests rely on: within one test file every key is
 * distinct, in-process and in the processes the file starts, and only what lib/pki asks for
 * (RSA-2048, PKCS#8 and SPKI PEM) comes from the pool.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import { KeyAlgorithm } from '../../../lib/spec';
import { generateKeyPair, generateKeyPairs } from '../../../lib/pki';

const modulus = (pem: string): string => crypto.createPrivateKey(pem).export({ format: 'jwk' }).n as string;
// The module object itself: an `import * as` namespace copies string keys only, not the pool's symbol.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const control = (require('crypto') as Record<symbol, { served(): number } | undefined>)[Symbol.for('spiremesh.test-key-pool')];

/** A key generated in a new Node process started the way tests start the CLI (inheriting this environment). */
function keyFromChildProcess(): string {
  const script = `const { generateKeyPairSync } = require('crypto');
process.stdout.write(generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001,
  publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } }).privateKey);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env } });
  expect(r.status).toBe(0);
  return r.stdout;
}

test('the run has a pool, and this file draws from it', () => {
  expect(process.env.SPIREMESH_TEST_KEY_POOL).toBeTruthy();
  expect(control).toBeDefined();
  const before = control!.served();
  generateKeyPair(KeyAlgorithm.RSA_2048);
  expect(control!.served()).toBe(before + 1);
});

test('every key of one file is distinct: in-process, on several threads and in a child process', () => {
  const keys = [
    generateKeyPair(KeyAlgorithm.RSA_2048).privateKeyPem,
    ...generateKeyPairs([KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_2048, KeyAlgorithm.RSA_2048], { parallelism: 2 }).map(
      (k) => k.privateKeyPem,
    ),
    keyFromChildProcess(),
    keyFromChildProcess(),
  ];
  expect(new Set(keys.map(modulus)).size).toBe(keys.length);
  for (const k of keys) expect(crypto.createPrivateKey(k).asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
});

test('a request the pool does not hold (another size) is generated for real', () => {
  const before = control!.served();
  const { privateKey } = crypto.generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  expect(crypto.createPrivateKey(privateKey).asymmetricKeyDetails?.modulusLength).toBe(1024);
  expect(control!.served()).toBe(before);
});
