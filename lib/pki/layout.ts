import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CERTIFICATE_DIRECTORY, DEFAULT_KEY_DIRECTORY } from '../spec';
import { assertValidName } from './certificate';
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
   * Directory the default folders are relative to (the project root).
   * @default process.cwd()
   */
  readonly baseDir?: string;
  /**
   * Committed folder of public certificates. A fresh clone renders manifests from it alone.
   * @default `<baseDir>/pki/<mesh>`
   */
  readonly publicDir?: string;
  /**
   * Local, git-ignored folder of private keys (directories 0700, files 0600).
   * @default `<baseDir>/.spiremesh/keys/<mesh>`
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
  public readonly publicDir: string;
  public readonly keyDir: string;

  public constructor(props: PkiLayoutProps) {
    assertValidName('mesh', props.mesh);
    const base = path.resolve(props.baseDir ?? process.cwd());
    this.mesh = props.mesh;
    this.publicDir = path.resolve(base, props.publicDir ?? path.join(DEFAULT_PUBLIC_ROOT, props.mesh));
    this.keyDir = path.resolve(base, props.keyDir ?? path.join(DEFAULT_KEY_ROOT, props.mesh));
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
