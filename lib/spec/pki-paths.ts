/**
 * The spec rule on the folders that hold private material (`pki.keyDirectory` and the kubectl
 * `pki.delivery.outputDirectory`): neither may overlap a committed folder, i.e. the certificate
 * folder or dist/. Folders are compared as written, after normalizing `.`, `..`, repeated and
 * back slashes. Absolute paths and symlinks can only be judged on disk: the PKI step resolves
 * real paths and asks git before it writes a key (lib/pki/custody.ts).
 */
import * as path from 'path';
import { CaDeliveryMode } from './choices';
import { DEFAULT_CERTIFICATE_DIRECTORY } from './defaults';
import { PkiDocument } from './document';
import { SpecProblem } from './errors';
import { DEFAULT_OUTPUT_DIRECTORY } from './project';

type Overlap = 'inside' | 'contains';

/** Problems of the key folder and the kubectl Secret folder of `pki` (a possibly malformed document). */
export function pkiPathProblems(pki: Partial<PkiDocument> | undefined): SpecProblem[] {
  if (!pki || typeof pki !== 'object') return [];
  const problems: SpecProblem[] = [];
  const certs = normalizeDir(nonEmpty(pki.certificateDirectory) ?? DEFAULT_CERTIFICATE_DIRECTORY);
  const committed = [certs, DEFAULT_OUTPUT_DIRECTORY];
  const keyDirectory = nonEmpty(pki.keyDirectory);
  if (keyDirectory !== undefined) {
    const clash = firstOverlap(normalizeDir(keyDirectory), committed);
    if (clash) {
      problems.push({
        path: ['pki', 'keyDirectory'],
        message: `key folder '${keyDirectory}' ${clash.overlap === 'inside' ? 'lies inside' : 'contains'} a committed folder ('${certs}' or '${DEFAULT_OUTPUT_DIRECTORY}')`,
        fix: "use a git-ignored folder outside them, e.g. '.spiremesh/keys'",
      });
    }
  }
  const delivery = pki.delivery && typeof pki.delivery === 'object' ? pki.delivery : undefined;
  const secrets = delivery?.mode === CaDeliveryMode.KUBECTL.value ? nonEmpty(delivery.outputDirectory) : undefined;
  if (secrets !== undefined) {
    const clash = firstOverlap(normalizeDir(secrets), committed);
    if (clash) {
      const what = clash.folder === DEFAULT_OUTPUT_DIRECTORY ? `${DEFAULT_OUTPUT_DIRECTORY}/` : `the certificate folder '${certs}'`;
      problems.push({
        path: ['pki', 'delivery', 'outputDirectory'],
        message: `'${secrets}' ${clash.overlap === 'inside' ? 'is inside' : 'contains'} ${what}, which is committed: the Secret manifests hold private keys`,
        fix: "use a git-ignored folder such as '.spiremesh/secrets'",
      });
    }
  }
  return problems;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `dir` with `/` separators, `.` and `..` resolved as far as the text allows, no trailing slash. */
function normalizeDir(dir: string): string {
  return path.posix.normalize(dir.replace(/\\/g, '/')).replace(/(.)\/+$/, '$1');
}

function firstOverlap(dir: string, committed: readonly string[]): { folder: string; overlap: Overlap } | undefined {
  for (const folder of committed) {
    // A relative folder and an absolute one can only be compared on disk.
    if (path.posix.isAbsolute(dir) !== path.posix.isAbsolute(folder)) continue;
    if (isWithin(dir, folder)) return { folder, overlap: 'inside' };
    if (isWithin(folder, dir)) return { folder, overlap: 'contains' };
  }
  return undefined;
}

/** True when `inner` is `outer` or lies below it (both normalized, both relative or both absolute). */
function isWithin(inner: string, outer: string): boolean {
  const rel = path.posix.relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !path.posix.isAbsolute(rel));
}
