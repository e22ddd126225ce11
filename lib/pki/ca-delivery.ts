/**
 * How the per-cluster CA secrets reach a cluster (`pki.delivery` in the spec). Private keys
 * never enter dist/: the External Secrets mode renders ExternalSecret objects that build the
 * secrets from a secret store, the cert-manager mode renders a CA Certificate for istiod (SPIRE
 * uses its cert-manager UpstreamAuthority, see lib/spire), and the kubectl mode renders nothing
 * into dist/ (its Secret manifests go to a git-ignored folder, see mesh-pki.ts).
 */
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import {
  Certificate,
  CertificateSpecPrivateKeyAlgorithm,
  CertificateSpecUsages,
} from '../../imports/certmanager-certificate-cert-manager.io';
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
import { CERT_MANAGER_API_GROUP } from '../spire/names';
import { ISTIOD_SAN_DNS } from './hierarchy';
import { ISTIO_CACERTS_SECRET_NAME, SECRET_KEYS, SPIRE_UPSTREAM_CA_SECRET_NAME } from './material';

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

/** The CA-delivery objects of one cluster (output folder `pki/`). */
export class CaSecretDelivery extends MeshComponent {
  public constructor(scope: Construct, id: string, props: CaSecretDeliveryProps = {}) {
    super(scope, id, { componentName: 'pki' });
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const delivery = mesh.pki.delivery;
    if (delivery.kind === 'external-secrets') {
      this.externalSecret(delivery, cluster, SPIRE_UPSTREAM_CA_SECRET_NAME, SPIRE_NAMESPACE, props);
      this.externalSecret(delivery, cluster, ISTIO_CACERTS_SECRET_NAME, ISTIO_NAMESPACE, props);
    } else if (delivery.kind === 'cert-manager') {
      this.istiodCaCertificate(mesh, delivery, cluster);
    }
  }

  private externalSecret(
    delivery: ExternalSecretsCaDeliveryModel,
    cluster: ClusterModel,
    name: keyof typeof SECRET_KEYS,
    namespace: string,
    props: CaSecretDeliveryProps,
  ): void {
    new ExternalSecret(this, `${name}-external-secret`, {
      metadata: { name, namespace },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: delivery.clusterSecretStore },
        target: { name, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        // One entry per key, so reviewers see exactly which store values build the secret.
        data: SECRET_KEYS[name].map((key) => ({
          secretKey: key,
          remoteRef: { key: remoteSecretKey(delivery, cluster, name), property: key },
        })),
      },
    });
  }

  /**
   * istiod's plug-in CA from cert-manager: a CA Certificate written to `cacerts`, which istiod
   * also reads in the kubernetes.io/tls layout (tls.crt, tls.key, ca.crt; `detectSigningCABundleAndCRL`
   * in istio/istio pilot/pkg/bootstrap/istio_ca.go, 1.29). Subject and SAN follow Istio's own
   * intermediate tooling, like the file-based hierarchy.
   */
  private istiodCaCertificate(mesh: MeshModel, delivery: CertManagerCaDeliveryModel, cluster: ClusterModel): void {
    new Certificate(this, 'istiod-ca', {
      metadata: { name: 'istiod-ca', namespace: ISTIO_NAMESPACE },
      spec: {
        isCa: true,
        secretName: ISTIO_CACERTS_SECRET_NAME,
        commonName: 'Intermediate CA',
        subject: { organizations: ['Istio'], localities: [cluster.name] },
        dnsNames: [ISTIOD_SAN_DNS],
        duration: `${1825 * 24}h`,
        renewBefore: `${30 * 24}h`,
        privateKey: { algorithm: CertificateSpecPrivateKeyAlgorithm.RSA, size: mesh.pki.keyAlgorithm.rsaBits },
        usages: [
          CertificateSpecUsages.CERT_SIGN,
          CertificateSpecUsages.CRL_SIGN,
          CertificateSpecUsages.DIGITAL_SIGNATURE,
          CertificateSpecUsages.KEY_ENCIPHERMENT,
        ],
        issuerRef: { name: delivery.issuerName, kind: delivery.issuerKind.value, group: CERT_MANAGER_API_GROUP },
      },
    });
  }
}
