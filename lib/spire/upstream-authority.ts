/**
 * Where spire-server's signing CA comes from: the mesh's intermediate on disk (a mounted
 * Secret), or a cert-manager issuer.
 */
import { k8s } from 'cdk8s-plus-30';
import { IssuerKind, MeshModel, SPIRE_NAMESPACE } from '../spec';
import { certManagerIssuerRef } from '../pki/cert-manager';
import { SPIRE_UPSTREAM_CA_SECRET_NAME } from '../pki/material';
import { UpstreamAuthorityPlugins } from './config';
import { CERT_MANAGER_API_GROUP, SPIRE_PATHS } from './names';
import { namespaceNameProblem, objectNameProblem, throwIfFindings } from './validation';

/** Options of `UpstreamAuthority.disk()`. */
export interface DiskUpstreamAuthorityOptions {
  /**
   * Secret with `tls.crt` (the upstream CA certificate, an intermediate), `tls.key` and
   * `bundle.crt` (the trust anchors), in the spire-server namespace.
   * @default 'spiffe-upstream-ca' (the Secret name of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/;
   * spiremesh's PKI delivers this Secret)
   */
  readonly secretName?: string;
  /**
   * The upstream CA in `tls.crt` is an intermediate, not a self-signed root: SPIRE is then given
   * the trust anchors in `bundle.crt` through `bundle_file_path`. Set to false only for a
   * self-signed root in `tls.crt`.
   * @default true (spiremesh's PKI: intermediate in tls.crt, root only in bundle.crt)
   */
  readonly intermediate?: boolean;
}

/** Options of `UpstreamAuthority.certManager()`. */
export interface CertManagerUpstreamAuthorityOptions {
  /** Name of the cert-manager issuer that signs SPIRE's CA. */
  readonly issuerName: string;
  /**
   * Kind of that issuer.
   * @default IssuerKind.CLUSTER_ISSUER (as `CaDelivery.certManager`)
   */
  readonly issuerKind?: IssuerKind;
  /**
   * API group of the issuer (another group for external issuers).
   * @default 'cert-manager.io'
   */
  readonly issuerGroup?: string;
  /**
   * Namespace where spire-server creates its CertificateRequests (for an `Issuer`, the issuer's
   * namespace). spiremesh grants spire-server the RBAC to do so in this namespace, which must
   * exist.
   * @default 'spire-server'
   */
  readonly namespace?: string;
}

/** SPIRE's `disk` plugin with its settings resolved. */
export interface DiskUpstreamAuthorityModel {
  readonly kind: 'disk';
  /** The Secret mounted at `/run/spire/upstream_ca`. */
  readonly secretName: string;
  /** `tls.crt` is an intermediate: `bundle.crt` holds the trust anchors. */
  readonly intermediate: boolean;
}

/** SPIRE's `cert-manager` plugin with its settings resolved. */
export interface CertManagerUpstreamAuthorityModel {
  readonly kind: 'cert-manager';
  readonly issuerName: string;
  readonly issuerKind: IssuerKind;
  readonly issuerGroup: string;
  /** Where spire-server creates its CertificateRequests (and gets the RBAC to do so). */
  readonly namespace: string;
}

/** The resolved UpstreamAuthority: one member per plugin, each with exactly its settings. */
export type UpstreamAuthorityModel = DiskUpstreamAuthorityModel | CertManagerUpstreamAuthorityModel;

/** A Kubernetes volume and its mount in the spire-server container. */
interface ServerVolume {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
}

/** spire-server's UpstreamAuthority plugin. */
export class UpstreamAuthority {
  /** SPIRE's `disk` plugin reading a Secret (by default `spiffe-upstream-ca`) mounted at `/run/spire/upstream_ca`. */
  public static disk(options: DiskUpstreamAuthorityOptions = {}): UpstreamAuthority {
    const secretName = options.secretName ?? SPIRE_UPSTREAM_CA_SECRET_NAME;
    throwIfFindings('UpstreamAuthority.disk', [objectNameProblem('secretName', secretName)]);
    return new UpstreamAuthority({ kind: 'disk', secretName, intermediate: options.intermediate ?? true });
  }

