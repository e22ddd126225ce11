/**
 * The typed TypeScript form of the mesh spec. `toMeshSpecDocument` turns it into the plain
 * document that YAML inventories use, so both are validated by the same rules.
 */
import {
  CaDelivery,
  ChartDelivery,
  DataplaneMode,
  EastWestServiceType,
  GatewayServiceType,
  IstioDistribution,
  KeyAlgorithm,
  compactDocument,
} from './choices';
import { LicenseDocument, MeshSpecDocument } from './document';
import { DEFAULT_LICENSE_SECRET_NAME, ISTIO_NAMESPACE, SOLO_LICENSE_SECRET_KEY } from './names';
import { ArgoCdDestinationProps, ArgoCdTopology, GitOpsEngine, GitOpsProps } from './gitops';
import { ClusterOverridesProps, copyOverrides } from './overrides';

export interface ClusterProps {
  /** Cluster name: a DNS-1123 label. Used as Istio's cluster ID and SPIRE's k8s_psat cluster name. */
  readonly name: string;
  /**
   * kubeconfig context of the cluster. No underscores: tools put it into certificate SANs, where underscores are not
   * FQDN-compliant (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/).
   * @default - the cluster name
   */
  readonly context?: string;
  /**
   * SPIFFE trust domain of the cluster's SPIRE server and istiod (`meshConfig.trustDomain`).
   * @default - the cluster name, as in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ (`trustDomain: ${CLUSTER_NAME}`)
   */
  readonly trustDomain?: string;
  /**
   * Istio network of the cluster (`topology.istio.io/network`); unique per cluster.
   * @default - the cluster name, as in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ (`network: ${cluster}`)
   */
  readonly network?: string;
  /**
   * How workloads join the mesh.
   * @default DataplaneMode.AMBIENT
   */
  readonly dataplaneMode?: DataplaneMode;
  /**
   * Address (IP or DNS name) of the cluster's east-west gateway, as other clusters reach it.
   * Required for every cluster that another cluster links to.
   * @default - none (single-cluster meshes and clusters nobody links to)
   */
  readonly eastWestAddress?: string;
  /**
   * How peers reach the east-west gateway: a LoadBalancer Service, or NodePort peering (Solo).
   * @default EastWestServiceType.LOAD_BALANCER
   */
  readonly eastWestServiceType?: EastWestServiceType;
  /**
   * Istio version of this cluster, to upgrade clusters one at a time.
   * @default - the mesh's `istio.version`
   */
  readonly istioVersion?: string;
  /**
   * Istio revision (canary upgrades).
   * @default - no revision (the default revision)
   */
  readonly istioRevision?: string;
  /**
   * Region of the cluster (`topology.kubernetes.io/region` on its gateways).
   * @default - not set
   */
  readonly region?: string;
  /**
   * Zone of the cluster (`topology.kubernetes.io/zone` on its gateways).
   * @default - not set
   */
  readonly zone?: string;
  /**
   * Deliver the istio-cni node agent. Ambient needs it (it redirects pod traffic to ztunnel); in
   * sidecar mode it replaces the privileged `istio-init` container (istiod `pilot.cni.enabled`).
   * @default - true for ambient clusters (required); false for sidecar clusters (`istio-init`,
   * as Istio's SPIRE integration installs it: https://istio.io/latest/docs/ops/integrations/spire/)
   */
  readonly istioCni?: boolean;
  /**
   * Ingress gateways of the cluster, each a release of Istio's `gateway` chart.
   * @default - none
   */
  readonly ingressGateways?: IngressGatewayProps[];
  /**
   * Address (IP or DNS name) at which other trust domains reach this cluster's SPIRE bundle
   * endpoint (port 8443). Required for a cluster whose trust domain others federate with.
   * @default - none
   */
  readonly spireBundleEndpointAddress?: string;
  /**
   * How a hub Argo CD (`gitops.argoCdTopology: hub`) reaches this cluster: its API server URL or its
   * Argo CD cluster name. Required for every cluster of a hub topology, refused otherwise.
   * @default - none (an in-cluster Argo CD or Flux deploys to the cluster it runs in)
   */
  readonly argoCdDestination?: ArgoCdDestinationProps;
  /**
   * Component settings of this cluster: chart values per Istio chart (base, istiod, cni, ztunnel, and per ingress
   * gateway), merged over the mesh-wide `components.istio.extraValues` (derived values, then the mesh's, then the
   * cluster's; objects merge key by key, other values replace), and the node selector, tolerations and resources of
   * the SPIRE server and agent. Values the spec derives are refused as in `extraValues`.
   * @default - none: the mesh-wide settings
   */
  readonly overrides?: ClusterOverridesProps;
}

