import * as fs from 'fs';
import * as path from 'path';
import { CertificateAuthority, CertificateInfo, assertValidName, inspectCertificate, parsePrivateKey } from './certificate';
import { PkiError, PkiFileLocation } from './errors';
import { DEFAULT_VALIDITY_DAYS, createIntermediate, createRootCa } from './hierarchy';
import { IntermediateKind } from './intermediate-kind';
import { KeyAlgorithm } from '../spec/choices';
import { PkiLayout, PkiLayoutProps } from './layout';
import {
  IstioCacertsPublicData,
  SecretMaterial,
  SpireUpstreamCaPublicData,
  istioCacertsPublicData,
  istioCacertsSecret,
  spireUpstreamCaPublicData,
  spireUpstreamCaSecret,
} from './material';
import { ensurePrivateTree, moveNoClobber, readPrivateFile, writePrivateFile, writePublicFile } from './secure-fs';
import { CertificateState, CertificateStatus } from './status';
import {
  DEFAULT_WARN_WITHIN_DAYS,
  ExpiryWarning,
  LocatedCertificate,
  assertIssuedBy,
  assertKeyMatches,
  assertSelfSignedRoot,
  assertTimeValid,
  chainProblem,
  daysLeft,
  findExpiring,
  keyMatchesCertificate,
} from './verify';

/** Configuration of a mesh's {@link PkiStore}. */
export interface PkiStoreProps extends PkiLayoutProps {
  /** Clusters of the mesh; each gets a SPIRE and an Istio intermediate. */
  readonly clusters: readonly string[];
  /**
   * Key type and size of keys generated from now on (existing CAs are reused as they are).
   * @default KeyAlgorithm.RSA_2048
   */
  readonly keyAlgorithm?: KeyAlgorithm;
  /**
   * Validity of a newly generated root, in days.
   * @default 3650
   */
  readonly rootValidityDays?: number;
  /**
   * Validity of newly generated SPIRE intermediates, in days (clamped to the root's notAfter).
   * @default 1825
   */
  readonly spireValidityDays?: number;
  /**
   * Validity of newly generated Istio intermediates, in days (clamped to the root's notAfter).
   * @default 1825
   */
  readonly istioValidityDays?: number;
  /**
   * Certificates expiring within this many days are reported as warnings.
   * @default 30
   */
  readonly warnWithinDays?: number;
  /**
   * Clock, for tests (expired and near-expiry hierarchies).
   * @default - the current time, read at each call
   */
  readonly now?: Date;
}

/** Public certificates of one cluster: everything synthesis may render. */
export interface ClusterPublicPki {
  readonly cluster: string;
  readonly spireIntermediate: CertificateInfo;
  readonly istioIntermediate: CertificateInfo;
  /** Certificate keys of Secret `spiffe-upstream-ca` (tls.key is not here). */
  readonly spireUpstreamCa: SpireUpstreamCaPublicData;
  /** Certificate keys of Secret `cacerts` (ca-key.pem is not here). */
  readonly istioCacerts: IstioCacertsPublicData;
}

/** Public certificates of the mesh, verified, as returned by {@link PkiStore.loadPublic}. */
export interface MeshPublicPki {
  readonly mesh: string;
  readonly root: CertificateInfo;
  /** The trust anchor, PEM. */
  readonly rootPem: string;
  readonly clusters: Readonly<Record<string, ClusterPublicPki>>;
  /** Certificates expiring within `warnWithinDays`. */
  readonly warnings: readonly ExpiryWarning[];
}

/** What {@link PkiStore.ensure} did. */
export interface EnsureResult {
  /** Files written (keys first, then certificates). */
  readonly created: readonly string[];
  /** Certificates that existed, verified and were reused. */
  readonly reused: readonly string[];
  /** Key files absent for existing certificates (kept offline or elsewhere); export() needs them. */
  readonly keysAbsent: readonly string[];
  readonly warnings: readonly ExpiryWarning[];
}

/** What {@link PkiStore.rotateIntermediate} did. */
export interface RotationResult {
  readonly cluster: string;
  readonly kind: IntermediateKind;
  readonly certFile: string;
  readonly keyFile: string;
  readonly serial: string;
  readonly notAfter: Date;
  /** Where the previous certificate now lives (still valid until its own notAfter). */
  readonly retiredCertFile: string;
  /**
   * Where the previous key now lives.
   * @default - the previous key was not present
   */
  readonly retiredKeyFile?: string;
  readonly retiredSerial: string;
}

