/**
 * How the per-cluster CA secrets reach a cluster (`pki.delivery` in the spec). Private keys
 * never enter dist/: the External Secrets mode renders ExternalSecret objects that build the
 * secrets from a secret store, the cert-manager mode renders a CA Certificate for istiod (SPIRE
 * uses its cert-manager UpstreamAuthority, see lib/spire) and, with `rootSecretStore`, the issuer
 * itself (a CA ClusterIssuer whose Secret External Secrets builds from the mesh root), and the
 * kubectl mode renders nothing into dist/ (its Secret manifests go to a git-ignored folder, see
 * mesh-pki.ts).
 */
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecUsages,
} from '../../imports/certmanager-certificate-cert-manager.io';
import { ClusterIssuer } from '../../imports/certmanager-clusterissuer-cert-manager.io';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
} from '../../imports/eso-externalsecret-external-secrets.io';
import {
  CertManagerCaDeliveryModel,
  ClusterModel,
  ExternalSecretsCaDeliveryModel,
  ISTIO_NAMESPACE,
  MeshModel,
  SPIRE_NAMESPACE,
} from '../spec';
import {
  CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  ISTIOD_CA_CERTIFICATE_NAME,
  certManagerIssuerRef,
  meshRootIssuerDelivery,
  meshRootRemoteKey,
} from './cert-manager';
import { ISTIOD_SAN_DNS } from './hierarchy';
import { ISTIO_CACERTS_SECRET_NAME, MESH_ROOT_CA_SECRET_NAME, SECRET_KEYS, SPIRE_UPSTREAM_CA_SECRET_NAME } from './material';

/** Remote key of one cluster secret in the secret store: `<prefix>/<cluster>/<secret name>`. */
export function remoteSecretKey(delivery: ExternalSecretsCaDeliveryModel, cluster: ClusterModel, secretName: string): string {
  return `${delivery.remoteKeyPrefix}/${cluster.name}/${secretName}`;
}

export interface CaSecretDeliveryProps {
  /**
   * How often External Secrets re-reads the store.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * Secret type of the mesh root's Secret: cert-manager's CA issuer reads `tls.crt` and `tls.key`
 * (https://cert-manager.io/docs/configuration/ca/).
 */
const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** The CA-delivery objects of one cluster (output folder `pki/`). */
export class CaSecretDelivery extends MeshComponent {
  public constructor(scope: Construct, id: string, props: CaSecretDeliveryProps = {}) {
    super(scope, id, { componentName: 'pki' });
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const delivery = mesh.pki.delivery;
    const refreshInterval = props.refreshInterval ?? '1h';
    if (delivery.kind === 'external-secrets') {
      for (const [name, namespace] of [
        [SPIRE_UPSTREAM_CA_SECRET_NAME, SPIRE_NAMESPACE],
        [ISTIO_CACERTS_SECRET_NAME, ISTIO_NAMESPACE],
      ] as const) {
        this.externalSecret({
          name,
          namespace,
          store: delivery.clusterSecretStore,
          remoteKey: remoteSecretKey(delivery, cluster, name),
          refreshInterval,
        });
      }
    } else if (delivery.kind === 'cert-manager') {
      const rootIssuer = meshRootIssuerDelivery(mesh);
      if (rootIssuer) this.meshRootIssuer(mesh, rootIssuer, refreshInterval);
      this.istiodCaCertificate(mesh, delivery, cluster);
    }
  }

  /** An ExternalSecret building Secret `name` from one remote key of a ClusterSecretStore, one entry per Secret key. */
  private externalSecret(p: {
    name: keyof typeof SECRET_KEYS;
    namespace: string;
    store: string;
    remoteKey: string;
    refreshInterval: string;
    /** @default - Opaque */
    type?: string;
  }): void {
    new ExternalSecret(this, `${p.name}-external-secret`, {
      metadata: { name: p.name, namespace: p.namespace },
      spec: {
        refreshInterval: p.refreshInterval,
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: p.store },
        target: {
          name: p.name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          // A template with only a type: External Secrets sets the Secret type and, with no template
          // data, copies the fetched values as they are (`applyTemplate` in external-secrets/external-secrets
          // pkg/controllers/externalsecret/externalsecret_controller_template.go).
          ...(p.type ? { template: { type: p.type } } : {}),
        },
        // One entry per key, so reviewers see exactly which store values build the secret.
        data: SECRET_KEYS[p.name].map((key) => ({
          secretKey: key,
          remoteRef: { key: p.remoteKey, property: key },
        })),
      },
    });
  }

  /**
   * The issuer built from the mesh root (`rootSecretStore`): the root's kubernetes.io/tls Secret in
   * cert-manager's cluster resource namespace, built by External Secrets from one remote key that
   * every cluster shares, and a CA ClusterIssuer named `issuerName` signing with it
   * (https://cert-manager.io/docs/configuration/ca/). istiod's CA Certificate and SPIRE's
   * CertificateRequests reference this issuer, so every cluster chains to the one mesh root.
   */
  private meshRootIssuer(
    mesh: MeshModel,
    delivery: CertManagerCaDeliveryModel & { rootSecretStore: string },
    refreshInterval: string,
  ): void {
    this.externalSecret({
      name: MESH_ROOT_CA_SECRET_NAME,
      namespace: CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
      store: delivery.rootSecretStore,
      remoteKey: meshRootRemoteKey(mesh),
      refreshInterval,
      type: TLS_SECRET_TYPE,
    });
    new ClusterIssuer(this, 'mesh-root-issuer', {
      metadata: { name: certManagerIssuerRef(delivery).name },
      spec: { ca: { secretName: MESH_ROOT_CA_SECRET_NAME } },
    });
  }

  /**
   * istiod's plug-in CA from cert-manager: a CA Certificate written to `cacerts`, which istiod
   * also reads in the kubernetes.io/tls layout (tls.crt, tls.key, ca.crt; `detectSigningCABundleAndCRL`
   * in istio/istio pilot/pkg/bootstrap/istio_ca.go, 1.29). Subject and SAN follow Istio's own
   * intermediate tooling, like the file-based hierarchy; lifetime and renewal are the spec's
   * `istiodCaDuration` and `istiodCaRenewBefore`.
   */
  private istiodCaCertificate(mesh: MeshModel, delivery: CertManagerCaDeliveryModel, cluster: ClusterModel): void {
    new Certificate(this, ISTIOD_CA_CERTIFICATE_NAME, {
      metadata: { name: ISTIOD_CA_CERTIFICATE_NAME, namespace: ISTIO_NAMESPACE },
      spec: {
        isCa: true,
        secretName: ISTIO_CACERTS_SECRET_NAME,
        commonName: 'Intermediate CA',
        subject: { organizations: ['Istio'], localities: [cluster.name] },
        dnsNames: [ISTIOD_SAN_DNS],
        duration: delivery.istiodCaDuration,
        renewBefore: delivery.istiodCaRenewBefore,
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.RSA, size: mesh.pki.keyAlgorithm.rsaBits },
        usages: [
          CertificateSpecUsages.CERT_SIGN,
          CertificateSpecUsages.CRL_SIGN,
          CertificateSpecUsages.DIGITAL_SIGNATURE,
          CertificateSpecUsages.KEY_ENCIPHERMENT,
        ],
        issuerRef: certManagerIssuerRef(delivery),
      },
    });
  }
}
