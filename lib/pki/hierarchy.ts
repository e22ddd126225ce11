import * as crypto from 'crypto';
import type * as forge from 'node-forge';
import { nodeForge } from './forge';
import { CertificateAuthority, certificateToPem, assertValidName } from './certificate';
import { PkiError } from './errors';
import { IntermediateKind } from './intermediate-kind';
import { KeyAlgorithm } from '../spec/choices';
import { GeneratedKeyPair, generateKeyPair, keyPairBits } from './key-algorithm';
import { randomSerialHex } from './serial';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Default validity periods in days: those of Solo's SPIRE guide (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/,
 * "Prepare SPIRE certificates") and of Istio's cert tooling (istio/istio tools/certs/common.mk, 1.29).
 */
export const DEFAULT_VALIDITY_DAYS = {
  /** The guide signs the root with `openssl req -x509 -days 3650`; Istio has `ROOTCA_DAYS ?= 3650`. */
  root: 3650,
  /** The guide signs the SPIRE intermediate with `openssl x509 -req -days 1825`. */
  spire: 1825,
  /** Same as SPIRE (Istio's own `INTERMEDIATE_DAYS` is 3650; five years keeps both in step). */
  istio: 1825,
} as const;

/** Subject CN of the mesh root (`CN = SPIRE Root CA` in the `root-ca.cnf` of Solo's SPIRE guide). */
export const ROOT_COMMON_NAME = 'SPIRE Root CA';

/** Istio intermediate SAN (`INTERMEDIATE_SAN_DNS` in istio/istio tools/certs/common.mk, 1.29). */
export const ISTIOD_SAN_DNS = 'istiod.istio-system.svc';

/** Options common to every CA certificate this module issues. */
export interface CaIssueOptions {
  /**
   * Key type and size of the new CA key.
   * @default KeyAlgorithm.RSA_2048
   */
  readonly keyAlgorithm?: KeyAlgorithm;
  /**
   * The new CA's key pair, generated beforehand (e.g. many at once with `generateKeyPairs`, on
   * every core); its size must be `keyAlgorithm`'s.
   * @default - a new key pair of `keyAlgorithm`, generated here
   */
  readonly keyPair?: GeneratedKeyPair;
  /**
   * Requested validity in days; notAfter is clamped to the issuer's notAfter.
   * @default 3650 for the root, 1825 for intermediates (see DEFAULT_VALIDITY_DAYS)
   */
  readonly validityDays?: number;
  /**
   * Clock: notBefore (truncated to the second). Inject it to make expired or near-expiry CAs.
   * @default new Date()
   */
  readonly now?: Date;
}

/**
 * Creates the mesh root: `CN=SPIRE Root CA`, basicConstraints critical CA:true pathlen:2
 * (root -> SPIRE upstream intermediate -> SPIRE server CA -> SVID), keyUsage critical
 * keyCertSign+cRLSign, SKI (hash), sha256: the `root-ca.cnf` profile of Solo's SPIRE guide.
 */
export function createRootCa(options: CaIssueOptions = {}): CertificateAuthority {
  const subject = [utf8('commonName', ROOT_COMMON_NAME)];
  return issue({
    subject,
    keyAlgorithm: options.keyAlgorithm,
    keyPair: options.keyPair,
    validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS.root,
    now: options.now,
    extensions: (cert) => [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 2 },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
      // Self-signed: AKI = own SKI, as `openssl req -x509` writes it (RFC 5280 allows either).
      { name: 'authorityKeyIdentifier', keyIdentifier: cert.generateSubjectKeyIdentifier().getBytes() },
    ],
  });
}

/**
 * Creates a cluster's SPIRE upstream intermediate: `CN=SPIRE <cluster> CA`, CA:true pathlen:1
 * (SPIRE's own server CA sits below it), keyUsage critical keyCertSign+cRLSign, SKI, AKI = root SKI:
 * the `intermediate-ca.cnf` profile of Solo's SPIRE guide, with its multicluster subject per cluster.
 */
export function createSpireIntermediate(issuer: CertificateAuthority, cluster: string, options: CaIssueOptions = {}): CertificateAuthority {
  assertValidName('cluster', cluster);
  return issue({
    subject: [utf8('commonName', `SPIRE ${cluster} CA`)],
    issuer,
    keyAlgorithm: options.keyAlgorithm,
    keyPair: options.keyPair,
    validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS.spire,
    now: options.now,
    extensions: () => [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 1 },
      { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true },
      { name: 'subjectKeyIdentifier' },
      authorityKeyId(issuer),
    ],
  });
}