/** Secret values of one cluster, for upload (SOPS, a vault, or `kubectl create secret`). */
export interface ClusterSecrets {
  readonly cluster: string;
  /** `spiffe-upstream-ca`: tls.crt, tls.key, bundle.crt. */
  readonly spireUpstreamCa: SecretMaterial;
  /** `cacerts`: ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem. */
  readonly istioCacerts: SecretMaterial;
}

interface PendingWrite {
  readonly file: string;
  readonly content: string;
  readonly private: boolean;
  readonly cluster?: string;
}

/**
 * A mesh's CA hierarchy on disk: public certificates in a committed folder, private keys in a
 * local git-ignored folder. Replaces the seed runbooks' openssl steps (seeds 000/001).
 */
export class PkiStore {
  public readonly mesh: string;
  public readonly clusters: readonly string[];
  public readonly layout: PkiLayout;
  private readonly props: PkiStoreProps;

  public constructor(props: PkiStoreProps) {
    this.layout = new PkiLayout(props);
    for (const c of props.clusters) assertValidName('cluster', c);
    if (new Set(props.clusters).size !== props.clusters.length) {
      throw new PkiError({
        code: 'INVALID_ARGUMENT',
        mesh: props.mesh,
        reason: `duplicate cluster names in ${JSON.stringify(props.clusters)}.`,
        fix: 'list each cluster once.',
      });
    }
    this.mesh = props.mesh;
    this.clusters = [...props.clusters];
    this.props = props;
  }