  /** SPIRE's `cert-manager` plugin: each CA rotation is a cert-manager CertificateRequest. */
  public static certManager(options: CertManagerUpstreamAuthorityOptions): UpstreamAuthority {
    const namespace = options.namespace ?? SPIRE_NAMESPACE;
    throwIfFindings('UpstreamAuthority.certManager', [
      objectNameProblem('issuerName', options.issuerName),
      namespaceNameProblem('namespace', namespace),
    ]);
    return new UpstreamAuthority({
      kind: 'cert-manager',
      issuerName: options.issuerName,
      issuerKind: options.issuerKind ?? IssuerKind.CLUSTER_ISSUER,
      issuerGroup: options.issuerGroup ?? CERT_MANAGER_API_GROUP,
      namespace,
    });
  }

  /**
   * The default for a mesh: `certManager` with the spec's issuer when `pki.delivery.mode` is
   * `cert-manager`, otherwise `disk` (kubectl and external-secrets both deliver the
   * `spiffe-upstream-ca` Secret). The issuer reference (name, kind, group) is the one istiod's CA
   * Certificate uses (`certManagerIssuerRef`), and with `rootSecretStore` the ClusterIssuer
   * spiremesh renders; the CertificateRequests land in the spire-server namespace, where spire-server
   * gets the RBAC to create them (a ClusterIssuer serves every namespace).
   */
  public static forMesh(mesh: MeshModel): UpstreamAuthority {
    const delivery = mesh.pki.delivery;
    if (delivery.kind === 'cert-manager') {
      const ref = certManagerIssuerRef(delivery);
      return UpstreamAuthority.certManager({
        issuerName: ref.name,
        issuerKind: delivery.issuerKind,
        issuerGroup: ref.group,
        namespace: SPIRE_NAMESPACE,
      });
    }
    return UpstreamAuthority.disk();
  }

  private constructor(
    /** The plugin and its resolved settings. */
    public readonly model: UpstreamAuthorityModel,
  ) {}

  /** SPIRE's plugin name: 'disk' or 'cert-manager'. */
  public get pluginName(): UpstreamAuthorityModel['kind'] {
    return this.model.kind;
  }

  /** Namespace where spire-server needs cert-manager RBAC (cert-manager plugin only). */
  public get certManagerNamespace(): string | undefined {
    return this.model.kind === 'cert-manager' ? this.model.namespace : undefined;
  }

  /** The `UpstreamAuthority` section of server.conf. */
  public renderPlugin(): UpstreamAuthorityPlugins {
    const m = this.model;
    if (m.kind === 'cert-manager') {
      return {
        'cert-manager': {
          plugin_data: { namespace: m.namespace, issuer_name: m.issuerName, issuer_kind: m.issuerKind.value, issuer_group: m.issuerGroup },
        },
      };
    }
    const dir = SPIRE_PATHS.upstreamCaDir;
    return {
      disk: {
        plugin_data: {
          cert_file_path: `${dir}/tls.crt`,
          key_file_path: `${dir}/tls.key`,
          // The chart writes bundle_file_path only when `upstreamAuthority.disk.secret.data.bundle` is set
          // (charts/spire-server/templates/configmap.yaml, chart 0.24.2); without it SPIRE takes tls.crt for a
          // self-signed root. spiremesh's tls.crt is an intermediate and bundle.crt holds only the root, which
          // SPIRE must be told is the trust anchor (spiffe/spire doc/plugin_server_upstreamauthority_disk.md, v1.11.2).
          ...(m.intermediate ? { bundle_file_path: `${dir}/bundle.crt` } : {}),
        },
      },
    };
  }

  /** Volume and mount the plugin needs in the spire-server pod (disk only). */
  public serverVolumes(): ServerVolume[] {
    if (this.model.kind !== 'disk') return [];
    return [
      {
        volume: { name: 'upstream-ca', secret: { secretName: this.model.secretName } },
        mount: { name: 'upstream-ca', mountPath: SPIRE_PATHS.upstreamCaDir, readOnly: false },
      },
    ];
  }
}
