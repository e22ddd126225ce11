import * as crypto from 'crypto';
import type * as forge from 'node-forge';
import { nodeForge } from './forge';
import { KeyAlgorithm } from '../spec/choices';
import { KeyGenerationOptions, generateRsaPrivateKeys, rsaKeyOptions } from './keygen-pool';

export type { KeyGenerationOptions } from './keygen-pool';

/** A freshly generated key pair, in both node-forge form (to sign) and PEM (to store). */
export interface GeneratedKeyPair {
  /** PKCS#8 PEM (the unencrypted PKCS#8 block), what `openssl genrsa` writes with OpenSSL 3. */
  readonly privateKeyPem: string;
  readonly privateKey: forge.pki.rsa.PrivateKey;
  readonly publicKey: forge.pki.rsa.PublicKey;
}

/**
 * Generates a key pair of the given algorithm with Node's native crypto (OpenSSL).
 *
 * node-forge's `pki.rsa.generateKeyPair` would also call `crypto.generateKeyPairSync`, but it
 * silently falls back to pure JavaScript as soon as anything in the process sets
 * `forge.options.usePureJavaScript` or passes a `prng` (digitalbazaar/forge lib/rsa.js, 1.4.3);
 * that path is 10-20x slower (measured on Node 20: about 2.4 s per RSA-2048 key, 25 s per RSA-4096).
 * Calling Node directly keeps the fast path whatever other modules do; node-forge only parses
 * the result, as it does internally.
 */
export function generateKeyPair(algorithm: KeyAlgorithm = KeyAlgorithm.RSA_2048): GeneratedKeyPair {
  return keyPairFromPem(crypto.generateKeyPairSync('rsa', rsaKeyOptions(algorithm.rsaBits)).privateKey);
}

/**
 * Generates one key pair per entry of `algorithms`, in that order, like {@link generateKeyPair}
 * but on every core: worker threads and the calling thread take keys from one queue
 * (keygen-pool.ts). Synchronous. When any key fails, none is returned (KEY_GENERATION error).
 */
export function generateKeyPairs(algorithms: readonly KeyAlgorithm[], options: KeyGenerationOptions = {}): GeneratedKeyPair[] {
  return generateRsaPrivateKeys(
    algorithms.map((a) => a.rsaBits),
    options,
  ).map(keyPairFromPem);
}

/** The modulus length of a generated key pair, in bits. */
export function keyPairBits(keys: GeneratedKeyPair): number {
  return keys.publicKey.n.bitLength();
}

function keyPairFromPem(privateKeyPem: string): GeneratedKeyPair {
  const privateKey = nodeForge().pki.privateKeyFromPem(privateKeyPem);
  const publicKey = nodeForge().pki.setRsaPublicKey(privateKey.n, privateKey.e);
  return { privateKeyPem, privateKey, publicKey };
}