  /**
   * Generates what is missing and reuses everything that exists (verified: key/cert match, chain,
   * validity). Never regenerates an existing CA. A missing intermediate needs the root key; without
   * it this fails naming the key file. Nothing is written unless every check passes.
   */
  public ensure(): EnsureResult {
    const now = this.now();
    const L = this.layout;
    const created: string[] = [];
    const reused: string[] = [];
    const keysAbsent: string[] = [];
    const pending: PendingWrite[] = [];

    // Phase 1: inspect and verify what exists.
    const rootCertExists = fs.existsSync(L.rootCertFile);
    const rootKeyExists = fs.existsSync(L.rootKeyFile);
    if (!rootCertExists && rootKeyExists) throw this.orphanKey(undefined, L.rootKeyFile, L.rootCertFile);

    let root: CertificateInfo | undefined;
    let rootCa: CertificateAuthority | undefined;
    if (rootCertExists) {
      root = this.loadRoot(now);
      reused.push(L.rootCertFile);
      if (rootKeyExists) rootCa = this.authority(undefined, root, L.rootCertFile, L.rootKeyFile);
      else keysAbsent.push(L.rootKeyFile);
    } else {
      const existing = this.clusters.flatMap((c) => IntermediateKind.ALL.map((k) => L.certFile(c, k))).filter((f) => fs.existsSync(f));
      if (existing.length > 0) {
        throw new PkiError({
          code: 'MISSING_FILE',
          mesh: this.mesh,
          file: L.display(L.rootCertFile),
          reason: `the root certificate is missing while intermediates exist (${existing.map((f) => L.display(f)).join(', ')}); generating a new root would orphan them.`,
          fix: `restore it from git: git checkout -- ${L.display(L.rootCertFile)}`,
        });
      }
    }

    const missing: { cluster: string; kind: IntermediateKind }[] = [];
    const located: LocatedCertificate[] = [];
    for (const cluster of this.clusters) {
      for (const kind of IntermediateKind.ALL) {
        const certFile = L.certFile(cluster, kind);
        const keyFile = L.keyFile(cluster, kind);
        const certExists = fs.existsSync(certFile);
        const keyExists = fs.existsSync(keyFile);
        if (!certExists && keyExists) throw this.orphanKey(cluster, keyFile, certFile);
        if (!certExists) {
          missing.push({ cluster, kind });
          continue;
        }
        // root is defined here: a missing root with existing intermediates was refused above.
        const info = this.loadIntermediate(cluster, kind, root!, now);
        if (keyExists) this.authority(cluster, info, certFile, keyFile);
        else keysAbsent.push(keyFile);
        reused.push(certFile);
        located.push({ role: kind.id, cluster, file: certFile, info });
      }
    }

    // Phase 2: generate in memory.
    if (missing.length > 0 && root !== undefined && rootCa === undefined) {
      const first = missing[0];
      throw new PkiError({
        code: 'MISSING_ROOT_KEY',
        mesh: this.mesh,
        cluster: first.cluster,
        file: L.display(L.rootKeyFile),
        reason:
          `the root private key is missing; it is needed to sign the missing intermediate(s) ` +
          `${missing.map((m) => L.display(L.certFile(m.cluster, m.kind))).join(', ')}.`,
        fix:
          `restore the root key from its offline backup to ${L.rootKeyFile} (chmod 600), then run ensure() again. ` +
          'Keys are never in git; do not generate a new root unless you mean to replace the trust anchor of every cluster.',
      });
    }
    if (root === undefined) {
      rootCa = createRootCa({ keyAlgorithm: this.props.keyAlgorithm, validityDays: this.props.rootValidityDays, now });
      root = inspectCertificate(rootCa.certPem, this.where(undefined, L.rootCertFile));
      assertSelfSignedRoot(root, this.where(undefined, L.rootCertFile));
      pending.push({ file: L.rootKeyFile, content: rootCa.keyPem, private: true });
      pending.push({ file: L.rootCertFile, content: rootCa.certPem, private: false });
    }
    for (const { cluster, kind } of missing) {
      const ca = createIntermediate(kind, rootCa!, cluster, {
        keyAlgorithm: this.props.keyAlgorithm,
        validityDays: this.validityDays(kind),
        now,
      });
      const certFile = L.certFile(cluster, kind);
      pending.push({ file: L.keyFile(cluster, kind), content: ca.keyPem, private: true, cluster });
      pending.push({ file: certFile, content: ca.certPem, private: false, cluster });
      const info = inspectCertificate(ca.certPem, this.where(cluster, certFile));
      // Self-check with the independent (native) verifier before anything reaches the disk.
      assertIssuedBy(info, root, this.where(cluster, certFile));
      located.push({ role: kind.id, cluster, file: certFile, info });
    }

    // Phase 3: write keys before certificates. If interrupted, a key without its certificate is
    // reported as an orphan (clear fix), while a certificate without its key would look like a
    // deliberately offline key.
    for (const w of [...pending.filter((p) => p.private), ...pending.filter((p) => !p.private)]) {
      const where = this.where(w.cluster, w.file);
      if (w.private) writePrivateFile(w.file, w.content, L.keyDir, where);
      else writePublicFile(w.file, w.content, where);
      created.push(w.file);
    }

    located.unshift({ role: 'root', file: L.rootCertFile, info: root });
    return { created, reused, keysAbsent, warnings: this.warn(located, now) };
  }

  /**
   * Loads and verifies the public certificates only (chain to the root, validity). Never touches
   * the key directory: this is what synthesis uses, and it works in a fresh clone without keys.
   */
  public loadPublic(): MeshPublicPki {
    const now = this.now();
    const root = this.loadRoot(now);
    const located: LocatedCertificate[] = [{ role: 'root', file: this.layout.rootCertFile, info: root }];
    const clusters: Record<string, ClusterPublicPki> = {};
    for (const cluster of this.clusters) {
      const spire = this.loadIntermediate(cluster, IntermediateKind.SPIRE, root, now);
      const istio = this.loadIntermediate(cluster, IntermediateKind.ISTIO, root, now);
      located.push({ role: 'spire', cluster, file: this.layout.certFile(cluster, IntermediateKind.SPIRE), info: spire });
      located.push({ role: 'istio', cluster, file: this.layout.certFile(cluster, IntermediateKind.ISTIO), info: istio });
      clusters[cluster] = {
        cluster,
        spireIntermediate: spire,
        istioIntermediate: istio,
        spireUpstreamCa: spireUpstreamCaPublicData(spire.pem, root.pem),
        istioCacerts: istioCacertsPublicData(istio.pem, root.pem),
      };
    }
    return { mesh: this.mesh, root, rootPem: root.pem, clusters, warnings: this.warn(located, now) };
  }

