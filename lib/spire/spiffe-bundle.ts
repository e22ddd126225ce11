/**
 * SPIFFE bundles (the JWK set of https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE_Trust_Domain_and_Bundle.md
 * §4): built from root certificates for the bootstrap `trustDomainBundle` of a ClusterFederatedTrustDomain, and read
 * back the way SPIRE reads them (go-spiffe v2 `spiffebundle.Parse` on a go-jose JSON web key set), for the check.
 *
 * Certificates are read with Node's X509Certificate (native OpenSSL), which reads RSA and EC keys alike; node-forge's
 * certificate parser reads RSA keys only.
 */
import { X509Certificate } from 'crypto';

/** `use` of an X.509 authority (§4.2.1). */
const X509_SVID_USE = 'x509-svid';
/** `use` of a JWT authority (§4.2.2). */
const JWT_SVID_USE = 'jwt-svid';

/** One X.509 authority key of a SPIFFE bundle: the certificate's public key as a JWK, with the certificate in `x5c`. */
export interface SpiffeBundleX509Key {
  readonly use: typeof X509_SVID_USE;
  readonly kty: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly n?: string;
  readonly e?: string;
  /** Exactly one certificate: base64 (not base64url) DER (RFC 7517 §4.7). */
  readonly x5c: readonly [string];
}

/** A SPIFFE bundle document with X.509 authorities only. */
export interface SpiffeBundleDocument {
  readonly keys: readonly SpiffeBundleX509Key[];
  /** §4.1.2: increases whenever the bundle changes. */
  readonly spiffe_sequence: number;
  /** §4.1.1: seconds between fetches of the bundle. */
  readonly spiffe_refresh_hint: number;
}

export interface SpiffeBundleOptions {
  /** `spiffe_refresh_hint` in seconds: the bundle endpoint's refresh hint. */
  readonly refreshHintSeconds: number;
  /**
   * `spiffe_sequence`.
   * @default 1 (a bootstrap bundle is the first one the federated server holds)
   */
  readonly sequence?: number;
}

/** The public key of a certificate as JWK members (`kty` and `n`/`e` or `crv`/`x`/`y`, base64url), via Node's JWK export. */
function publicJwk(cert: X509Certificate): Record<string, string> {
  const jwk = cert.publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const member of ['kty', 'crv', 'x', 'y', 'n', 'e']) {
    if (typeof jwk[member] === 'string') out[member] = jwk[member] as string;
  }
  return out;
}

/**
 * The SPIFFE bundle of `rootPems` (X.509 authorities only; JWT authorities arrive with the first fetch from the
 * bundle endpoint), as pretty JSON. Members are in the order go-spiffe's `Bundle.Marshal` writes them (keys,
 * spiffe_sequence, spiffe_refresh_hint; per key use, kty, key parameters, x5c), so the same roots always give
 * the same text.
 */
export function spiffeBundleFromRoots(rootPems: readonly string[], options: SpiffeBundleOptions): string {
  if (rootPems.length === 0) throw new Error('a SPIFFE bundle needs at least one root certificate');
  if (!Number.isInteger(options.refreshHintSeconds) || options.refreshHintSeconds <= 0) {
    throw new Error(`spiffe_refresh_hint must be a positive whole number of seconds, got ${options.refreshHintSeconds}`);
  }
  const keys = rootPems.map((pem): SpiffeBundleX509Key => {
    const cert = new X509Certificate(pem);
    const { kty, ...params } = publicJwk(cert);
    const ordered: Record<string, string> = {};
    for (const member of ['crv', 'x', 'y', 'n', 'e']) if (params[member] !== undefined) ordered[member] = params[member];
    return { use: X509_SVID_USE, kty, ...ordered, x5c: [cert.raw.toString('base64')] };
  });
  const doc: SpiffeBundleDocument = {
    keys,
    spiffe_sequence: options.sequence ?? 1,
    spiffe_refresh_hint: options.refreshHintSeconds,
  };
  return `${JSON.stringify(doc, undefined, 2)}\n`;
}

