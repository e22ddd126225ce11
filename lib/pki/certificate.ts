import * as crypto from 'crypto';
import type * as forge from 'node-forge';
import { nodeForge } from './forge';
import { PkiError, PkiFileLocation } from './errors';

/** A CA certificate together with its private key, in memory (what signs the next level). */
export interface CertificateAuthority {
  readonly cert: forge.pki.Certificate;
  /** The certificate as LF-terminated PEM. */
  readonly certPem: string;
  readonly key: forge.pki.rsa.PrivateKey;
  /** The private key as PEM (PKCS#8 when generated here). Never log it. */
  readonly keyPem: string;
}

/** The facts about a certificate that checks, status and warnings need. */
export interface CertificateInfo {
  /** The certificate as LF-terminated PEM. */
  readonly pem: string;
  readonly cert: forge.pki.Certificate;
  /** Subject in RDN order, openssl style, e.g. `O=Istio, CN=Intermediate CA, L=east`. */
  readonly subject: string;
  readonly issuer: string;
  /** Serial number, lower-case hex. */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** e.g. `RSA-2048`. */
  readonly keyAlgorithm: string;
  /** basicConstraints cA. */
  readonly isCa: boolean;
}

/** node-forge writes CRLF PEM; committed files and Secret values use LF so git diffs stay clean. */
export function certificateToPem(cert: forge.pki.Certificate): string {
  return normalizePem(nodeForge().pki.certificateToPem(cert));
}

/** CRLF to LF, exactly one trailing newline. */
export function normalizePem(pem: string): string {
  return pem.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');
}

/** Formats a forge distinguished name as `A=v, B=w` in encoding order. */
export function formatName(name: forge.pki.Certificate['subject']): string {
  return name.attributes.map((a) => `${a.shortName ?? a.name ?? a.type}=${String(a.value)}`).join(', ');
}

/** Parses exactly one PEM certificate; failures name the file. */
export function inspectCertificate(pem: string, where: PkiFileLocation): CertificateInfo {
  const count = (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
  if (count !== 1) {
    throw new PkiError({
      ...where,
      code: 'UNREADABLE',
      reason: `expected exactly one PEM certificate, found ${count}.`,
      fix: 'restore the file from git (public certificates are committed), e.g. `git checkout -- <file>`.',
    });
  }
  let cert: forge.pki.Certificate;
  try {
    cert = nodeForge().pki.certificateFromPem(pem);
  } catch (e) {
    throw new PkiError({
      ...where,
      code: 'UNREADABLE',
      reason: `not a readable RSA X.509 certificate (${(e as Error).message}).`,
      fix: 'restore the file from git; only RSA certificates are supported.',
    });
  }
  const bc = cert.getExtension('basicConstraints') as { cA?: boolean } | undefined;
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  return {
    pem: normalizePem(pem),
    cert,
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    serial: cert.serialNumber.toLowerCase(),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    keyAlgorithm: `RSA-${publicKey.n.bitLength()}`,
    isCa: bc?.cA === true,
  };
}

/**
 * Parses a private key PEM (PKCS#8 or PKCS#1, unencrypted). The error never quotes the content
 * nor the parser's message (which could echo it).
 */
export function parsePrivateKey(pem: string, where: PkiFileLocation): forge.pki.rsa.PrivateKey {
  return forgePrivateKey(parsePrivateKeyObject(pem, where), where);
}

/**
 * Parses a private key PEM natively (OpenSSL validates the structure): an unencrypted RSA key,
 * PKCS#8 or PKCS#1. Errors as {@link parsePrivateKey}.
 */
export function parsePrivateKeyObject(pem: string, where: PkiFileLocation): crypto.KeyObject {
  if (/ENCRYPTED PRIVATE KEY|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new PkiError({
      ...where,
      code: 'UNREADABLE',
      reason: 'the private key is passphrase-encrypted, which this library does not support.',
      fix: 'decrypt it into the key directory (mode 0600), e.g. `openssl pkey -in enc.key -out <file>`.',
    });
  }
  try {
    const keyObject = crypto.createPrivateKey({ key: pem, format: 'pem' });
    if (keyObject.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    return keyObject;
  } catch {
    throw unreadableKey(where);
  }
}

/** A natively parsed RSA private key in node-forge form (to sign with forge), via PKCS#8. */
export function forgePrivateKey(keyObject: crypto.KeyObject, where: PkiFileLocation): forge.pki.rsa.PrivateKey {
  try {
    return nodeForge().pki.privateKeyFromPem(keyObject.export({ type: 'pkcs8', format: 'pem' }).toString());
  } catch {
    throw unreadableKey(where);
  }
}

function unreadableKey(where: PkiFileLocation): PkiError {
  return new PkiError({
    ...where,
    code: 'UNREADABLE',
    reason: 'not a readable unencrypted RSA private key.',
    fix: 'restore the key from its backup into the key directory (mode 0600).',
  });
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

/**
 * Mesh and cluster names become folder names and subject attributes, so they are restricted to
 * letters, digits, `-` and `_` (no dots, no slashes: no path traversal, no clash with `*.crt`).
 */
export function assertValidName(what: 'mesh' | 'cluster', name: string): void {
  if (!NAME.test(name)) {
    throw new PkiError({
      code: 'INVALID_ARGUMENT',
      reason: `invalid ${what} name "${name}".`,
      fix: `use 1-63 letters, digits, "-" or "_", starting and ending with a letter or digit.`,
    });
  }
}
