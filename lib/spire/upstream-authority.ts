/**
 * Where spire-server's signing CA comes from: the mesh's intermediate on disk (a mounted
 * Secret), or a cert-manager issuer.
 */
import { k8s } from 'cdk8s-plus-30';
import { IssuerKind, MeshModel, SPIRE_NAMESPACE } from '../spec';
import { SPIRE_UPSTREAM_CA_SECRET_NAME } from '../pki/material';
import { UpstreamAuthorityPlugins } from './config';
import { SPIRE_PATHS } from './names';
import { objectNameProblem, throwIfProblems } from './validation';

/** Options of `UpstreamAuthority.disk()`. */
export interface DiskUpstreamAuthorityOptions {
  /**
   * Secret with `tls.crt` (the upstream CA certificate, an intermediate), `tls.key` and
   * `bundle.crt` (the trust anchors), in the spire-server namespace.
   * @default 'spiffe-upstream-ca' (seed 001; spiremesh's PKI delivers this Secret)
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

/** A Kubernetes volume and its mount in the spire-server container. */
interface ServerVolume {
  readonly volume: k8s.Volume;
  readonly mount: k8s.VolumeMount;
}

/** spire-server's UpstreamAuthority plugin. */
export class UpstreamAuthority {
  /**
   * SPIRE's `disk` plugin reading the Secret `spiffe-upstream-ca` mounted at
   * `/run/spire/upstream_ca` (seed 001).
   */
  public static disk(options: DiskUpstreamAuthorityOptions = {}): UpstreamAuthority {
    const secretName = options.secretName ?? SPIRE_UPSTREAM_CA_SECRET_NAME;
    const p = objectNameProblem('UpstreamAuthority.disk secretName', secretName);
    throwIfProblems('UpstreamAuthority.disk', p ? [p] : []);
    return new UpstreamAuthority('disk', { secretName, intermediate: options.intermediate ?? true });
  }

  /** SPIRE's `cert-manager` plugin: each CA rotation is a cert-manager CertificateRequest. */
  public static certManager(options: CertManagerUpstreamAuthorityOptions): UpstreamAuthority {
    const namespace = options.namespace ?? SPIRE_NAMESPACE;
    const problems = [
      objectNameProblem('UpstreamAuthority.certManager issuerName', options.issuerName),
      objectNameProblem('UpstreamAuthority.certManager namespace', namespace),
    ].filter((p) => p !== undefined);
    throwIfProblems('UpstreamAuthority.certManager', problems);
    return new UpstreamAuthority('cert-manager', {
      issuerName: options.issuerName,
      issuerKind: options.issuerKind ?? IssuerKind.CLUSTER_ISSUER,
      issuerGroup: options.issuerGroup ?? 'cert-manager.io',
      namespace,
    });
  }

  /**
   * The default for a mesh: `certManager` with the spec's issuer when `pki.delivery.mode` is
   * `cert-manager`, otherwise `disk` (kubectl and external-secrets both deliver the
   * `spiffe-upstream-ca` Secret).
   */
  public static forMesh(mesh: MeshModel): UpstreamAuthority {
    const delivery = mesh.pki.delivery;
    if (delivery.kind === 'cert-manager') {
      return UpstreamAuthority.certManager({ issuerName: delivery.issuerName, issuerKind: delivery.issuerKind });
    }
    return UpstreamAuthority.disk();
  }

  private constructor(
    /** SPIRE's plugin name: 'disk' or 'cert-manager'. */
    public readonly pluginName: string,
    private readonly options: {
      readonly secretName?: string;
      readonly intermediate?: boolean;
      readonly issuerName?: string;
      readonly issuerKind?: IssuerKind;
      readonly issuerGroup?: string;
      readonly namespace?: string;
    },
  ) {}

  /** Namespace where spire-server needs cert-manager RBAC (cert-manager plugin only). */
  public get certManagerNamespace(): string | undefined {
    return this.pluginName === 'cert-manager' ? this.options.namespace : undefined;
  }

  /** The `UpstreamAuthority` section of server.conf. */
  public renderPlugin(): UpstreamAuthorityPlugins {
    const o = this.options;
    if (this.pluginName === 'cert-manager') {
      return {
        'cert-manager': {
          plugin_data: {
            namespace: o.namespace!,
            issuer_name: o.issuerName!,
            issuer_kind: o.issuerKind!.value,
            issuer_group: o.issuerGroup!,
          },
        },
      };
    }
    const dir = SPIRE_PATHS.upstreamCaDir;
    return {
      disk: {
        plugin_data: {
          cert_file_path: `${dir}/tls.crt`,
          key_file_path: `${dir}/tls.key`,
          // The chart writes bundle_file_path only when it creates the Secret itself with a bundle
          // (`upstreamAuthority.disk.secret.data.bundle`), so with the seed's pre-created Secret it
          // is missing and SPIRE takes tls.crt for a self-signed root. spiremesh's upstream CA is an
          // intermediate: tls.crt holds the intermediate and bundle.crt only the root, which SPIRE
          // must be told is the trust anchor (SPIRE doc plugin_server_upstreamauthority_disk.md).
          ...(o.intermediate ? { bundle_file_path: `${dir}/bundle.crt` } : {}),
        },
      },
    };
  }

  /** Volume and mount the plugin needs in the spire-server pod (disk only). */
  public serverVolumes(): ServerVolume[] {
    if (this.pluginName !== 'disk') return [];
    return [
      {
        volume: { name: 'upstream-ca', secret: { secretName: this.options.secretName! } },
        mount: { name: 'upstream-ca', mountPath: SPIRE_PATHS.upstreamCaDir, readOnly: false },
      },
    ];
  }
}