  /**
   * Issues a new intermediate under the same root and moves the previous certificate (and key) to
   * `retired/<stem>.<serial>.crt|key`: it stays valid until its own notAfter, so identities it
   * issued keep verifying against the root. Needs the root key. Upload `export(cluster)` afterwards.
   */
  public rotateIntermediate(cluster: string, which: IntermediateKind): RotationResult {
    this.assertKnownCluster(cluster);
    const now = this.now();
    const L = this.layout;
    const root = this.loadRoot(now);
    if (!fs.existsSync(L.rootKeyFile)) {
      throw new PkiError({
        code: 'MISSING_ROOT_KEY',
        mesh: this.mesh,
        cluster,
        file: L.display(L.rootKeyFile),
        reason: `the root private key is missing; it is needed to sign the new ${which.description} intermediate.`,
        fix: `restore the root key from its offline backup to ${L.rootKeyFile} (chmod 600), then rotate again.`,
      });
    }
    const rootCa = this.authority(undefined, root, L.rootCertFile, L.rootKeyFile);
    const certFile = L.certFile(cluster, which);
    const keyFile = L.keyFile(cluster, which);
    if (!fs.existsSync(certFile)) {
      throw new PkiError({
        code: 'MISSING_FILE',
        mesh: this.mesh,
        cluster,
        file: L.display(certFile),
        reason: 'there is no current intermediate to rotate.',
        fix: 'run ensure() to generate it.',
      });
    }
    // The current certificate is not verified: rotation is the remedy for an expired or broken one.
    let retiredSerial: string;
    try {
      retiredSerial = inspectCertificate(fs.readFileSync(certFile, 'utf8'), this.where(cluster, certFile)).serial;
    } catch {
      retiredSerial = `unreadable-${now.getTime()}`;
    }

    const ca = createIntermediate(which, rootCa, cluster, {
      keyAlgorithm: this.props.keyAlgorithm,
      validityDays: this.validityDays(which),
      now,
    });
    assertIssuedBy(inspectCertificate(ca.certPem, this.where(cluster, certFile)), root, this.where(cluster, certFile));

    const retiredCertFile = L.retiredCertFile(cluster, which, retiredSerial);
    const retiredKeyFile = L.retiredKeyFile(cluster, which, retiredSerial);
    const hadKey = fs.existsSync(keyFile);
    for (const target of hadKey ? [retiredCertFile, retiredKeyFile] : [retiredCertFile]) {
      if (fs.existsSync(target)) {
        throw new PkiError({
          code: 'ALREADY_EXISTS',
          mesh: this.mesh,
          cluster,
          file: L.display(target),
          reason: 'a retired file with the same serial already exists; nothing was changed.',
          fix: 'inspect both files and remove the stale one by hand.',
        });
      }
    }
    // Old files move aside first; the new pair is then created without overwriting anything.
    fs.mkdirSync(path.dirname(retiredCertFile), { recursive: true });
    moveNoClobber(certFile, retiredCertFile, this.where(cluster, certFile));
    if (hadKey) {
      ensurePrivateTree(L.keyDir, path.dirname(retiredKeyFile));
      moveNoClobber(keyFile, retiredKeyFile, this.where(cluster, keyFile));
    }
    writePrivateFile(keyFile, ca.keyPem, L.keyDir, this.where(cluster, keyFile));
    writePublicFile(certFile, ca.certPem, this.where(cluster, certFile));

    return {
      cluster,
      kind: which,
      certFile,
      keyFile,
      serial: ca.cert.serialNumber.toLowerCase(),
      notAfter: ca.cert.validity.notAfter,
      retiredCertFile,
      retiredKeyFile: hadKey ? retiredKeyFile : undefined,
      retiredSerial,
    };
  }

  /**
   * One row per certificate (root, current and retired intermediates), including missing ones.
   * Never throws for a bad certificate: problems are reported in the rows.
   */
  public status(): CertificateStatus[] {
    const now = this.now();
    const L = this.layout;
    const warnDays = this.props.warnWithinDays ?? DEFAULT_WARN_WITHIN_DAYS;
    let root: CertificateInfo | undefined;
    try {
      root = inspectCertificate(fs.readFileSync(L.rootCertFile, 'utf8'), this.where(undefined, L.rootCertFile));
    } catch {
      root = undefined;
    }
    const rows: CertificateStatus[] = [this.statusRow('root', undefined, L.rootCertFile, L.rootKeyFile, false, root, now, warnDays)];
    for (const cluster of this.clusters) {
      for (const kind of IntermediateKind.ALL) {
        rows.push(this.statusRow(kind.id, cluster, L.certFile(cluster, kind), L.keyFile(cluster, kind), false, root, now, warnDays));
        for (const r of L.retiredCertFiles(cluster, kind)) {
          rows.push(this.statusRow(kind.id, cluster, r.file, L.retiredKeyFile(cluster, kind, r.serial), true, root, now, warnDays));
        }
      }
    }
    return rows;
  }

