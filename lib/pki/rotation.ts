import * as fs from 'fs';
import * as path from 'path';
import { PkiError } from './errors';
import { PKI_INIT, pkiRotate, restoreRootKey } from './fixes';
import { IntermediateKind } from './intermediate-kind';
import { ensurePrivateTree, moveNoClobber, writePrivateFile, writePublicFile } from './secure-fs';
import { PkiStore } from './store';

/** What {@link rotateIntermediate} did. */
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

/**
 * Issues a new intermediate under the same root and moves the previous certificate (and key) to
 * `retired/<stem>.<serial>.crt|key`: it stays valid until its own notAfter, so identities it
 * issued keep verifying against the root. Needs the root key. Upload `store.export(cluster)` afterwards.
 */
export function rotateIntermediate(store: PkiStore, cluster: string, which: IntermediateKind): RotationResult {
  store.assertKnownCluster(cluster);
  if (store.rootOnly) throw store.rootOnlyError(cluster, `rotate the ${which.description} intermediate`, 'nothing to rotate here');
  store.assertCustody();
  const now = store.now();
  const L = store.layout;
  const root = store.loadRoot(now);
  if (!fs.existsSync(L.rootKeyFile)) {
    throw new PkiError({
      code: 'MISSING_ROOT_KEY',
      mesh: store.mesh,
      cluster,
      file: L.display(L.rootKeyFile),
      reason: `the root private key is missing; it is needed to sign the new ${which.description} intermediate.`,
      fix: restoreRootKey(L.rootKeyFile, pkiRotate(cluster, which.id)),
    });
  }
  const rootCa = store.rootAuthority(root);
  const certFile = L.certFile(cluster, which);
  const keyFile = L.keyFile(cluster, which);
  if (!fs.existsSync(certFile)) {
    throw new PkiError({
      code: 'MISSING_FILE',
      mesh: store.mesh,
      cluster,
      file: L.display(certFile),
      reason: 'there is no current intermediate to rotate.',
      fix: `run ${PKI_INIT} to generate it.`,
    });
  }
  // The current certificate is not verified: rotation is the remedy for an expired or broken one.
  let retiredSerial: string;
  try {
    retiredSerial = store.inspectFile(cluster, certFile).serial;
  } catch {
    retiredSerial = `unreadable-${now.getTime()}`;
  }

  const { ca } = store.issueIntermediate(rootCa, root, cluster, which, now);

  const retiredCertFile = L.retiredCertFile(cluster, which, retiredSerial);
  const retiredKeyFile = L.retiredKeyFile(cluster, which, retiredSerial);
  const hadKey = fs.existsSync(keyFile);
  for (const target of hadKey ? [retiredCertFile, retiredKeyFile] : [retiredCertFile]) {
    if (fs.existsSync(target)) {
      throw new PkiError({
        code: 'ALREADY_EXISTS',
        mesh: store.mesh,
        cluster,
        file: L.display(target),
        reason: 'a retired file with the same serial already exists; nothing was changed.',
        fix: 'inspect both files and remove the stale one by hand.',
      });
    }
  }
  // Old files move aside first; the new pair is then created without overwriting anything.
  fs.mkdirSync(path.dirname(retiredCertFile), { recursive: true });
  moveNoClobber(certFile, retiredCertFile, store.fileLocation(cluster, certFile));
  if (hadKey) {
    ensurePrivateTree(L.keyRoot, path.dirname(retiredKeyFile));
    moveNoClobber(keyFile, retiredKeyFile, store.fileLocation(cluster, keyFile));
  }
  writePrivateFile(keyFile, ca.keyPem, L.keyRoot, store.fileLocation(cluster, keyFile));
  writePublicFile(certFile, ca.certPem, store.fileLocation(cluster, certFile));

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
