import * as fs from 'fs';
import { CertificateInfo } from './certificate';
import { PkiError } from './errors';
import { IntermediateKind } from './intermediate-kind';
import { readPrivateFile } from './secure-fs';
import { PkiStore } from './store';
import { CaRole, ExpiryWarning, LocatedCertificate, chainProblem, daysLeft, keyMatchesCertificate } from './verify';

/*
 * Reports over a store: they never throw for a bad certificate (problems are reported in the
 * rows), so they work on a broken hierarchy too.
 */

/** Health of one certificate in {@link CertificateStatus}. */
export type CertificateState = 'ok' | 'expiring' | 'expired' | 'not-yet-valid' | 'invalid' | 'missing';

/** One row of {@link pkiStatus}. Descriptive fields are absent when the file is missing or unreadable. */
export interface CertificateStatus {
  readonly role: CaRole;
  /**
   * @default - the mesh root
   */
  readonly cluster?: string;
  readonly file: string;
  /** A certificate kept after a rotation, valid until its own notAfter. */
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

/** One row per certificate (root, current and retired intermediates), including missing ones. */
export function pkiStatus(store: PkiStore): CertificateStatus[] {
  const L = store.layout;
  const ctx: RowContext = { store, root: inspectLeniently(store, undefined, L.rootCertFile), now: store.now() };
  const rows: CertificateStatus[] = [statusRow(ctx, 'root', undefined, L.rootCertFile, L.rootKeyFile, false)];
  for (const cluster of store.intermediateClusters) {
    for (const kind of IntermediateKind.ALL) {
      rows.push(statusRow(ctx, kind.id, cluster, L.certFile(cluster, kind), L.keyFile(cluster, kind), false));
      for (const r of L.retiredCertFiles(cluster, kind)) {
        rows.push(statusRow(ctx, kind.id, cluster, r.file, L.retiredKeyFile(cluster, kind, r.serial), true));
      }
    }
  }
  return rows;
}

/**
 * Certificates (root and current intermediates) expiring within `days`, expired ones included.
 * Missing or unreadable files are skipped ({@link pkiStatus} reports them).
 */
export function expiringWithin(store: PkiStore, days: number = store.warnWithinDays): ExpiryWarning[] {
  const L = store.layout;
  const located: LocatedCertificate[] = [];
  const root = inspectLeniently(store, undefined, L.rootCertFile);
  if (root !== undefined) located.push({ role: 'root', file: L.rootCertFile, info: root });
  for (const cluster of store.intermediateClusters) {
    for (const kind of IntermediateKind.ALL) {
      const file = L.certFile(cluster, kind);
      const info = inspectLeniently(store, cluster, file);
      if (info !== undefined) located.push({ role: kind.id, cluster, file, info });
    }
  }
  return store.expiryWarnings(located, days);
}

interface RowContext {
  readonly store: PkiStore;
  /** Undefined when the root certificate is missing or unreadable. */
  readonly root: CertificateInfo | undefined;
  readonly now: Date;
}

function inspectLeniently(store: PkiStore, cluster: string | undefined, file: string): CertificateInfo | undefined {
  try {
    return store.inspectFile(cluster, file);
  } catch {
    return undefined;
  }
}

function reasonOf(e: unknown, fallback: string): string {
  return e instanceof PkiError ? e.reason : fallback;
}

function statusRow(
  ctx: RowContext,
  role: CaRole,
  cluster: string | undefined,
  file: string,
  keyFile: string,
  retired: boolean,
): CertificateStatus {
  const { store, root, now } = ctx;
  const keyPresent = fs.existsSync(keyFile);
  const base = { role, cluster, file, retired, keyPresent };
  if (!fs.existsSync(file)) {
    return { ...base, state: 'missing', chainVerified: false, problem: 'file does not exist' };
  }
  let info: CertificateInfo;
  try {
    info = store.inspectFile(cluster, file);
  } catch (e) {
    return { ...base, state: 'invalid', chainVerified: false, problem: reasonOf(e, 'unreadable') };
  }
  const problems: string[] = [];
  let chain: string | undefined;
  if (root === undefined) chain = 'the root certificate is missing or unreadable';
  else if (role === 'root' && !info.isCa) chain = 'not a CA certificate';
  else chain = chainProblem(info, root);
  if (chain !== undefined) problems.push(chain);

  let keyMatches: boolean | undefined;
  if (keyPresent) {
    try {
      keyMatches = keyMatchesCertificate(info, readPrivateFile(keyFile, store.fileLocation(cluster, keyFile)));
      if (!keyMatches) problems.push(`the key ${store.layout.display(keyFile)} does not match`);
    } catch (e) {
      problems.push(reasonOf(e, 'key unreadable'));
    }
  }
  const left = daysLeft(info.notAfter, now);
  let state: CertificateState;
  if (problems.length > 0) state = 'invalid';
  else if (now > info.notAfter) state = 'expired';
  else if (now < info.notBefore) state = 'not-yet-valid';
  else if (left <= store.warnWithinDays) state = 'expiring';
  else state = 'ok';
  return {
    ...base,
    state,
    subject: info.subject,
    issuer: info.issuer,
    serial: info.serial,
    notAfter: info.notAfter,
    daysLeft: left,
    keyAlgorithm: info.keyAlgorithm,
    chainVerified: chain === undefined,
    keyMatches,
    problem: problems.length > 0 ? problems.join('; ') : undefined,
  };
}
