/**
 * How the per-cluster CA secrets reach a cluster (`pki.delivery` in the spec). Private keys
 * never enter dist/: the External Secrets mode renders ExternalSecret objects that build the
 * secrets from a secret store, the cert-manager mode renders a CA Certificate for istiod (SPIRE
 * uses its cert-manager UpstreamAuthority, see lib/spire) and, with `rootSecretStore`, the issuer
 * itself (a CA ClusterIssuer whose Secret External Secrets builds from the mesh root), and the
 * kubectl mode renders nothing into dist/ (its Secret manifests go to a git-ignored folder, see
 * mesh-pki.ts). With `IstioLicense.fromExternalSecret` the Solo license Secret is built here too, by an ExternalSecret
 * of the same kind, in the same apply stage as the CA secrets (before istiod). What these objects rely on and do not
 * create (the operator, the store, its entries, the issuer, the kubectl Secrets) is recorded as a prerequisite.
 */
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { addPrerequisite, createNamespaceCommand } from '../core/prerequisites';
import {
  EXTERNAL_SECRETS_OPERATOR,
  StoreEntry,
  clusterSecretStorePrerequisite,
  storeEntriesPrerequisite,
  storeValueCommand,
} from '../core/secret-store';
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
  IstioDistribution,
  LicenseExternalSecretModel,
  MeshModel,
  SOLO_LICENSE_SECRET_KEY,
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
import { CERT_MANAGER_OPERATOR, certManagerIssuerPrerequisite, pkiExportCommand } from './prerequisites';

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

/** A Secret that External Secrets builds from a ClusterSecretStore: each Secret key from one remote key and property. */
export interface StoreSecretProps {
  readonly name: string;
  readonly namespace: string;
  readonly store: string;
  /** One entry per Secret key, so reviewers see exactly which store values build the secret. */
  readonly data: readonly { readonly secretKey: string; readonly remoteKey: string; readonly property: string }[];
  /** @default '1h' */
  readonly refreshInterval?: string;
  /** @default - Opaque */
  readonly type?: string;
}

/**
 * The ExternalSecret that builds Secret `name` in `namespace` (the Secret is owned by it: deleted with it). The one
 * rendering of every store-built Secret of spiremesh: the CA secrets, the mesh root and the Solo license.
 */
export function storeSecret(scope: Construct, id: string, p: StoreSecretProps): ExternalSecret {
  return new ExternalSecret(scope, id, {
    metadata: { name: p.name, namespace: p.namespace },
    spec: {
      refreshInterval: p.refreshInterval ?? '1h',
      secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: p.store },
      target: {
        name: p.name,
        creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
        // A template with only a type: External Secrets sets the Secret type and, with no template
        // data, copies the fetched values as they are (`applyTemplate` in external-secrets/external-secrets
        // pkg/controllers/externalsecret/externalsecret_controller_template.go).
        ...(p.type ? { template: { type: p.type } } : {}),
      },
      data: p.data.map((d) => ({ secretKey: d.secretKey, remoteRef: { key: d.remoteKey, property: d.property } })),
    },
  });
}

/** The store entry one store-built Secret reads (all its keys come from one remote key). */
function storeEntryOf(p: StoreSecretProps): StoreEntry {
  return { store: p.store, remoteKey: p.data[0].remoteKey, properties: p.data.map((d) => d.property) };
}

