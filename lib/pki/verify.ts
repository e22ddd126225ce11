import * as crypto from 'crypto';
import { CertificateInfo } from './certificate';
import { PkiError, PkiFileLocation } from './errors';
import { pkiRotate } from './fixes';
import { IntermediateKindId } from './intermediate-kind';

/*
 * Checks run with Node's X509Certificate (native OpenSSL), not node-forge: the verifier is then
 * independent of the library that generated the certificates.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Default look-ahead of expiry warnings, in days. */
export const DEFAULT_WARN_WITHIN_DAYS = 30;

/** Role of a CA certificate in the mesh hierarchy. */
export type CaRole = 'root' | IntermediateKindId;

/** Whole days from `now` until `notAfter` (negative once expired). */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/**
 * The native parse of a certificate, once per {@link CertificateInfo}: the root is the issuer in
 * every chain check (two per cluster), and a certificate's chain and key checks share one parse.
 */
const NATIVE = new WeakMap<CertificateInfo, crypto.X509Certificate>();

function nativeCertificate(info: CertificateInfo): crypto.X509Certificate {
  let x509 = NATIVE.get(info);
  if (x509 === undefined) {
    x509 = new crypto.X509Certificate(info.pem);
    NATIVE.set(info, x509);
  }
  return x509;
}

/** Why `child` does not verify against `issuer`, or undefined when it does. */
export function chainProblem(child: CertificateInfo, issuer: CertificateInfo): string | undefined {
  const c = nativeCertificate(child);
  const i = nativeCertificate(issuer);
  if (!i.ca) return `the issuer "${issuer.subject}" is not a CA.`;
  // X509_check_issued: issuer DN == child's issuer DN, child's AKI == issuer's SKI, keyCertSign.
  if (!c.checkIssued(i)) {
    return `it was not issued by the mesh root "${issuer.subject}" (serial ${issuer.serial}): issuer name or authority key identifier differ.`;
  }
  if (!c.verify(i.publicKey)) {
    return `its signature does not verify with the public key of the mesh root (serial ${issuer.serial}); it belongs to another root with the same name.`;
  }
  return undefined;
}

/** Throws CHAIN_INVALID when `child` was not issued by `root`. */
export function assertIssuedBy(child: CertificateInfo, root: CertificateInfo, where: PkiFileLocation, fix: string): void {
  const problem = chainProblem(child, root);
  if (problem === undefined) return;
  throw new PkiError({ ...where, code: 'CHAIN_INVALID', reason: `the chain does not verify: ${problem}`, fix });
}

/** Throws CHAIN_INVALID when a root is not a valid self-signed CA. */
export function assertSelfSignedRoot(root: CertificateInfo, where: PkiFileLocation): void {
  const problem = !root.isCa ? 'it is not a CA certificate (basicConstraints CA:true missing).' : chainProblem(root, root);
  if (problem === undefined) return;
  throw new PkiError({
    ...where,
    code: 'CHAIN_INVALID',
    reason: `the root is not a valid self-signed CA: ${problem}`,
    fix: 'restore root-ca.crt from git.',
  });
}

/** Throws EXPIRED / NOT_YET_VALID when `now` is outside [notBefore, notAfter]. */
export function assertTimeValid(info: CertificateInfo, now: Date, where: PkiFileLocation, fixIfExpired: string): void {
  if (now > info.notAfter) {
    throw new PkiError({
      ...where,
      code: 'EXPIRED',
      reason: `the certificate "${info.subject}" (serial ${info.serial}) expired on ${info.notAfter.toISOString()}.`,
      fix: fixIfExpired,
    });
  }
  if (now < info.notBefore) {
    throw new PkiError({
      ...where,
      code: 'NOT_YET_VALID',
      reason: `the certificate "${info.subject}" is not valid before ${info.notBefore.toISOString()}.`,
      fix: 'check the system clock (or the injected `now`).',
    });
  }
}

/** True when the private key (PEM, or already parsed) belongs to the certificate. */
export function keyMatchesCertificate(info: CertificateInfo, key: string | crypto.KeyObject): boolean {
  try {
    return nativeCertificate(info).checkPrivateKey(typeof key === 'string' ? crypto.createPrivateKey(key) : key);
  } catch {
    return false;
  }
}

/**
 * Throws KEY_MISMATCH naming the key file when the key does not belong to the certificate;
 * `ifLost` says how to replace the CA when the right key cannot be restored.
 */
export function assertKeyMatches(
  info: CertificateInfo,
  certFile: string,
  key: string | crypto.KeyObject,
  keyWhere: PkiFileLocation,
  ifLost: string,
): void {
  if (keyMatchesCertificate(info, key)) return;
  throw new PkiError({
    ...keyWhere,
    code: 'KEY_MISMATCH',
    reason: `the private key does not match the certificate ${certFile} ("${info.subject}", serial ${info.serial}).`,
    fix: `restore the right key from its backup (keys are never in git); if it is lost, ${ifLost}`,
  });
}

/** A certificate with the place it was loaded from. */
export interface LocatedCertificate {
  readonly role: CaRole;
  /**
   * @default - the mesh root
   */
  readonly cluster?: string;
  readonly file: string;
  readonly info: CertificateInfo;
}

/** A certificate that expires soon. */
export interface ExpiryWarning {
  readonly role: CaRole;
  /**
   * @default - the mesh root
   */
  readonly cluster?: string;
  readonly file: string;
  readonly subject: string;
  readonly notAfter: Date;
  readonly daysLeft: number;
  /** One line for a log or CI annotation. */
  readonly message: string;
}

/** Options of {@link findExpiring}. */
export interface ExpiryOptions {
  /**
   * Warn about certificates whose notAfter is within this many days.
   * @default 30
   */
  readonly withinDays?: number;
  /**
   * Clock.
   * @default new Date()
   */
  readonly now?: Date;
  /**
   * How file paths are written in messages (`ExpiryWarning.file` keeps the path as given).
   * @default - as given
   */
  readonly display?: (file: string) => string;
}

/** The certificates that expire within N days (expired ones included), soonest first. */
export function findExpiring(certs: readonly LocatedCertificate[], options: ExpiryOptions = {}): ExpiryWarning[] {
  const now = options.now ?? new Date();
  const withinDays = options.withinDays ?? DEFAULT_WARN_WITHIN_DAYS;
  const display = options.display ?? ((file: string) => file);
  const horizon = now.getTime() + withinDays * DAY_MS;
  return certs
    .filter((c) => c.info.notAfter.getTime() <= horizon)
    .sort((a, b) => a.info.notAfter.getTime() - b.info.notAfter.getTime())
    .map((c) => {
      const left = daysLeft(c.info.notAfter, now);
      const who = c.cluster !== undefined ? `cluster "${c.cluster}" ${c.role} intermediate` : 'mesh root CA';
      const when =
        left < 0 ? `expired on ${c.info.notAfter.toISOString()}` : `expires in ${left} day(s) (${c.info.notAfter.toISOString()})`;
      const fix = c.cluster !== undefined && c.role !== 'root' ? `run ${pkiRotate(c.cluster, c.role)}` : 'plan a root migration';
      return {
        role: c.role,
        cluster: c.cluster,
        file: c.file,
        subject: c.info.subject,
        notAfter: c.info.notAfter,
        daysLeft: left,
        message: `${who} "${c.info.subject}" ${when}: ${display(c.file)}. Fix: ${fix}.`,
      };
    });
}
