import { CaRole } from './verify';

/** Health of one certificate in {@link CertificateStatus}. */
export type CertificateState = 'ok' | 'expiring' | 'expired' | 'not-yet-valid' | 'invalid' | 'missing';

/** One row of `PkiStore.status()`. Descriptive fields are absent when the file is missing or unreadable. */
export interface CertificateStatus {
  readonly role: CaRole;
  /**
   * @default - the mesh root
   */
  readonly cluster?: string;
  readonly file: string;
  /** A certificate kept after `rotateIntermediate`, valid until its own notAfter. */
  readonly retired: boolean;
  readonly state: CertificateState;
  /**
   * @default - unknown (missing or unreadable)
   */
  readonly subject?: string;
  /**
   * @default - unknown (missing or unreadable)
   */
  readonly issuer?: string;
  /**
   * @default - unknown (missing or unreadable)
   */
  readonly serial?: string;
  /**
   * @default - unknown (missing or unreadable)
   */
  readonly notAfter?: Date;
  /**
   * Whole days until notAfter; negative once expired.
   * @default - unknown (missing or unreadable)
   */
  readonly daysLeft?: number;
  /**
   * e.g. `RSA-2048`.
   * @default - unknown (missing or unreadable)
   */
  readonly keyAlgorithm?: string;
  /** The signature verifies against the mesh root (for the root: self-signature). */
  readonly chainVerified: boolean;
  /** The private key file exists in the key directory. */
  readonly keyPresent: boolean;
  /**
   * The private key belongs to the certificate.
   * @default - not checked (no key)
   */
  readonly keyMatches?: boolean;
  /**
   * What is wrong, when state is not ok.
   * @default - nothing
   */
  readonly problem?: string;
}

/** Plain-text table of status rows, for a CLI. */
export function formatStatusTable(rows: readonly CertificateStatus[]): string {
  const header = ['CLUSTER', 'ROLE', 'SUBJECT', 'ISSUER', 'NOT AFTER', 'DAYS', 'CHAIN', 'KEY', 'STATE'];
  const body = rows.map((r) => [
    r.cluster ?? '(mesh)',
    r.retired ? `${r.role} (retired)` : r.role,
    r.subject ?? '-',
    r.issuer ?? '-',
    r.notAfter?.toISOString().slice(0, 10) ?? '-',
    r.daysLeft?.toString() ?? '-',
    r.chainVerified ? 'ok' : 'FAIL',
    !r.keyPresent ? 'absent' : r.keyMatches === false ? 'MISMATCH' : 'ok',
    r.problem !== undefined ? `${r.state}: ${r.problem}` : r.state,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  return [header, ...body].map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