/** A SPIFFE bundle as SPIRE reads it. */
export interface ParsedSpiffeBundle {
  /** DER of every X.509 authority (`x509-svid` keys), in order. */
  readonly x509Authorities: readonly Buffer[];
  /** Key IDs of the JWT authorities. */
  readonly jwtKeyIds: readonly string[];
  readonly refreshHintSeconds?: number;
  readonly sequence?: number;
}

/** The result of reading a bundle: the bundle, or what is wrong with it (every problem, one sentence each). */
export type SpiffeBundleReading =
  { readonly bundle: ParsedSpiffeBundle; readonly problems?: undefined } | { readonly bundle?: undefined; readonly problems: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a SPIFFE bundle as go-spiffe v2 `spiffebundle.Parse` does (v2/bundle/spiffebundle/bundle.go): a JSON object with
 * a `keys` array; an `x509-svid` key holds exactly one certificate, whose public key must be the key's own (go-jose
 * refuses a JWK whose `x5c` does not match it); a `jwt-svid` key needs a `kid`; keys of any other `use` are ignored;
 * `spiffe_refresh_hint` and `spiffe_sequence` are whole numbers when present. An empty `keys` array is a valid bundle
 * (whether it holds the root that matters is the caller's question).
 */
export function readSpiffeBundle(text: string): SpiffeBundleReading {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problems: [`it is not JSON (${(e as Error).message})`] };
  }
  if (!isObject(doc)) return { problems: ['it is not a JSON object'] };
  if (!Array.isArray(doc.keys)) return { problems: ['it has no "keys" array (the SPIFFE bundle format requires one)'] };
  const problems: string[] = [];
  for (const member of ['spiffe_refresh_hint', 'spiffe_sequence'] as const) {
    const v = doc[member];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 0)) {
      problems.push(`"${member}" is ${JSON.stringify(v)}, not a whole number`);
    }
  }
  const x509Authorities: Buffer[] = [];
  const jwtKeyIds: string[] = [];
  doc.keys.forEach((key: unknown, i: number) => {
    const at = `keys[${i}]`;
    if (!isObject(key)) {
      problems.push(`${at} is not a JSON object`);
      return;
    }
    if (typeof key.kty !== 'string' || key.kty === '') problems.push(`${at} has no "kty"`);
    if (key.use === JWT_SVID_USE) {
      if (typeof key.kid !== 'string' || key.kid === '') problems.push(`${at} is a jwt-svid key without "kid"`);
      else jwtKeyIds.push(key.kid);
      return;
    }
    if (key.use !== X509_SVID_USE) return;
    const x5c = key.x5c;
    if (!Array.isArray(x5c) || x5c.length !== 1 || typeof x5c[0] !== 'string') {
      problems.push(
        `${at} is an x509-svid key with ${Array.isArray(x5c) ? x5c.length : 'no'} certificates in "x5c"; exactly one is required`,
      );
      return;
    }
    const der = Buffer.from(x5c[0], 'base64');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      problems.push(`${at}.x5c[0] is not a base64 DER certificate`);
      return;
    }
    const expected = publicJwk(cert);
    const mismatch = Object.keys(expected).filter((member) => key[member] !== expected[member]);
    if (mismatch.length > 0) {
      problems.push(`${at} has ${mismatch.map((m) => `"${m}"`).join(', ')} that do not match the public key of its certificate`);
      return;
    }
    x509Authorities.push(cert.raw);
  });
  if (problems.length > 0) return { problems };
  return {
    bundle: {
      x509Authorities,
      jwtKeyIds,
      ...(typeof doc.spiffe_refresh_hint === 'number' ? { refreshHintSeconds: doc.spiffe_refresh_hint } : {}),
      ...(typeof doc.spiffe_sequence === 'number' ? { sequence: doc.spiffe_sequence } : {}),
    },
  };
}

/** True when the bundle holds the certificate `pem` (same DER) as an X.509 authority. */
export function bundleHoldsCertificate(bundle: ParsedSpiffeBundle, pem: string): boolean {
  const der = new X509Certificate(pem).raw;
  return bundle.x509Authorities.some((a) => a.equals(der));
}