/** One port of a gateway Service. */
export interface GatewayPortProps {
  /** Port name; Istio reads the protocol from its prefix (`http2-`, `https-`, `tls-`, `tcp-`). */
  readonly name: string;
  /** Service port. */
  readonly port: number;
  /** @default - the same as `port` */
  readonly targetPort?: number;
}

/** An ingress gateway: a release of Istio's `gateway` chart (https://istio.io/latest/docs/setup/additional-setup/gateway/). */
export interface IngressGatewayProps {
  /** Release, Deployment, Service and ServiceAccount name (the chart names all of them after the release); a DNS-1123 label. */
  readonly name: string;
  /**
   * Namespace of the gateway.
   * @default 'istio-ingress' (Istio's Helm install guide)
   */
  readonly namespace?: string;
  /**
   * Service type.
   * @default GatewayServiceType.LOAD_BALANCER
   */
  readonly serviceType?: GatewayServiceType;
  /**
   * Service ports; `status-port` 15021 is always added first (the chart's readiness port).
   * @default - the chart's ports: status-port 15021, http2 80, https 443
   */
  readonly ports?: GatewayPortProps[];
}

/** `trustDomain` trusts identities of `federatesWith` (one direction of a SPIFFE federation). */
export interface FederationRelationProps {
  /** The trust domain whose SPIRE servers fetch the other one's bundle and trust its identities. */
  readonly trustDomain: string;
  /** The trust domain it trusts. */
  readonly federatesWith: string;
}

/** Federation in both directions between two trust domains. */
export function federateBothWays(a: string, b: string): FederationRelationProps[] {
  return [
    { trustDomain: a, federatesWith: b },
    { trustDomain: b, federatesWith: a },
  ];
}

/** SPIFFE federation between the mesh's trust domains (https://spiffe.io/docs/latest/architecture/federation/readme/). */
export interface FederationProps {
  /**
   * Who trusts whom. Each trust domain's SPIRE server fetches the bundle of every domain it federates with.
   * @default - every trust domain of the mesh federates with every other one (both ways)
   */
  readonly relations?: FederationRelationProps[];
  /**
   * `refresh_hint` of the SPIRE bundle endpoint: how often federated servers re-fetch the bundle.
   * The check requires the SPIRE CA TTL to be at least three refresh hints, so that a rotated CA
   * is fetched before the old one expires.
   * @default '5m'
   */
  readonly bundleRefreshHint?: string;
  /**
   * Service type of the SPIRE bundle endpoint (seed: NodePort for local clusters).
   * @default GatewayServiceType.LOAD_BALANCER
   */
  readonly bundleEndpointServiceType?: GatewayServiceType;
}

/** A one-way link: workloads in `from` reach services in `to` (the peer Gateway lives in `from`). */
export interface LinkProps {
  /** The cluster whose workloads reach the other one (its peer Gateway is rendered here). */
  readonly from: string;
  /** The cluster whose services are reached, through its east-west gateway. */
  readonly to: string;
}

/** Links in both directions between two clusters. */
export function linkBothWays(a: string, b: string): LinkProps[] {
  return [
    { from: a, to: b },
    { from: b, to: a },
  ];
}

export interface IstioProps {
  /**
   * Which Istio build.
   * @default IstioDistribution.SOLO
   */
  readonly distribution?: IstioDistribution;
  /**
   * Istio version (`X.Y.Z`); Solo images are tagged `X.Y.Z-solo`.
   * @default '1.29.1'
   */
  readonly version?: string;
  /**
   * Solo repo key (12 characters, the hash at the end of us-docker.pkg.dev/gloo-mesh/istio-<repo-key>) for Solo Istio 1.28
   * and earlier (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
   * @default - none; required for Solo versions before 1.29
   */
  readonly repoKey?: string;
  /**
   * The Solo license istiod reads (required for Solo multicluster; the multicluster check
   * reports its absence).
   * @default - no license configured
   */
  readonly license?: IstioLicense;
}

