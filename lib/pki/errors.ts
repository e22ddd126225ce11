import { Finding, SpiremeshError, redactPrivateKeys } from '../spec';

/**
 * PKI errors: one class with structured fields and one `pki` finding, so callers (CLI, synth) can
 * tell the operator which cluster and which file is wrong, why, and what to do about it.
 */

/** Machine-readable reason of a {@link PkiError}. */
export type PkiErrorCode =
  /** An expected certificate or key file does not exist. */
  | 'MISSING_FILE'
  /** A new intermediate must be signed, but the root private key is not in the key directory. */
  | 'MISSING_ROOT_KEY'
  /** A private key exists without its certificate (interrupted write or a deleted cert). */
  | 'ORPHAN_KEY'
  /** A file could not be parsed as the expected PEM object. */
  | 'UNREADABLE'
  /** A private key file has group/other permission bits (like ssh, such a key is refused). */
  | 'INSECURE_PERMISSIONS'
  /** A private key does not belong to its certificate. */
  | 'KEY_MISMATCH'
  /** A certificate does not verify against the mesh root. */
  | 'CHAIN_INVALID'
  /** A certificate is past its notAfter. */
  | 'EXPIRED'
  /** A certificate's notBefore is in the future (clock skew or an injected clock). */
  | 'NOT_YET_VALID'
  /** A file that must not be overwritten already exists. */
  | 'ALREADY_EXISTS'
  /** A caller passed an invalid name or option. */
  | 'INVALID_ARGUMENT'
  /**
   * Private material would be written where it could be committed: inside the output or the
   * certificate folder, or in a git work tree that does not ignore it.
   */
  | 'KEY_CUSTODY'
  /** A new key could not be generated (OpenSSL refused the parameters, or a key generation thread stopped). */
  | 'KEY_GENERATION';

/** Fields of a {@link PkiError}. */
export interface PkiErrorDetails {
  /** What went wrong. */
  readonly code: PkiErrorCode;
  /** Why, in one sentence. Never a key's content. */
  readonly reason: string;
  /** What the operator can do about it. */
  readonly fix: string;
  /**
   * Mesh the file belongs to.
   * @default - not known to the caller
   */
  readonly mesh?: string;
  /**
   * Cluster the file belongs to.
   * @default - the mesh-wide root CA, or no cluster involved
   */
  readonly cluster?: string;
  /**
   * Path of the offending file.
   * @default - no single file involved (e.g. an invalid argument)
   */
  readonly file?: string;
}

/**
 * The error the PKI library throws for every operator-facing problem. Its message is the one
 * finding rendered by `formatFinding`; private key blocks are redacted from every field.
 */
export class PkiError extends SpiremeshError {
  public readonly code: PkiErrorCode;
  public readonly mesh: string | undefined;
  public readonly cluster: string | undefined;
  public readonly file: string | undefined;
  public readonly reason: string;
  public readonly fix: string;

  public constructor(details: PkiErrorDetails) {
    const reason = redactPrivateKeys(details.reason);
    const fix = redactPrivateKeys(details.fix);
    super(details.mesh !== undefined ? `PKI problem in mesh "${details.mesh}":` : 'PKI problem:', [pkiFinding(details, reason, fix)]);
    this.code = details.code;
    this.mesh = details.mesh;
    this.cluster = details.cluster;
    this.file = details.file;
    this.reason = reason;
    this.fix = fix;
  }
}

/** Subject: the cluster (or the mesh root CA, for a file outside any cluster) and the file. */
function pkiFinding(d: PkiErrorDetails, reason: string, fix: string): Finding {
  const owner = d.cluster !== undefined ? `cluster "${d.cluster}"` : d.file !== undefined ? 'mesh root CA' : undefined;
  const subject = [owner, d.file].filter((part) => part !== undefined).join(', ');
  return { severity: 'error', source: 'pki', subject: subject === '' ? undefined : subject, message: reason, fix };
}

/** Where a certificate or key lives; used to build precise {@link PkiError}s. */
export interface PkiFileLocation {
  /**
   * @default - unknown
   */
  readonly mesh?: string;
  /**
   * @default - the mesh root CA
   */
  readonly cluster?: string;
  /** Path of the file. */
  readonly file: string;
}
