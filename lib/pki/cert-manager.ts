/**
 * cert-manager as the CA of the mesh (`pki.delivery.mode: cert-manager`): the names and
 * references that istiod's CA Certificate, SPIRE's cert-manager UpstreamAuthority, the issuer
 * spiremesh renders from the mesh root, and the mesh check must agree on, each defined once.
 */
import { CertManagerCaDeliveryModel, MeshModel, defaultRemoteKeyPrefix } from '../spec';
import { CERT_MANAGER_API_GROUP } from '../spire/names';
import { MESH_ROOT_CA_SECRET_NAME } from './material';

/**
 * Where cert-manager reads the Secret of a ClusterIssuer: its "cluster resource namespace",
 * `cert-manager` unless the controller runs with `--cluster-resource-namespace`
 * (https://cert-manager.io/docs/configuration/#cluster-resource-namespace,
 * https://cert-manager.io/docs/configuration/ca/). spiremesh builds the mesh root's Secret there.
 */
export const CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE = 'cert-manager';

/** Name of istiod's CA Certificate in istio-system (its Secret is `cacerts`). */
export const ISTIOD_CA_CERTIFICATE_NAME = 'istiod-ca';

/**
 * cert-manager's limits on a Certificate, enforced by its webhook (`ValidateDuration` in
 * cert-manager/cert-manager internal/apis/certmanager/validation/certificate.go; the constants
 * `MinimumCertificateDuration` and `MinimumRenewBefore` in pkg/apis/certmanager/v1/const.go):
 * duration at least 1h, renewBefore at least 5m and shorter than the duration.
 */
export const CERT_MANAGER_LIMITS = {
  minimumDurationSeconds: 3600,
  minimumRenewBeforeSeconds: 300,
} as const;

/** A cert-manager issuer reference, as a Certificate's `issuerRef` and SPIRE's plugin_data name it. */
export interface CertManagerIssuerRef {
  readonly name: string;
  /** `Issuer` or `ClusterIssuer`. */
  readonly kind: string;
  readonly group: string;
}

/** The issuer every cert-manager request of the mesh references: istiod's CA Certificate and SPIRE's CertificateRequests. */
export function certManagerIssuerRef(delivery: CertManagerCaDeliveryModel): CertManagerIssuerRef {
  return { name: delivery.issuerName, kind: delivery.issuerKind.value, group: CERT_MANAGER_API_GROUP };
}

/** The cert-manager delivery of a mesh whose root spiremesh holds (`rootSecretStore` set), else undefined. */
export function meshRootIssuerDelivery(mesh: MeshModel): (CertManagerCaDeliveryModel & { readonly rootSecretStore: string }) | undefined {
  const delivery = mesh.pki.delivery;
  if (delivery.kind !== 'cert-manager' || delivery.rootSecretStore === undefined) return undefined;
  return { ...delivery, rootSecretStore: delivery.rootSecretStore };
}

/**
 * Remote key of the mesh root in the root secret store: `spiremesh/<mesh>/spiremesh-root-ca`, with
 * the properties `tls.crt` and `tls.key` (what `pki export` prints and the ExternalSecret reads).
 * One key for the whole mesh: every cluster's ClusterIssuer is built from it.
 */
export function meshRootRemoteKey(mesh: Pick<MeshModel, 'name'>): string {
  return `${defaultRemoteKeyPrefix(mesh.name)}/${MESH_ROOT_CA_SECRET_NAME}`;
}