/** The CA-delivery objects of one cluster (output folder `pki/`). */
export class CaSecretDelivery extends MeshComponent {
  public constructor(scope: Construct, id: string, props: CaSecretDeliveryProps = {}) {
    super(scope, id, { componentName: 'pki' });
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const delivery = mesh.pki.delivery;
    const refreshInterval = props.refreshInterval ?? '1h';
    if (delivery.kind === 'external-secrets') {
      const caSecrets = (
        [
          [SPIRE_UPSTREAM_CA_SECRET_NAME, SPIRE_NAMESPACE],
          [ISTIO_CACERTS_SECRET_NAME, ISTIO_NAMESPACE],
        ] as const
      ).map(([name, namespace]) =>
        this.caSecret({
          name,
          namespace,
          store: delivery.clusterSecretStore,
          remoteKey: remoteSecretKey(delivery, cluster, name),
          refreshInterval,
        }),
      );
      // One `pki export` uploads both entries of the cluster.
      addPrerequisite(
        this,
        storeEntriesPrerequisite(
          caSecrets.map(storeEntryOf),
          `the ExternalSecrets ${caSecrets.map((p) => `${p.namespace}/${p.name}`).join(' and ')} (the SPIRE server's upstream CA and istiod's cacerts)`,
          pkiExportCommand(mesh, cluster.name),
        ),
      );
    } else if (delivery.kind === 'cert-manager') {
      addPrerequisite(this, CERT_MANAGER_OPERATOR);
      const rootIssuer = meshRootIssuerDelivery(mesh);
      if (rootIssuer) this.meshRootIssuer(mesh, rootIssuer, refreshInterval);
      // SPIRE's CertificateRequests are created in the SPIRE server's namespace (lib/spire UpstreamAuthority), istiod's Certificate in istio-system.
      else addPrerequisite(this, certManagerIssuerPrerequisite(delivery, [ISTIO_NAMESPACE, SPIRE_NAMESPACE]));
      this.istiodCaCertificate(mesh, delivery, cluster);
    } else {
      // kubectl: the Secret manifests synth writes to the git-ignored folder (mesh-pki.ts), applied by hand before istiod
      // starts: without `cacerts` istiod signs with a self-signed CA of its own (istio/istio pilot/pkg/bootstrap/istio_ca.go).
      const folder = `${delivery.outputDirectory}/${mesh.name}/${cluster.name}`;
      addPrerequisite(this, {
        key: `ca-secrets:${folder}`,
        what: `the CA Secrets ${SPIRE_NAMESPACE}/${SPIRE_UPSTREAM_CA_SECRET_NAME} and ${ISTIO_NAMESPACE}/${ISTIO_CACERTS_SECRET_NAME} (kubectl CA delivery: manifests in the git-ignored ${folder}/)`,
        why: 'the SPIRE server mounts its upstream CA and istiod reads cacerts when it starts; they hold private keys, so they never enter dist/',
        command: [
          createNamespaceCommand(SPIRE_NAMESPACE),
          createNamespaceCommand(ISTIO_NAMESPACE),
          `kubectl --context <context> apply -f ${folder}/`,
        ]
          .map((c) => (c.includes('|') ? `(${c})` : c))
          .join(' && '),
      });
    }
    const license = mesh.license;
    if (license?.kind === 'secret' && license.externalSecret && cluster.istio.distribution === IstioDistribution.SOLO) {
      this.licenseSecret(MeshCluster.enclosing(this), license.secretRef, license.externalSecret, refreshInterval);
    }
  }

  /** A CA Secret (its keys: SECRET_KEYS) from one remote key; ESO and the store are prerequisites. */
  private caSecret(p: {
    name: keyof typeof SECRET_KEYS;
    namespace: string;
    store: string;
    remoteKey: string;
    refreshInterval: string;
    /** @default - Opaque */
    type?: string;
  }): StoreSecretProps {
    const props: StoreSecretProps = {
      ...p,
      data: SECRET_KEYS[p.name].map((key) => ({ secretKey: key, remoteKey: p.remoteKey, property: key })),
    };
    this.storeSecret(`${p.name}-external-secret`, props);
    return props;
  }

  private storeSecret(id: string, props: StoreSecretProps): void {
    storeSecret(this, id, props);
    addPrerequisite(this, EXTERNAL_SECRETS_OPERATOR);
    addPrerequisite(this, clusterSecretStorePrerequisite(props.store));
  }

  /**
   * The Solo license Secret istiod reads (`SOLO_LICENSE_SECRET=<ns>/<name>` from the same LicenseModel, see
   * lib/istio/values/derive.ts), key `license-key`, from the license's store entry. Its namespace is declared (it is
   * istio-system unless the spec names another one).
   */
  private licenseSecret(
    meshCluster: MeshCluster,
    secretRef: { readonly name: string; readonly namespace: string },
    external: LicenseExternalSecretModel,
    refreshInterval: string,
  ): void {
    meshCluster.namespaces.addNamespace(secretRef.namespace);
    const props: StoreSecretProps = {
      name: secretRef.name,
      namespace: secretRef.namespace,
      store: external.clusterSecretStore,
      data: [{ secretKey: SOLO_LICENSE_SECRET_KEY, remoteKey: external.remoteKey, property: external.property }],
      refreshInterval,
    };
    this.storeSecret('solo-license-external-secret', props);
    addPrerequisite(
      this,
      storeEntriesPrerequisite(
        [storeEntryOf(props)],
        `the ExternalSecret ${props.namespace}/${props.name} (it builds the Solo license Secret istiod reads)`,
        storeValueCommand(external.remoteKey, external.property, '<license>'),
      ),
    );
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
    const root = this.caSecret({
      name: MESH_ROOT_CA_SECRET_NAME,
      namespace: CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
      store: delivery.rootSecretStore,
      remoteKey: meshRootRemoteKey(mesh),
      refreshInterval,
      type: TLS_SECRET_TYPE,
    });
    addPrerequisite(
      this,
      storeEntriesPrerequisite(
        [storeEntryOf(root)],
        `the ExternalSecret ${root.namespace}/${root.name} of every cluster (the mesh root ClusterIssuer's Secret)`,
        pkiExportCommand(mesh),
      ),
    );
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
