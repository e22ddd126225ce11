import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CERTIFICATE_DIRECTORY, DEFAULT_KEY_DIRECTORY } from '../spec';
import { findProjectDir } from '../spec/project';
import { assertValidName } from './certificate';
import { isWithin } from './custody';
import { PkiError } from './errors';
import { IntermediateKind } from './intermediate-kind';

/** Folder of committed public certificates, relative to the base directory (the spec's default). */
export const DEFAULT_PUBLIC_ROOT = DEFAULT_CERTIFICATE_DIRECTORY;
/** Folder of private keys, relative to the base directory (covered by .gitignore; the spec's default). */
export const DEFAULT_KEY_ROOT = DEFAULT_KEY_DIRECTORY;

/** Where a mesh's certificates and keys live. */
export interface PkiLayoutProps {
  /** Mesh name: one folder per mesh, in both trees. */
  readonly mesh: string;
  /**
   * Directory the relative folders are resolved against (the project folder).
   * @default - findProjectDir(process.cwd()): the nearest folder holding cdk8s.yaml or package.json
   */
  readonly baseDir?: string;
  /**
   * Committed folder of the certificates of every mesh (`pki.certificateDirectory`).
   * @default `<baseDir>/pki`
   */
  readonly certificateDirectory?: string;
  /**
   * Git-ignored folder of the private keys of every mesh (`pki.keyDirectory`): the folder whose
   * custody is checked, and that is created with a `.gitignore` of its own.
   * @default `<baseDir>/.spiremesh/keys`, or `keyDir` itself when only `keyDir` is given
   */
  readonly keyDirectory?: string;
  /**
   * Committed folder of public certificates. A fresh clone renders manifests from it alone.
   * @default `<certificateDirectory>/<mesh>`
   */
  readonly publicDir?: string;
  /**
   * Local, git-ignored folder of private keys (directories 0700, files 0600); inside `keyDirectory`.
   * @default `<keyDirectory>/<mesh>`
   */
  readonly keyDir?: string;
}

/**
 * File layout of a mesh PKI:
 *
 * ```
 * pki/<mesh>/root-ca.crt                          .spiremesh/keys/<mesh>/root-ca.key
 * pki/<mesh>/<cluster>/spire-intermediate.crt     .spiremesh/keys/<mesh>/<cluster>/spire-intermediate.key
 * pki/<mesh>/<cluster>/istio-intermediate.crt     .spiremesh/keys/<mesh>/<cluster>/istio-intermediate.key
 * pki/<mesh>/<cluster>/retired/<stem>.<serial>.crt   (after a rotation; key likewise)
 * ```
 */
export class PkiLayout {
  public readonly mesh: string;
  /** The project folder that relative folders are resolved against. */
  public readonly baseDir: string;
  /** The certificate folder of every mesh (committed). */
  public readonly certificateRoot: string;
  /** The key folder of every mesh (git-ignored): custody is checked on it, and it gets a `.gitignore` when created. */
  public readonly keyRoot: string;
  public readonly publicDir: string;
  public readonly keyDir: string;

  public constructor(props: PkiLayoutProps) {
    assertValidName('mesh', props.mesh);
    const base = path.resolve(props.baseDir ?? findProjectDir(process.cwd()));
    this.mesh = props.mesh;
    this.baseDir = base;
    const certificateRoot = path.resolve(base, props.certificateDirectory ?? DEFAULT_PUBLIC_ROOT);
    const keyRoot = path.resolve(base, props.keyDirectory ?? DEFAULT_KEY_ROOT);
    this.publicDir = props.publicDir !== undefined ? path.resolve(base, props.publicDir) : path.join(certificateRoot, props.mesh);
    this.keyDir = props.keyDir !== undefined ? path.resolve(base, props.keyDir) : path.join(keyRoot, props.mesh);
    this.certificateRoot = props.publicDir !== undefined && props.certificateDirectory === undefined ? this.publicDir : certificateRoot;
    this.keyRoot = props.keyDir !== undefined && props.keyDirectory === undefined ? this.keyDir : keyRoot;
    if (!isWithin(this.keyDir, this.keyRoot)) {
      throw new PkiError({
        code: 'INVALID_ARGUMENT',
        mesh: props.mesh,
        reason: `the key folder of the mesh ${this.keyDir} is not inside the key directory ${this.keyRoot}.`,
        fix: 'give keyDir inside keyDirectory, or only one of them.',
      });
    }
  }

  public get rootCertFile(): string {
    return path.join(this.publicDir, 'root-ca.crt');
  }

  public get rootKeyFile(): string {
    return path.join(this.keyDir, 'root-ca.key');
  }

  public certFile(cluster: string, kind: IntermediateKind): string {
    return path.join(this.publicDir, cluster, `${kind.fileStem}.crt`);
  }

  public keyFile(cluster: string, kind: IntermediateKind): string {
    return path.join(this.keyDir, cluster, `${kind.fileStem}.key`);
  }

  public retiredCertFile(cluster: string, kind: IntermediateKind, serial: string): string {
    return path.join(this.publicDir, cluster, 'retired', `${kind.fileStem}.${serial}.crt`);
  }

  public retiredKeyFile(cluster: string, kind: IntermediateKind, serial: string): string {
    return path.join(this.keyDir, cluster, 'retired', `${kind.fileStem}.${serial}.key`);
  }

  /** Retired certificates of one intermediate, as `{serial, file}`, sorted by file name. */
  public retiredCertFiles(cluster: string, kind: IntermediateKind): { serial: string; file: string }[] {
    const dir = path.join(this.publicDir, cluster, 'retired');
    if (!fs.existsSync(dir)) return [];
    const prefix = `${kind.fileStem}.`;
    return fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.crt'))
      .sort()
      .map((f) => ({ serial: f.slice(prefix.length, -'.crt'.length), file: path.join(dir, f) }));
  }

  /** Path for messages: relative to the current directory when inside it. */
  public display(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  }
}
