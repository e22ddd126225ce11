import { inspect } from 'util';
import { normalizePem } from './certificate';

/**
 * Name of the Secret the SPIRE chart's `upstreamAuthority.disk` mounts: the default of
 * `upstreamAuthority.disk.secret.name` (spiffe/helm-charts-hardened charts/spire/charts/spire-server/values.yaml, spire 0.24.2).
 */
export const SPIRE_UPSTREAM_CA_SECRET_NAME = 'spiffe-upstream-ca';
/**
 * Name of istiod's plug-in CA Secret, in `istio-system`: `CACertsSecret` in istio/istio
 * security/pkg/pki/ca/ca.go, 1.29 (https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/).
 */
export const ISTIO_CACERTS_SECRET_NAME = 'cacerts';

/**
 * The Secret of the mesh root that a cert-manager CA ClusterIssuer signs with (cert-manager
 * delivery with `rootSecretStore`), in cert-manager's cluster resource namespace (see
 * cert-manager.ts). Type kubernetes.io/tls: the CA issuer reads `tls.crt` and `tls.key`
 * (https://cert-manager.io/docs/configuration/ca/). Built by External Secrets, never rendered with data.
 */
export const MESH_ROOT_CA_SECRET_NAME = 'spiremesh-root-ca';

/** Keys of each secret, in the order spiremesh writes them (uploads and ExternalSecret entries). */
export const SECRET_KEYS = {
  [SPIRE_UPSTREAM_CA_SECRET_NAME]: ['tls.crt', 'tls.key', 'bundle.crt'],
  [ISTIO_CACERTS_SECRET_NAME]: ['ca-cert.pem', 'ca-key.pem', 'root-cert.pem', 'cert-chain.pem'],
  [MESH_ROOT_CA_SECRET_NAME]: ['tls.crt', 'tls.key'],
} as const;

/** Certificate-only keys of `spiffe-upstream-ca` (safe to commit or render). */
export interface SpireUpstreamCaPublicData {
  /** The upstream intermediate chain up to, NOT including, the root (here: the intermediate). */
  readonly 'tls.crt': string;
  /** ONLY the trusted root. */
  readonly 'bundle.crt': string;
}

/** Certificate-only keys of Istio's `cacerts` (safe to commit or render). */
export interface IstioCacertsPublicData {
  readonly 'ca-cert.pem': string;
  readonly 'root-cert.pem': string;
  /** `ca-cert.pem` then `root-cert.pem`, as Istio's tools/certs builds it (`cat ca-cert.pem root-cert.pem`). */
  readonly 'cert-chain.pem': string;
}

/**
 * Public part of `spiffe-upstream-ca`.
 *
 * `bundle.crt` holds ONLY the root. SPIRE's disk UpstreamAuthority reads `bundle_file_path` as the
 * trust bundle (the upstream trust anchors) and `cert_file_path` as the chain from its signing CA
 * up to (not including) an anchor (spiffe/spire doc/plugin_server_upstreamauthority_disk.md, v1.11.2).
 * Solo's SPIRE guide (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/) puts
 * intermediate + root into bundle.crt (`cat ca.crt root-ca.crt > ca-chain.pem`), which makes SPIRE
 * treat the intermediate as a trust anchor: it lands in the trust bundle SPIRE distributes next to
 * the root, so anything chaining to it verifies without the root, and it stays trusted after a
 * rotation until removed by hand. (The chart writes `bundle_file_path` only when
 * `upstreamAuthority.disk.secret.data.bundle` is non-empty, even with `secret.create: false`:
 * spiffe/helm-charts-hardened charts/spire/charts/spire-server/templates/configmap.yaml, spire 0.24.2.
 * The renderer must set it for an intermediate upstream.)
 */
export function spireUpstreamCaPublicData(intermediatePem: string, rootPem: string): SpireUpstreamCaPublicData {
  return { 'tls.crt': normalizePem(intermediatePem), 'bundle.crt': normalizePem(rootPem) };
}

/** Public part of Istio's `cacerts`. */
export function istioCacertsPublicData(intermediatePem: string, rootPem: string): IstioCacertsPublicData {
  const ca = normalizePem(intermediatePem);
  const root = normalizePem(rootPem);
  return { 'ca-cert.pem': ca, 'root-cert.pem': root, 'cert-chain.pem': ca + root };
}

const REDACTED = '[REDACTED: private key]';

/**
 * The values of one Secret for upload, with its private entries hidden from `JSON.stringify`,
 * `console.log`/`util.inspect` and string templates. Only {@link stringData} reveals them.
 */
export class SecretMaterial {
  /** Keys of the Secret, in upload order. */
  public readonly keys: readonly string[];
  /** Names of the entries that hold private keys. */
  public readonly privateKeys: readonly string[];
  readonly #privateData: Readonly<Record<string, string>>;

  public constructor(
    /** Secret name, e.g. `cacerts`. */
    public readonly name: string,
    /** Certificate entries. */
    public readonly publicData: Readonly<Record<string, string>>,
    privateData: Readonly<Record<string, string>>,
    order: readonly string[],
  ) {
    this.#privateData = { ...privateData };
    this.privateKeys = Object.keys(privateData);
    this.keys = order;
  }

  /** Every entry, private keys included: for `kubectl create secret`, SOPS or a vault. Never log it. */
  public stringData(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.keys) out[k] = this.#privateData[k] ?? this.publicData[k];
    return out;
  }

  /** Entries with private keys replaced by a marker. */
  public redacted(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const k of this.keys) out[k] = k in this.#privateData ? REDACTED : this.publicData[k];
    return out;
  }

  public toJSON(): object {
    return { name: this.name, data: this.redacted() };
  }

  public toString(): string {
    return `SecretMaterial(${this.name}: ${this.keys.join(', ')}; private: ${this.privateKeys.join(', ')})`;
  }

  public [inspect.custom](): object {
    return this.toJSON();
  }
}

/** `spiffe-upstream-ca` for upload: tls.crt (intermediate), tls.key, bundle.crt (root only). */
export function spireUpstreamCaSecret(intermediatePem: string, keyPem: string, rootPem: string): SecretMaterial {
  return uploadMaterial(SPIRE_UPSTREAM_CA_SECRET_NAME, spireUpstreamCaPublicData(intermediatePem, rootPem), 'tls.key', keyPem);
}

/** Istio `cacerts` for upload: ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem. */
export function istioCacertsSecret(intermediatePem: string, keyPem: string, rootPem: string): SecretMaterial {
  return uploadMaterial(ISTIO_CACERTS_SECRET_NAME, istioCacertsPublicData(intermediatePem, rootPem), 'ca-key.pem', keyPem);
}

/** The mesh root for upload to the root secret store (cert-manager delivery): tls.crt (the root), tls.key. */
export function meshRootCaSecret(rootPem: string, keyPem: string): SecretMaterial {
  return new SecretMaterial(
    MESH_ROOT_CA_SECRET_NAME,
    { 'tls.crt': normalizePem(rootPem) },
    { 'tls.key': normalizePem(keyPem) },
    SECRET_KEYS[MESH_ROOT_CA_SECRET_NAME],
  );
}

function uploadMaterial(
  name: keyof typeof SECRET_KEYS,
  publicData: SpireUpstreamCaPublicData | IstioCacertsPublicData,
  keyEntry: string,
  keyPem: string,
): SecretMaterial {
  return new SecretMaterial(name, { ...publicData }, { [keyEntry]: normalizePem(keyPem) }, SECRET_KEYS[name]);
}