  /**
   * Certificates (root and current intermediates) expiring within `days`, expired ones included.
   * Lenient: missing or unreadable files are skipped (status() reports them).
   */
  public expiringWithin(days: number = this.props.warnWithinDays ?? DEFAULT_WARN_WITHIN_DAYS): ExpiryWarning[] {
    const L = this.layout;
    const candidates: { role: LocatedCertificate['role']; cluster?: string; file: string }[] = [
      { role: 'root', file: L.rootCertFile },
      ...this.clusters.flatMap((cluster) => IntermediateKind.ALL.map((k) => ({ role: k.id, cluster, file: L.certFile(cluster, k) }))),
    ];
    const located: LocatedCertificate[] = [];
    for (const c of candidates) {
      try {
        located.push({ ...c, info: inspectCertificate(fs.readFileSync(c.file, 'utf8'), this.where(c.cluster, c.file)) });
      } catch {
        // reported by status()
      }
    }
    return findExpiring(located, { withinDays: days, now: this.now() }).map((w) => ({
      ...w,
      message: w.message.replace(w.file, L.display(w.file)),
    }));
  }

  /**
   * The two Secrets of a cluster, keys included, for upload. Verifies everything first (key/cert
   * match, chain, validity). Private values are redacted from JSON/inspect output of the result.
   */
  public export(cluster: string): ClusterSecrets {
    this.assertKnownCluster(cluster);
    const now = this.now();
    const root = this.loadRoot(now);
    const material = (kind: IntermediateKind): { info: CertificateInfo; keyPem: string } => {
      const info = this.loadIntermediate(cluster, kind, root, now);
      const keyFile = this.layout.keyFile(cluster, kind);
      if (!fs.existsSync(keyFile)) {
        throw new PkiError({
          code: 'MISSING_FILE',
          mesh: this.mesh,
          cluster,
          file: this.layout.display(keyFile),
          reason: `the ${kind.description} private key is not in the key directory.`,
          fix:
            `restore it from its backup to ${keyFile} (chmod 600); if it is lost, ` +
            `rotateIntermediate("${cluster}", IntermediateKind.${kind.id.toUpperCase()}) issues a new one (needs the root key).`,
        });
      }
      const ca = this.authority(cluster, info, this.layout.certFile(cluster, kind), keyFile);
      return { info, keyPem: ca.keyPem };
    };
    const spire = material(IntermediateKind.SPIRE);
    const istio = material(IntermediateKind.ISTIO);
    return {
      cluster,
      spireUpstreamCa: spireUpstreamCaSecret(spire.info.pem, spire.keyPem, root.pem),
      istioCacerts: istioCacertsSecret(istio.info.pem, istio.keyPem, root.pem),
    };
  }

  // ---------------------------------------------------------------------------------------------

  private now(): Date {
    return this.props.now ?? new Date();
  }

  private validityDays(kind: IntermediateKind): number {
    return kind === IntermediateKind.SPIRE
      ? (this.props.spireValidityDays ?? DEFAULT_VALIDITY_DAYS.spire)
      : (this.props.istioValidityDays ?? DEFAULT_VALIDITY_DAYS.istio);
  }

  private where(cluster: string | undefined, file: string): PkiFileLocation {
    return { mesh: this.mesh, cluster, file: this.layout.display(file) };
  }

  private assertKnownCluster(cluster: string): void {
    if (!this.clusters.includes(cluster)) {
      throw new PkiError({
        code: 'INVALID_ARGUMENT',
        mesh: this.mesh,
        cluster,
        reason: `unknown cluster; this mesh has ${this.clusters.join(', ') || 'no clusters'}.`,
        fix: 'add the cluster to the mesh and run ensure().',
      });
    }
  }

  private readCertificate(cluster: string | undefined, file: string, missingFix: string): CertificateInfo {
    const where = this.where(cluster, file);
    if (!fs.existsSync(file)) {
      throw new PkiError({ ...where, code: 'MISSING_FILE', reason: 'the certificate file does not exist.', fix: missingFix });
    }
    return inspectCertificate(fs.readFileSync(file, 'utf8'), where);
  }