/** Options of `IstioLicense.fromExternalSecret`. */
export interface LicenseExternalSecretOptions {
  /** Remote key of the license in the secret store (e.g. `spiremesh/prod/solo-istio-license`). */
  readonly remoteKey: string;
  /**
   * Property of the remote key that holds the license.
   * @default 'license-key'
   */
  readonly property?: string;
  /**
   * ClusterSecretStore that External Secrets reads the license from.
   * @default - the CA delivery's `clusterSecretStore` (`CaDelivery.externalSecrets`); required with any other CA delivery
   */
  readonly clusterSecretStore?: string;
  /**
   * Name of the Secret the ExternalSecret builds and istiod reads.
   * @default 'solo-istio-license'
   */
  readonly secretName?: string;
  /**
   * Namespace of that Secret.
   * @default 'istio-system' (istiod's namespace)
   */
  readonly secretNamespace?: string;
}

/** Where istiod finds the Solo license. */
export class IstioLicense {
  /**
   * A Secret the team creates outside dist/, with key `license-key` (what Solo istiod reads); listed as a
   * prerequisite with its `kubectl create secret` command.
   */
  public static fromSecret(name: string, namespace: string = ISTIO_NAMESPACE): IstioLicense {
    return new IstioLicense({ secretName: name, secretNamespace: namespace });
  }

  /**
   * The license Secret rendered as an ExternalSecret (dist/<cluster>/pki/, applied with the CA ExternalSecrets, before
   * istiod) that reads the license from a ClusterSecretStore: the store entry is the only hand step.
   */
  public static fromExternalSecret(options: LicenseExternalSecretOptions): IstioLicense {
    const { remoteKey, property, clusterSecretStore, secretName, secretNamespace } = options;
    return new IstioLicense({
      ...(secretName !== undefined ? { secretName } : {}),
      ...(secretNamespace !== undefined ? { secretNamespace } : {}),
      externalSecret: {
        remoteKey,
        ...(property !== undefined ? { property } : {}),
        ...(clusterSecretStore !== undefined ? { clusterSecretStore } : {}),
      },
    });
  }

  /**
   * The license key inline in the istiod values. dist/ is committed, so this is refused unless
   * `acknowledgeCommitted` is true.
   */
  public static inline(value: string, options: { readonly acknowledgeCommitted: boolean }): IstioLicense {
    return new IstioLicense({ value, allowInlineValue: options.acknowledgeCommitted });
  }

  /** The license a validated spec document describes (YAML inventories). */
  public static fromDocument(doc: LicenseDocument): IstioLicense {
    return new IstioLicense({ ...doc, ...(doc.externalSecret ? { externalSecret: { ...doc.externalSecret } } : {}) });
  }

  private constructor(private readonly document: LicenseDocument) {}

  /**
   * Where istiod reads the license: a Secret reference (built by an ExternalSecret or not), or (acknowledged) an inline value.
   * @param defaultStore the ClusterSecretStore an ExternalSecret reads when the license names none (the CA delivery's)
   */
  public resolve(defaultStore?: string): LicenseModel {
    const { secretName, secretNamespace, value, externalSecret } = this.document;
    if (externalSecret) {
      return {
        kind: 'secret',
        secretRef: { name: secretName ?? DEFAULT_LICENSE_SECRET_NAME, namespace: secretNamespace ?? ISTIO_NAMESPACE },
        externalSecret: {
          remoteKey: externalSecret.remoteKey,
          property: externalSecret.property ?? SOLO_LICENSE_SECRET_KEY,
          clusterSecretStore: externalSecret.clusterSecretStore ?? defaultStore ?? '',
        },
      };
    }
    return secretName !== undefined && secretNamespace !== undefined
      ? { kind: 'secret', secretRef: { name: secretName, namespace: secretNamespace } }
      : { kind: 'inline', value: value ?? '' };
  }

  public toDocument(): LicenseDocument {
    return { ...this.document, ...(this.document.externalSecret ? { externalSecret: { ...this.document.externalSecret } } : {}) };
  }
}

/** The ExternalSecret that builds the license Secret: the remote key and property it reads, from which ClusterSecretStore. */
export interface LicenseExternalSecretModel {
  readonly clusterSecretStore: string;
  readonly remoteKey: string;
  readonly property: string;
}

/**
 * The Solo license as istiod reads it: by Secret reference (the default; `externalSecret` when an ExternalSecret in dist/
 * builds that Secret, else the team creates it), or an acknowledged inline value.
 */
export type LicenseModel =
  | {
      readonly kind: 'secret';
      readonly secretRef: { readonly name: string; readonly namespace: string };
      /** @default - none: the Secret is a prerequisite the team creates */
      readonly externalSecret?: LicenseExternalSecretModel;
    }
  | { readonly kind: 'inline'; readonly value: string };