/**
 * Creates a cluster's Istio plug-in CA intermediate the way Istio's cert tooling does
 * (the `%/intermediate.conf` target of istio/istio tools/certs/common.mk, 1.29):
 * `O=Istio, CN=Intermediate CA, L=<cluster>`, CA:true pathlen:0 (istiod only signs workload leaves),
 * keyUsage critical digitalSignature, nonRepudiation, keyEncipherment, keyCertSign, SKI,
 * AKI = root SKI, SAN DNS `istiod.istio-system.svc`.
 */
export function createIstioIntermediate(issuer: CertificateAuthority, cluster: string, options: CaIssueOptions = {}): CertificateAuthority {
  assertValidName('cluster', cluster);
  return issue({
    subject: [utf8('organizationName', 'Istio'), utf8('commonName', 'Intermediate CA'), utf8('localityName', cluster)],
    issuer,
    keyAlgorithm: options.keyAlgorithm,
    keyPair: options.keyPair,
    validityDays: options.validityDays ?? DEFAULT_VALIDITY_DAYS.istio,
    now: options.now,
    extensions: () => [
      { name: 'basicConstraints', critical: true, cA: true, pathLenConstraint: 0 },
      {
        name: 'keyUsage',
        critical: true,
        digitalSignature: true,
        nonRepudiation: true,
        keyEncipherment: true,
        keyCertSign: true,
      },
      { name: 'subjectKeyIdentifier' },
      authorityKeyId(issuer),
      { name: 'subjectAltName', altNames: [{ type: 2 /* dNSName */, value: ISTIOD_SAN_DNS }] },
    ],
  });
}

/** Creates the intermediate of the given kind (dispatches to the two functions above). */
export function createIntermediate(
  kind: IntermediateKind,
  issuer: CertificateAuthority,
  cluster: string,
  options: CaIssueOptions = {},
): CertificateAuthority {
  return kind === IntermediateKind.SPIRE
    ? createSpireIntermediate(issuer, cluster, options)
    : createIstioIntermediate(issuer, cluster, options);
}

/**
 * notAfter of a certificate issued at `notBefore` for `days`, never beyond the issuer's notAfter
 * (a CA cannot vouch for longer than it is itself valid; openssl would still sign it).
 */
export function clampedNotAfter(notBefore: Date, days: number, issuerNotAfter?: Date): Date {
  const requested = new Date(notBefore.getTime() + days * DAY_MS);
  return issuerNotAfter !== undefined && issuerNotAfter < requested ? new Date(issuerNotAfter.getTime()) : requested;
}

interface IssueRequest {
  readonly subject: forge.pki.CertificateField[];
  /** Absent: self-signed. */
  readonly issuer?: CertificateAuthority;
  readonly keyAlgorithm?: KeyAlgorithm;
  readonly keyPair?: GeneratedKeyPair;
  readonly validityDays: number;
  readonly now?: Date;
  /** Called after the public key is set, so SKI/AKI can be computed. */
  readonly extensions: (cert: forge.pki.Certificate) => object[];
}

