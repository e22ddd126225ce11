import * as crypto from 'crypto';
import * as fs from 'fs';
import {
  CertificateAuthority,
  CertificateInfo,
  assertValidName,
  forgePrivateKey,
  inspectCertificate,
  parsePrivateKeyObject,
} from './certificate';
import { KeyCustodyProps, assertKeyCustody } from './custody';
import { PkiError, PkiFileLocation } from './errors';
import { PKI_EXPORT, PKI_INIT, REPLACE_ROOT, SELF_CHECK_FAILED, replaceIntermediate, restoreRootKey } from './fixes';
import { DEFAULT_VALIDITY_DAYS, createIntermediate, createRootCa } from './hierarchy';
import { IntermediateKind } from './intermediate-kind';
import { GeneratedKeyPair, generateKeyPairs } from './key-algorithm';
import { KeyAlgorithm } from '../spec/choices';
import { DEFAULT_OUTPUT_DIRECTORY } from '../spec/project';
import { PkiLayout, PkiLayoutProps } from './layout';
import {
  IstioCacertsPublicData,
  SecretMaterial,
  SpireUpstreamCaPublicData,
  istioCacertsPublicData,
  istioCacertsSecret,
  meshRootCaSecret,
  spireUpstreamCaPublicData,
  spireUpstreamCaSecret,
} from './material';
import { readPrivateFile, writePrivateFile, writePublicFile } from './secure-fs';
import {
  DEFAULT_WARN_WITHIN_DAYS,
  ExpiryWarning,
  LocatedCertificate,
  assertIssuedBy,
  assertKeyMatches,
  assertSelfSignedRoot,
  assertTimeValid,
  findExpiring,
} from './verify';

/** Configuration of a mesh's {@link PkiStore}. */
export interface PkiStoreProps extends PkiLayoutProps {
  /** Clusters of the mesh; each gets a SPIRE and an Istio intermediate (unless `rootOnly`). */
  readonly clusters: readonly string[];
  /**
   * Keep only the mesh root: no per-cluster intermediates are generated, loaded or exported,
   * because cert-manager signs the per-cluster CAs in-cluster with the root (cert-manager
   * delivery with `rootSecretStore`). Intermediate files left from another delivery mode are ignored.
   * @default false
   */
  readonly rootOnly?: boolean;
  /**
   * Key type and size of keys generated from now on (existing CAs are reused as they are).
   * @default KeyAlgorithm.RSA_2048
   */
  readonly keyAlgorithm?: KeyAlgorithm;
  /**
   * Threads that generate missing keys at the same time, the calling thread included: a mesh of
   * N clusters needs up to 2N + 1 keys, and each costs a core 0.1-0.4 s (RSA-2048). 1 generates
   * them one after the other on the calling thread.
   * @default - os.availableParallelism(), at most 8 (DEFAULT_MAX_KEYGEN_THREADS)
   */
  readonly keyGenerationParallelism?: number;
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
  /**
   * The output folder (committed): no key or secret folder may overlap it.
   * @default `<baseDir>/dist`
   */
  readonly outputDirectory?: string;
  /**
   * Folder of the kubectl Secret manifests: checked like the key folder.
   * @default - none
   */
  readonly secretsDirectory?: string;
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
 * local git-ignored folder. It replaces the manual openssl steps of Solo's SPIRE guide
 * (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/: `openssl genrsa`, `req`, `x509 -req`)
 * and keeps custody: reading and verifying, `ensure`, `loadPublic`, `export`. Rotation (rotation.ts)
 * and status reports (status.ts) build on the reading methods below.
 */
export class PkiStore {
  public readonly mesh: string;
  public readonly clusters: readonly string[];
  public readonly layout: PkiLayout;
  /** Certificates expiring within this many days are reported as warnings. */
  public readonly warnWithinDays: number;
  /** Only the mesh root is kept here; cert-manager issues the per-cluster CAs (see {@link PkiStoreProps.rootOnly}). */
  public readonly rootOnly: boolean;
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
    this.warnWithinDays = props.warnWithinDays ?? DEFAULT_WARN_WITHIN_DAYS;
    this.rootOnly = props.rootOnly ?? false;
    this.props = props;
  }