export interface SpireProps {
  /**
   * Version of the `spire` chart whose output spiremesh reproduces.
   * @default '0.24.2'
   */
  readonly chartVersion?: string;
  /**
   * Version of the `spire-crds` chart delivered before the SPIRE objects.
   * @default '0.5.0'
   */
  readonly crdsChartVersion?: string;
  /**
   * SPIRE server and agent version.
   * @default '1.11.2'
   */
  readonly version?: string;
  /**
   * `ca_ttl` of the SPIRE server's own CA (the intermediate that signs SVIDs).
   * @default '24h' (the chart's `caTTL`)
   */
  readonly caTtl?: string;
}

export interface PkiProps {
  /**
   * Key type and size of the root and intermediate CAs.
   * @default KeyAlgorithm.RSA_2048
   */
  readonly keyAlgorithm?: KeyAlgorithm;
  /**
   * Local, git-ignored folder of the CA private keys.
   * @default '.spiremesh/keys'
   */
  readonly keyDirectory?: string;
  /**
   * Committed folder of the public CA certificates.
   * @default 'pki'
   */
  readonly certificateDirectory?: string;
  /**
   * How the CA secrets reach the clusters.
   * @default - CaDelivery.kubectl(): Secret manifests in a git-ignored folder
   */
  readonly delivery?: CaDelivery;
}

export interface MeshSpec {
  /** Mesh name: a DNS-1123 label. */
  readonly name: string;
  /** The clusters of the mesh. */
  readonly clusters: ClusterProps[];
  /**
   * One-way links between clusters.
   * @default - every cluster linked to every other cluster (both ways)
   */
  readonly links?: LinkProps[];
  /** @default - Solo Istio 1.29.1 */
  readonly istio?: IstioProps;
  /** @default - spire chart 0.24.2, spire-crds 0.5.0, SPIRE 1.11.2 */
  readonly spire?: SpireProps;
  /** @default - RSA 2048 keys in .spiremesh/keys, certificates in pki/, kubectl delivery */
  readonly pki?: PkiProps;
  /**
   * How Helm charts reach the clusters.
   * @default ChartDelivery.argoCd()
   */
  readonly chartDelivery?: ChartDelivery;
  /**
   * SPIFFE federation between trust domains.
   * @default - no federation
   */
  readonly federation?: FederationProps;
  /**
   * ClusterSecretStore (External Secrets) that holds, per cluster, the kubeconfig istiod of another cluster uses to
   * read its API server: what `istioctl create-remote-secret` puts in its Secret. Upstream Istio's multi-network
   * sidecar mesh only (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/, "Enable
   * Endpoint Discovery"); Solo peering needs no remote secrets. Every cluster that links to cluster `c` gets an
   * ExternalSecret building the Secret `istio-remote-secret-<c>` from the remote key
   * `<prefix>/<c>/istio-remote-secret`, property `kubeconfig` (prefix: `pki.delivery.remoteKeyPrefix` with External
   * Secrets CA delivery, else `spiremesh/<mesh name>`). See docs/upstream-multicluster.md.
   * @default - the CA delivery's `clusterSecretStore` when `pki.delivery` is External Secrets; otherwise none, and
   * synthesis warns with the `istioctl create-remote-secret` command to run by hand
   */
  readonly remoteSecretStore?: string;
  /**
   * Accept Istio, SPIRE and SPIRE chart versions that spiremesh's release catalog (`lib/spec/catalog.ts`)
   * does not list, for a release newer than the catalog. Versions must still be written `X.Y.Z`, and the
   * Istio minor must be one spiremesh knows. Without it, an unlisted version (a typo such as `1.29.99`)
   * is refused, naming the closest known release.
   * @default false
   */
  readonly allowUnlistedVersions?: boolean;
  /**
   * The GitOps repository the output folder is committed to. With it, synthesis also writes the
   * fleet bootstrap `<out>/_fleet/`: per cluster the Argo CD Application or the Flux GitRepository
   * and Kustomization that sync `<pathPrefix>/<cluster>`.
   * @default - no fleet bootstrap (point your engine at the cluster directories yourself)
   */
  readonly gitops?: GitOpsProps;
}

const compact = compactDocument;

