/**
 * The mesh spec as plain data: the shape of a YAML inventory file, and what the typed
 * TypeScript props (`MeshSpec`) are converted to before validation. Both entry points
 * are checked by the same schema (`schema.ts`) and the same semantic rules (`validate.ts`).
 *
 * Field documentation (meaning and defaults) lives on the typed props in `props.ts`.
 */
import { ClusterOverridesProps } from './overrides';

export interface MeshSpecDocument {
  name: string;
  clusters: ClusterDocument[];
  links?: LinkDocument[];
  istio?: IstioDocument;
  spire?: SpireDocument;
  pki?: PkiDocument;
  chartDelivery?: ChartDeliveryDocument;
  federation?: FederationDocument;
  /** ClusterSecretStore of the remote-secret kubeconfigs (upstream multi-network sidecar meshes). */
  remoteSecretStore?: string;
  /** Accept versions that are not in the release catalog (`catalog.ts`); the syntax checks stay. */
  allowUnlistedVersions?: boolean;
  /** The GitOps repository the output folder is committed to (fleet bootstrap). */
  gitops?: GitOpsDocument;
}

export interface ClusterDocument {
  name: string;
  context?: string;
  trustDomain?: string;
  network?: string;
  dataplaneMode?: string;
  eastWestAddress?: string;
  eastWestServiceType?: string;
  istioVersion?: string;
  istioRevision?: string;
  region?: string;
  zone?: string;
  istioCni?: boolean;
  ingressGateways?: IngressGatewayDocument[];
  spireBundleEndpointAddress?: string;
  /** A hub Argo CD's destination of the cluster. */
  argoCdDestination?: ArgoCdDestinationDocument;
  /** Component settings of this cluster (plain data: the same shape as the typed props, `overrides.ts`). */
  overrides?: ClusterOverridesDocument;
}

/** `clusters[].overrides`: plain data in both forms. */
export type ClusterOverridesDocument = ClusterOverridesProps;

/** The `gitops` section (`GitOpsProps` in gitops.ts). */
export interface GitOpsDocument {
  repository: string;
  revision?: string;
  pathPrefix?: string;
  engine?: string;
  argoCdTopology?: string;
  secretName?: string;
}

/** `clusters[].argoCdDestination` (`ArgoCdDestinationProps` in gitops.ts). */
export interface ArgoCdDestinationDocument {
  server?: string;
  name?: string;
}

export interface IngressGatewayDocument {
  name: string;
  namespace?: string;
  serviceType?: string;
  ports?: GatewayPortDocument[];
}

export interface GatewayPortDocument {
  name: string;
  port: number;
  targetPort?: number;
}

export interface FederationDocument {
  relations?: FederationRelationDocument[];
  bundleRefreshHint?: string;
  bundleEndpointServiceType?: string;
}

export interface FederationRelationDocument {
  trustDomain: string;
  federatesWith: string;
}

export interface LinkDocument {
  from: string;
  to: string;
}

export interface IstioDocument {
  distribution?: string;
  version?: string;
  repoKey?: string;
  license?: LicenseDocument;
}

export interface LicenseDocument {
  /**
   * Secret holding the Solo license key (key `license-key`). Without `externalSecret` the team creates it;
   * with `externalSecret` these name the Secret the ExternalSecret builds (defaults `solo-istio-license`, `istio-system`).
   */
  secretName?: string;
  /** Namespace of that Secret. */
  secretNamespace?: string;
  /** Inline license key: refused unless allowInlineValue is true (dist/ is committed). */
  value?: string;
  /** Accept an inline license key, which is committed to git in dist/ (istiod values). */
  allowInlineValue?: boolean;
  /** The Secret is rendered as an ExternalSecret that reads the license from a ClusterSecretStore. */
  externalSecret?: LicenseExternalSecretDocument;
}

/** Where External Secrets reads the Solo license (`istio.license.externalSecret`). */
export interface LicenseExternalSecretDocument {
  /** Remote key of the license in the store. */
  remoteKey: string;
  /** Property of the remote key that holds the license (default `license-key`). */
  property?: string;
  /** ClusterSecretStore to read from (default: `pki.delivery.clusterSecretStore` with external-secrets CA delivery). */
  clusterSecretStore?: string;
}

export interface SpireDocument {
  chartVersion?: string;
  crdsChartVersion?: string;
  version?: string;
  caTtl?: string;
}

export interface PkiDocument {
  keyAlgorithm?: string;
  keyDirectory?: string;
  certificateDirectory?: string;
  delivery?: CaDeliveryDocument;
}

export interface CaDeliveryDocument {
  /** How the CA secrets reach the clusters: `kubectl` (Secret manifests in a git-ignored folder), `external-secrets` or `cert-manager`. */
  mode: string;
  /** external-secrets: the ClusterSecretStore holding the CA material. */
  clusterSecretStore?: string;
  /** external-secrets: prefix of the remote keys. */
  remoteKeyPrefix?: string;
  /** kubectl: git-ignored folder for the Secret manifests. */
  outputDirectory?: string;
  /** cert-manager: the issuer that signs the intermediates. */
  issuerName?: string;
  /** cert-manager: `ClusterIssuer` (default) or `Issuer`. */
  issuerKind?: string;
  /** cert-manager: the ClusterSecretStore that holds the mesh root, from which spiremesh renders the issuer. */
  rootSecretStore?: string;
  /** cert-manager: lifetime and renewal of istiod's CA certificate. */
  istiodCaDuration?: string;
  /** cert-manager: how long before expiry istiod's CA certificate is renewed. */
  istiodCaRenewBefore?: string;
}

export interface ChartDeliveryDocument {
  /** How Helm charts reach the clusters: `argocd` (default), `flux`, `helm-template` or `gloo-operator`. */
  mode: string;
  /** argocd: namespace of the Application objects. */
  namespace?: string;
  /** argocd: AppProject of the Application objects. */
  project?: string;
  /** helm-template: path of the helm binary. */
  helmExecutable?: string;
  /** helm-template: folder of pulled chart archives. */
  chartCacheDirectory?: string;
  /** gloo-operator: version of the gloo-operator chart. */
  operatorChartVersion?: string;
}