  /** The folders of this mesh that key custody judges (see {@link assertKeyCustody}). */
  public get custody(): KeyCustodyProps {
    const L = this.layout;
    return {
      mesh: this.mesh,
      projectDir: L.baseDir,
      keyDirectory: L.keyRoot,
      secretsDirectory: this.props.secretsDirectory,
      outputDirectory: this.props.outputDirectory ?? DEFAULT_OUTPUT_DIRECTORY,
      certificateDirectory: L.certificateRoot,
    };
  }

  /**
   * Refuses a key (or secret) folder that could be committed: one that overlaps the output or the
   * certificate folder (by real path), or lies in a git work tree that does not ignore it. Writes nothing.
   */
  public assertCustody(): void {
    assertKeyCustody(this.custody);
  }

  /**
   * Generates what is missing and reuses everything that exists (verified: key/cert match, chain,
   * validity). Never regenerates an existing CA. A missing intermediate needs the root key; without
   * it this fails naming the key file. Nothing is written unless every check passes, key custody
   * ({@link assertCustody}) first. The missing keys are generated together, in memory, on up to
   * {@link PkiStoreProps.keyGenerationParallelism} threads; if one fails, nothing is written.
   */
  public ensure(): EnsureResult {
    this.assertCustody();
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
      if (rootKeyExists) rootCa = this.rootAuthority(root);
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
    for (const cluster of this.intermediateClusters) {
      for (const kind of IntermediateKind.ALL) {
        const certFile = L.certFile(cluster, kind);
        const keyFile = L.keyFile(cluster, kind);
        const certExists = fs.existsSync(certFile);
        const keyExists = fs.existsSync(keyFile);
        if (!certExists && keyExists) throw this.orphanKey(cluster, keyFile, certFile);
        // Without a root no intermediate exists either: that case was refused above.
        if (!certExists || root === undefined) {
          missing.push({ cluster, kind });
          continue;
        }
        const info = this.loadIntermediate(cluster, kind, root, now);
        // Checked (permissions, native parse, key/cert match) without the node-forge parse a signer needs.
        if (keyExists) this.verifiedKey(cluster, info, certFile, keyFile, replaceIntermediate(cluster, kind.id));
        else keysAbsent.push(keyFile);
        reused.push(certFile);
        located.push({ role: kind.id, cluster, file: certFile, info });
      }
    }

    // Phase 2: generate in memory. Every new key at once, on every core (generateKeyPairs); a
    // missing intermediate needs the root key, which is checked before any key is generated.
    if (missing.length > 0 && root !== undefined && rootCa === undefined) throw this.missingRootKey(missing);
    const algorithm = this.props.keyAlgorithm ?? KeyAlgorithm.RSA_2048;
    const keyPairs = generateKeyPairs(new Array<KeyAlgorithm>((root === undefined ? 1 : 0) + missing.length).fill(algorithm), {
      parallelism: this.props.keyGenerationParallelism,
    });
    if (root === undefined) {
      rootCa = createRootCa({ keyAlgorithm: algorithm, keyPair: keyPairs.shift(), validityDays: this.props.rootValidityDays, now });
      root = inspectCertificate(rootCa.certPem, this.fileLocation(undefined, L.rootCertFile));
      assertSelfSignedRoot(root, this.fileLocation(undefined, L.rootCertFile));
      pending.push({ file: L.rootKeyFile, content: rootCa.keyPem, private: true });
      pending.push({ file: L.rootCertFile, content: rootCa.certPem, private: false });
    }
    for (const [i, { cluster, kind }] of missing.entries()) {
      if (rootCa === undefined) throw this.missingRootKey(missing); // refused above already
      const { ca, info } = this.issueIntermediate(rootCa, root, cluster, kind, now, keyPairs[i]);
      const certFile = L.certFile(cluster, kind);
      pending.push({ file: L.keyFile(cluster, kind), content: ca.keyPem, private: true, cluster });
      pending.push({ file: certFile, content: ca.certPem, private: false, cluster });
      located.push({ role: kind.id, cluster, file: certFile, info });
    }

    // Phase 3: write keys before certificates. If interrupted, a key without its certificate is
    // reported as an orphan (clear fix), while a certificate without its key would look like a
    // deliberately offline key.
    for (const w of [...pending.filter((p) => p.private), ...pending.filter((p) => !p.private)]) {
      const where = this.fileLocation(w.cluster, w.file);
      if (w.private) writePrivateFile(w.file, w.content, L.keyRoot, where);
      else writePublicFile(w.file, w.content, where);
      created.push(w.file);
    }

    located.unshift({ role: 'root', file: L.rootCertFile, info: root });
    return { created, reused, keysAbsent, warnings: this.expiryWarnings(located, this.warnWithinDays, now) };
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
    for (const cluster of this.intermediateClusters) {
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
    return { mesh: this.mesh, root, rootPem: root.pem, clusters, warnings: this.expiryWarnings(located, this.warnWithinDays, now) };
  }

  /**
   * The two Secrets of a cluster, keys included, for upload. Verifies everything first (key/cert
   * match, chain, validity). Private values are redacted from JSON/inspect output of the result.
   */
  public export(cluster: string): ClusterSecrets {
    this.assertKnownCluster(cluster);
    if (this.rootOnly)
      throw this.rootOnlyError(cluster, 'export the per-cluster CA secrets', `export the mesh root instead (${PKI_EXPORT})`);
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
          fix: `restore it from its backup to ${keyFile} (chmod 600); if it is lost, ${replaceIntermediate(cluster, kind.id)}`,
        });
      }
      return { info, keyPem: this.intermediateAuthority(cluster, kind, info).keyPem };
    };
    const spire = material(IntermediateKind.SPIRE);
    const istio = material(IntermediateKind.ISTIO);
    return {
      cluster,
      spireUpstreamCa: spireUpstreamCaSecret(spire.info.pem, spire.keyPem, root.pem),
      istioCacerts: istioCacertsSecret(istio.info.pem, istio.keyPem, root.pem),
    };
  }

  /**
   * The mesh root with its key, for upload to the secret store that a cert-manager CA issuer is
   * built from (kubernetes.io/tls: `tls.crt`, `tls.key`). Verifies the root (self-signed,
   * valid) and that the key belongs to it. Private values are redacted from JSON/inspect output.
   */
  public exportRoot(): SecretMaterial {
    const root = this.loadRoot();
    const L = this.layout;
    if (!fs.existsSync(L.rootKeyFile)) {
      throw new PkiError({
        code: 'MISSING_ROOT_KEY',
        mesh: this.mesh,
        file: L.display(L.rootKeyFile),
        reason: 'the root private key is not in the key directory; the issuer that cert-manager runs from the mesh root needs it.',
        fix: restoreRootKey(L.rootKeyFile, PKI_EXPORT),
      });
    }
    return meshRootCaSecret(root.pem, this.rootAuthority(root).keyPem);
  }

  /** The clusters whose intermediates this store keeps: none when {@link rootOnly}. */
  public get intermediateClusters(): readonly string[] {
    return this.rootOnly ? [] : this.clusters;
  }

  /** The error for an intermediate operation on a store that keeps only the root. */
  public rootOnlyError(cluster: string | undefined, what: string, instead: string): PkiError {
    return new PkiError({
      code: 'INVALID_ARGUMENT',
      mesh: this.mesh,
      cluster,
      reason:
        `cannot ${what}: this mesh keeps only its root here, and cert-manager signs the per-cluster CAs in-cluster ` +
        '(pki.delivery.mode cert-manager with rootSecretStore).',
      fix: `${instead}; cert-manager renews istiod's CA (istiodCaDuration, istiodCaRenewBefore) and SPIRE's CA (spire.caTtl) itself.`,
    });
  }

  // Reading and verifying -----------------------------------------------------------------------

  /** The store's clock: `props.now`, else the current time (read at each call). */
  public now(): Date {
    return this.props.now ?? new Date();
  }

  /** Where a file of this mesh lives, for precise {@link PkiError}s (the path as displayed). */
  public fileLocation(cluster: string | undefined, file: string): PkiFileLocation {
    return { mesh: this.mesh, cluster, file: this.layout.display(file) };
  }

  /** Throws INVALID_ARGUMENT for a cluster this mesh does not have. */
  public assertKnownCluster(cluster: string): void {
    if (!this.clusters.includes(cluster)) {
      throw new PkiError({
        code: 'INVALID_ARGUMENT',
        mesh: this.mesh,
        cluster,
        reason: `unknown cluster; this mesh has ${this.clusters.join(', ') || 'no clusters'}.`,
        fix: `add the cluster to the mesh and run ${PKI_INIT}.`,
      });
    }
  }

  /** Parses the certificate at `file`, without checking chain or validity (throws when it is missing or unreadable). */
  public inspectFile(cluster: string | undefined, file: string): CertificateInfo {
    return inspectCertificate(fs.readFileSync(file, 'utf8'), this.fileLocation(cluster, file));
  }

  /** The root certificate, verified: a self-signed CA, valid at `now`. */
  public loadRoot(now: Date = this.now()): CertificateInfo {
    const file = this.layout.rootCertFile;
    const where = this.fileLocation(undefined, file);
    const root = this.readCertificate(
      undefined,
      file,
      `restore it from git (git checkout -- ${this.layout.display(file)}), or run ${PKI_INIT} to create a new mesh hierarchy.`,
    );
    assertSelfSignedRoot(root, where);
    assertTimeValid(root, now, where, REPLACE_ROOT);
    return root;
  }

  /** A cluster's intermediate certificate, verified: issued by `root`, valid at `now`. */
  public loadIntermediate(cluster: string, kind: IntermediateKind, root: CertificateInfo, now: Date = this.now()): CertificateInfo {
    const file = this.layout.certFile(cluster, kind);
    const where = this.fileLocation(cluster, file);
    const info = this.readCertificate(
      cluster,
      file,
      `restore it from git (git checkout -- ${this.layout.display(file)}), or run ${PKI_INIT} with the root key in place to generate it.`,
    );
    assertIssuedBy(info, root, where, `restore the matching certificate from git, or ${replaceIntermediate(cluster, kind.id)}`);
    assertTimeValid(info, now, where, replaceIntermediate(cluster, kind.id));
    return info;
  }

  /** The root with its private key (permissions checked, key matched to the certificate), to sign with. */
  public rootAuthority(root: CertificateInfo): CertificateAuthority {
    return this.authority(undefined, root, this.layout.rootCertFile, this.layout.rootKeyFile, REPLACE_ROOT);
  }

  /** A cluster's intermediate with its private key (permissions checked, key matched to the certificate). */
  public intermediateAuthority(cluster: string, kind: IntermediateKind, info: CertificateInfo): CertificateAuthority {
    const [certFile, keyFile] = [this.layout.certFile(cluster, kind), this.layout.keyFile(cluster, kind)];
    return this.authority(cluster, info, certFile, keyFile, replaceIntermediate(cluster, kind.id));
  }

  /**
   * A new intermediate for `cluster` signed by the root, in memory (nothing is written), with the
   * store's key algorithm and validity, and `keyPair` when it was generated beforehand (else a
   * new key is generated here). Checked with the independent (native) verifier first.
   */
  public issueIntermediate(
    rootCa: CertificateAuthority,
    root: CertificateInfo,
    cluster: string,
    kind: IntermediateKind,
    now: Date = this.now(),
    keyPair?: GeneratedKeyPair,
  ): { ca: CertificateAuthority; info: CertificateInfo } {
    const ca = createIntermediate(kind, rootCa, cluster, {
      keyAlgorithm: this.props.keyAlgorithm,
      keyPair,
      validityDays: this.validityDays(kind),
      now,
    });
    const where = this.fileLocation(cluster, this.layout.certFile(cluster, kind));
    const info = inspectCertificate(ca.certPem, where);
    assertIssuedBy(info, root, where, SELF_CHECK_FAILED);
    return { ca, info };
  }

  /** Warnings for the certificates that expire within `withinDays`, with paths as displayed. */
  public expiryWarnings(located: readonly LocatedCertificate[], withinDays: number, now: Date = this.now()): ExpiryWarning[] {
    return findExpiring(located, { withinDays, now, display: (file) => this.layout.display(file) });
  }

  // ---------------------------------------------------------------------------------------------

  private validityDays(kind: IntermediateKind): number {
    return kind === IntermediateKind.SPIRE
      ? (this.props.spireValidityDays ?? DEFAULT_VALIDITY_DAYS.spire)
      : (this.props.istioValidityDays ?? DEFAULT_VALIDITY_DAYS.istio);
  }

  private readCertificate(cluster: string | undefined, file: string, missingFix: string): CertificateInfo {
    if (!fs.existsSync(file)) {
      throw new PkiError({
        ...this.fileLocation(cluster, file),
        code: 'MISSING_FILE',
        reason: 'the certificate file does not exist.',
        fix: missingFix,
      });
    }
    return this.inspectFile(cluster, file);
  }

  /** Reads a key (permission check, parse) and checks that it belongs to the certificate. */
  private authority(
    cluster: string | undefined,
    info: CertificateInfo,
    certFile: string,
    keyFile: string,
    ifLost: string,
  ): CertificateAuthority {
    const { keyPem, keyObject } = this.verifiedKey(cluster, info, certFile, keyFile, ifLost);
    return { cert: info.cert, certPem: info.pem, key: forgePrivateKey(keyObject, this.fileLocation(cluster, keyFile)), keyPem };
  }

  /** Reads a key file (permission check, one native parse) and checks that it belongs to the certificate. */
  private verifiedKey(
    cluster: string | undefined,
    info: CertificateInfo,
    certFile: string,
    keyFile: string,
    ifLost: string,
  ): { keyPem: string; keyObject: crypto.KeyObject } {
    const where = this.fileLocation(cluster, keyFile);
    const keyPem = readPrivateFile(keyFile, where);
    const keyObject = parsePrivateKeyObject(keyPem, where);
    assertKeyMatches(info, this.layout.display(certFile), keyObject, where, ifLost);
    return { keyPem, keyObject };
  }

  private missingRootKey(missing: readonly { cluster: string; kind: IntermediateKind }[]): PkiError {
    const L = this.layout;
    return new PkiError({
      code: 'MISSING_ROOT_KEY',
      mesh: this.mesh,
      cluster: missing[0].cluster,
      file: L.display(L.rootKeyFile),
      reason:
        `the root private key is missing; it is needed to sign the missing intermediate(s) ` +
        `${missing.map((m) => L.display(L.certFile(m.cluster, m.kind))).join(', ')}.`,
      fix:
        `${restoreRootKey(L.rootKeyFile, PKI_INIT)} ` +
        'Keys are never in git; do not generate a new root unless you mean to replace the trust anchor of every cluster.',
    });
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
        `move the key out of ${this.layout.keyDir} and run ${PKI_INIT} again to generate a new pair.`,
    });
  }
}