/** The plain spec document of typed props (enum-like values become their YAML strings). */
export function toMeshSpecDocument(props: MeshSpec): MeshSpecDocument {
  return compact({
    name: props.name,
    clusters: props.clusters.map((c) =>
      compact({
        ...c,
        dataplaneMode: c.dataplaneMode?.value,
        eastWestServiceType: c.eastWestServiceType?.value,
        ingressGateways: c.ingressGateways?.map((g) =>
          compact({ ...g, serviceType: g.serviceType?.value, ports: g.ports?.map((port) => compact({ ...port })) }),
        ),
        argoCdDestination: c.argoCdDestination && compact({ ...c.argoCdDestination }),
        overrides: c.overrides && copyOverrides(c.overrides),
      }),
    ),
    links: props.links?.map((l) => ({ from: l.from, to: l.to })),
    istio:
      props.istio && compact({ ...props.istio, distribution: props.istio.distribution?.value, license: props.istio.license?.toDocument() }),
    spire: props.spire && compact({ ...props.spire }),
    pki:
      props.pki &&
      compact({
        keyAlgorithm: props.pki.keyAlgorithm?.value,
        keyDirectory: props.pki.keyDirectory,
        certificateDirectory: props.pki.certificateDirectory,
        delivery: props.pki.delivery?.toDocument(),
      }),
    chartDelivery: props.chartDelivery?.toDocument(),
    federation:
      props.federation &&
      compact({
        relations: props.federation.relations?.map((r) => ({ trustDomain: r.trustDomain, federatesWith: r.federatesWith })),
        bundleRefreshHint: props.federation.bundleRefreshHint,
        bundleEndpointServiceType: props.federation.bundleEndpointServiceType?.value,
      }),
    remoteSecretStore: props.remoteSecretStore,
    allowUnlistedVersions: props.allowUnlistedVersions,
    gitops:
      props.gitops && compact({ ...props.gitops, engine: props.gitops.engine?.value, argoCdTopology: props.gitops.argoCdTopology?.value }),
  });
}

/**
 * The typed props a validated spec document describes: how a YAML inventory becomes the same
 * props a TypeScript author writes, so both build the model the same way.
 */
export function meshPropsFromDocument(doc: MeshSpecDocument): MeshSpec {
  const choice = <T>(value: string | undefined, of: (v: string) => T): T | undefined => (value === undefined ? undefined : of(value));
  return {
    name: doc.name,
    clusters: doc.clusters.map((c) => ({
      ...c,
      dataplaneMode: choice(c.dataplaneMode, (v) => DataplaneMode.of(v)),
      eastWestServiceType: choice(c.eastWestServiceType, (v) => EastWestServiceType.of(v)),
      ingressGateways: c.ingressGateways?.map((g) => ({
        ...g,
        serviceType: choice(g.serviceType, (v) => GatewayServiceType.of(v)),
        ports: g.ports?.map((port) => ({ ...port })),
      })),
      argoCdDestination: c.argoCdDestination && { ...c.argoCdDestination },
      overrides: c.overrides && copyOverrides(c.overrides),
    })),
    links: doc.links?.map((l) => ({ from: l.from, to: l.to })),
    istio: doc.istio && {
      ...doc.istio,
      distribution: choice(doc.istio.distribution, (v) => IstioDistribution.of(v)),
      license: doc.istio.license && IstioLicense.fromDocument(doc.istio.license),
    },
    spire: doc.spire && { ...doc.spire },
    pki: doc.pki && {
      keyAlgorithm: choice(doc.pki.keyAlgorithm, (v) => KeyAlgorithm.of(v)),
      keyDirectory: doc.pki.keyDirectory,
      certificateDirectory: doc.pki.certificateDirectory,
      delivery: doc.pki.delivery && CaDelivery.fromDocument(doc.pki.delivery),
    },
    chartDelivery: doc.chartDelivery && ChartDelivery.fromDocument(doc.chartDelivery),
    federation: doc.federation && {
      relations: doc.federation.relations?.map((r) => ({ trustDomain: r.trustDomain, federatesWith: r.federatesWith })),
      bundleRefreshHint: doc.federation.bundleRefreshHint,
      bundleEndpointServiceType: choice(doc.federation.bundleEndpointServiceType, (v) => GatewayServiceType.of(v)),
    },
    remoteSecretStore: doc.remoteSecretStore,
    allowUnlistedVersions: doc.allowUnlistedVersions,
    gitops: doc.gitops && {
      ...doc.gitops,
      engine: choice(doc.gitops.engine, (v) => GitOpsEngine.of(v)),
      argoCdTopology: choice(doc.gitops.argoCdTopology, (v) => ArgoCdTopology.of(v)),
    },
  };
}