  private loadRoot(now: Date): CertificateInfo {
    const file = this.layout.rootCertFile;
    const where = this.where(undefined, file);
    const root = this.readCertificate(
      undefined,
      file,
      `restore it from git (git checkout -- ${this.layout.display(file)}), or run ensure() to create a new mesh hierarchy.`,
    );
    assertSelfSignedRoot(root, where);
    assertTimeValid(
      root,
      now,
      where,
      'the root is the trust anchor of every cluster: a new root needs new intermediates everywhere (trust-domain migration).',
    );
    return root;
  }

  private loadIntermediate(cluster: string, kind: IntermediateKind, root: CertificateInfo, now: Date): CertificateInfo {
    const file = this.layout.certFile(cluster, kind);
    const where = this.where(cluster, file);
    const info = this.readCertificate(
      cluster,
      file,
      `restore it from git (git checkout -- ${this.layout.display(file)}), or run ensure() with the root key to generate it.`,
    );
    assertIssuedBy(info, root, where);
    assertTimeValid(
      info,
      now,
      where,
      `rotateIntermediate("${cluster}", IntermediateKind.${kind.id.toUpperCase()}) issues a replacement (needs the root key); then upload export("${cluster}").`,
    );
    return info;
  }

  /** Reads a key (permission check, parse) and checks that it belongs to the certificate. */
  private authority(cluster: string | undefined, info: CertificateInfo, certFile: string, keyFile: string): CertificateAuthority {
    const where = this.where(cluster, keyFile);
    const keyPem = readPrivateFile(keyFile, where);
    const key = parsePrivateKey(keyPem, where);
    assertKeyMatches(info, this.layout.display(certFile), keyPem, where);
    return { cert: info.cert, certPem: info.pem, key, keyPem };
  }

  private orphanKey(cluster: string | undefined, keyFile: string, certFile: string): PkiError {
    return new PkiError({
      code: 'ORPHAN_KEY',
      mesh: this.mesh,
      cluster,
      file: this.layout.display(certFile),
      reason: `the certificate is missing but its private key ${this.layout.display(keyFile)} exists (an interrupted run, or a deleted certificate).`,
      fix:
        `restore the certificate from git (git checkout -- ${this.layout.display(certFile)}); if it was never committed, ` +
        `move the key out of ${this.layout.keyDir} and run ensure() again to generate a new pair.`,
    });
  }

  private warn(located: readonly LocatedCertificate[], now: Date): ExpiryWarning[] {
    const L = this.layout;
    return findExpiring(located, { withinDays: this.props.warnWithinDays ?? DEFAULT_WARN_WITHIN_DAYS, now }).map((w) => ({
      ...w,
      message: w.message.replace(w.file, L.display(w.file)),
    }));
  }

  private statusRow(
    role: CertificateStatus['role'],
    cluster: string | undefined,
    file: string,
    keyFile: string,
    retired: boolean,
    root: CertificateInfo | undefined,
    now: Date,
    warnDays: number,
  ): CertificateStatus {
    const keyPresent = fs.existsSync(keyFile);
    const base = { role, cluster, file, retired, keyPresent };
    if (!fs.existsSync(file)) {
      return { ...base, state: 'missing', chainVerified: false, problem: 'file does not exist' };
    }
    let info: CertificateInfo;
    try {
      info = inspectCertificate(fs.readFileSync(file, 'utf8'), this.where(cluster, file));
    } catch (e) {
      return { ...base, state: 'invalid', chainVerified: false, problem: (e as PkiError).reason ?? 'unreadable' };
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
        keyMatches = keyMatchesCertificate(info, readPrivateFile(keyFile, this.where(cluster, keyFile)));
        if (!keyMatches) problems.push(`the key ${this.layout.display(keyFile)} does not match`);
      } catch (e) {
        problems.push((e as PkiError).reason ?? 'key unreadable');
      }
    }
    const left = daysLeft(info.notAfter, now);
    let state: CertificateState;
    if (problems.length > 0) state = 'invalid';
    else if (now > info.notAfter) state = 'expired';
    else if (now < info.notBefore) state = 'not-yet-valid';
    else if (left <= warnDays) state = 'expiring';
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
}