function issue(req: IssueRequest): CertificateAuthority {
  if (!Number.isInteger(req.validityDays) || req.validityDays <= 0) {
    throw new PkiError({
      code: 'INVALID_ARGUMENT',
      reason: `validityDays must be a positive integer, got ${req.validityDays}.`,
      fix: 'pass a whole number of days.',
    });
  }
  // X.509 times have second precision; truncating keeps in-memory and re-parsed dates equal.
  const notBefore = new Date(Math.floor((req.now ?? new Date()).getTime() / 1000) * 1000);
  const issuerNotAfter = req.issuer?.cert.validity.notAfter;
  if (req.issuer !== undefined && issuerNotAfter !== undefined && issuerNotAfter <= notBefore) {
    throw new PkiError({
      code: 'EXPIRED',
      reason: `the issuer "${formatCn(req.issuer.cert)}" expired on ${issuerNotAfter.toISOString()}; it cannot issue.`,
      fix: 'a new root means a new trust anchor for every cluster: plan a root migration.',
    });
  }
  const algorithm = req.keyAlgorithm ?? KeyAlgorithm.RSA_2048;
  if (req.keyPair !== undefined && keyPairBits(req.keyPair) !== algorithm.rsaBits) {
    throw new PkiError({
      code: 'INVALID_ARGUMENT',
      reason: `the key pair given for "${formatSubject(req.subject)}" is RSA-${keyPairBits(req.keyPair)}, but the key algorithm is ${algorithm.value}.`,
      fix: `generate the key pair with ${algorithm.value}, or pass the key algorithm of the key pair.`,
    });
  }
  const keys = req.keyPair ?? generateKeyPair(algorithm);

  const cert = nodeForge().pki.createCertificate();
  cert.version = 2; // X.509 v3
  cert.serialNumber = randomSerialHex();
  cert.publicKey = keys.publicKey;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = clampedNotAfter(notBefore, req.validityDays, issuerNotAfter);
  cert.setSubject(req.subject);
  // The issuer DN is copied from the issuer certificate's subject, so names match byte for byte.
  cert.setIssuer(req.issuer !== undefined ? req.issuer.cert.subject.attributes : req.subject);
  cert.setExtensions(req.extensions(cert));
  if (req.issuer !== undefined) signSha256WithRsa(cert, req.issuer, req.issuer.keyPem);
  else signSha256WithRsa(cert, keys, keys.privateKeyPem);

  return { cert, certPem: certificateToPem(cert), key: keys.privateKey, keyPem: keys.privateKeyPem };
}

/**
 * Parsed signing keys, per issuer object: the root signs two certificates per cluster. Weak, so a
 * key lives no longer in memory than the authority that holds it.
 */
const SIGNING_KEYS = new WeakMap<object, crypto.KeyObject>();

/**
 * Signs `cert` with sha256WithRSAEncryption, as node-forge's `cert.sign(key, sha256)` does
 * (digitalbazaar/forge lib/x509.js, 1.4.3: sets `signatureOid` and `siginfo.algorithmOid`, caches
 * the TBSCertificate, signs its DER), but with Node's native RSA (OpenSSL) instead of forge's
 * pure-JavaScript modular exponentiation, which was a sixth of a PKI run. RSASSA-PKCS1-v1_5 is
 * deterministic, so the signature bytes are the ones forge would write.
 */
function signSha256WithRsa(cert: forge.pki.Certificate, signer: object, signerKeyPem: string): void {
  cert.signatureOid = cert.siginfo.algorithmOid = nodeForge().pki.oids.sha256WithRSAEncryption;
  cert.tbsCertificate = (nodeForge().pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(
    cert,
  );
  const tbs = nodeForge().asn1.toDer(cert.tbsCertificate).getBytes();
  cert.md = nodeForge().md.sha256.create().update(tbs);
  let key = SIGNING_KEYS.get(signer);
  if (key === undefined) {
    key = crypto.createPrivateKey(signerKeyPem);
    SIGNING_KEYS.set(signer, key);
  }
  cert.signature = crypto.sign('sha256', Buffer.from(tbs, 'binary'), key).toString('binary');
}

/**
 * AKI = the ISSUER's SKI. node-forge's `{keyIdentifier: true}` hashes the certificate's OWN key
 * (digitalbazaar/forge lib/x509.js, 1.4.3), so the AKI would point at itself and chain building would fail.
 */
function authorityKeyId(issuer: CertificateAuthority): object {
  return { name: 'authorityKeyIdentifier', keyIdentifier: issuer.cert.generateSubjectKeyIdentifier().getBytes() };
}

/** A subject attribute as UTF8String (OpenSSL's default `string_mask = utf8only`). */
function utf8(name: string, value: string): forge.pki.CertificateField {
  // @types/node-forge types valueTagClass as asn1.Class; forge actually reads an asn1.Type here.
  return { name, value, valueTagClass: nodeForge().asn1.Type.UTF8 as unknown as forge.asn1.Class };
}

function formatSubject(subject: readonly forge.pki.CertificateField[]): string {
  return subject.map((f) => `${f.shortName ?? f.name}=${String(f.value)}`).join(', ');
}

function formatCn(cert: forge.pki.Certificate): string {
  return String(cert.subject.getField('CN')?.value ?? '?');
}
