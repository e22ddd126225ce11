/**
 * The resolved mesh: defaults applied and every derived value computed in one place.
 * Constructs read values from here, never from the raw spec, so a value that must agree
 * across components and clusters (trust domain, delegate SPIFFE ID, network, versions) has
 * exactly one source. Build it with `resolveMeshSpec`, which validates first.
 */
import {
  DEFAULT_ISTIO_VERSION,
  SOLO_REPOSITORIES,
  SPIRE_DEFAULTS,
  UPSTREAM_REPOSITORIES,
  gatewayApiVersionForIstioMinor,
} from '../versions';
import {
  CaDeliveryMode,
  ChartDeliveryMode,
  DataplaneMode,
  EastWestServiceType,
  IssuerKind,
  IstioDistribution,
  KeyAlgorithm,
} from './choices';
import { CaDeliveryDocument, ClusterDocument, MeshSpecDocument } from './document';
import { SpecValidationError } from './errors';
import { ISTIO_NAMESPACE, ZTUNNEL_SERVICE_ACCOUNT } from './names';
import { parseVersion } from './syntax';
import { validateMeshSpec } from './validate';

/** An Istio release with the repositories it is pulled from. */
export class IstioRelease {
  public constructor(
    public readonly distribution: IstioDistribution,
    /** Version as declared, e.g. '1.29.1'. */
    public readonly version: string,
    private readonly repoKey?: string,
  ) {}

  public get minor(): number {
    return parseVersion(this.version).minor;
  }

  /** Image tag: Solo builds are tagged `<version>-solo` (seed 001). */
  public get tag(): string {
    return this.distribution === IstioDistribution.SOLO ? `${this.version}-solo` : this.version;
  }

  /** Chart version: equal to the image tag for both distributions. */
  public get chartVersion(): string {
    return this.tag;
  }

  /** Image repository (`global.hub`). */
  public get hub(): string {
    if (this.distribution === IstioDistribution.UPSTREAM) return UPSTREAM_REPOSITORIES.images;
    return this.minor >= SOLO_REPOSITORIES.firstPublicMinor ? SOLO_REPOSITORIES.images : SOLO_REPOSITORIES.keyedImages(this.repoKey!);
  }

  /** Helm chart repository. */
  public get helmRepository(): string {
    if (this.distribution === IstioDistribution.UPSTREAM) return UPSTREAM_REPOSITORIES.helm;
    return this.minor >= SOLO_REPOSITORIES.firstPublicMinor ? SOLO_REPOSITORIES.helm : SOLO_REPOSITORIES.keyedHelm(this.repoKey!);
  }

  /** Gateway API standard-channel release matching this Istio minor (istio-ambient.md §6). */
  public get gatewayApiVersion(): string {
    return gatewayApiVersionForIstioMinor(this.minor);
  }
}

export class ClusterModel {
  public readonly name: string;
  public readonly context: string;
  public readonly trustDomain: string;
  public readonly network: string;
  public readonly dataplaneMode: DataplaneMode;
  public readonly eastWestAddress?: string;
  public readonly eastWestServiceType: EastWestServiceType;
  public readonly istioRevision?: string;
  public readonly region?: string;
  public readonly zone?: string;
  public readonly istio: IstioRelease;

  public constructor(doc: ClusterDocument, mesh: { istio: IstioDocumentDefaults }) {
    this.name = doc.name;
    // Seed 001 names the trust domain and the network after the cluster.
    this.context = doc.context ?? doc.name;
    this.trustDomain = doc.trustDomain ?? doc.name;
    this.network = doc.network ?? doc.name;
    this.dataplaneMode = DataplaneMode.of(doc.dataplaneMode ?? DataplaneMode.AMBIENT.value);
    this.eastWestAddress = doc.eastWestAddress;
    this.eastWestServiceType = EastWestServiceType.of(doc.eastWestServiceType ?? EastWestServiceType.LOAD_BALANCER.value);
    this.istioRevision = doc.istioRevision;
    this.region = doc.region;
    this.zone = doc.zone;
    this.istio = new IstioRelease(mesh.istio.distribution, doc.istioVersion ?? mesh.istio.version, mesh.istio.repoKey);
  }

  /**
   * SPIFFE ID of ztunnel: the SPIRE agent's `authorized_delegates` entry and the identity
   * ztunnel gets from the ztunnel ClusterSPIFFEID (seed 001).
   */
  public get ztunnelSpiffeId(): string {
    return `spiffe://${this.trustDomain}/ns/${ISTIO_NAMESPACE}/sa/${ZTUNNEL_SERVICE_ACCOUNT}`;
  }
}

interface IstioDocumentDefaults {
  readonly distribution: IstioDistribution;
  readonly version: string;
  readonly repoKey?: string;
}

/** A one-way peering link between two clusters of the mesh. */
export interface LinkModel {
  readonly from: ClusterModel;
  readonly to: ClusterModel;
}

export interface SpireVersions {
  readonly chartRepository: string;
  readonly chartVersion: string;
  readonly crdsChartVersion: string;
  readonly version: string;
  readonly controllerManagerVersion: string;
  readonly csiDriverVersion: string;
  readonly nodeDriverRegistrarVersion: string;
}

export interface PkiModel {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly keyDirectory: string;
  readonly certificateDirectory: string;
  readonly delivery: CaDeliveryModel;
}

export interface CaDeliveryModel {
  readonly mode: CaDeliveryMode;
  readonly clusterSecretStore?: string;
  readonly remoteKeyPrefix?: string;
  readonly outputDirectory?: string;
  readonly issuerName?: string;
  readonly issuerKind?: IssuerKind;
}

export interface ChartDeliveryModel {
  readonly mode: ChartDeliveryMode;
  readonly namespace?: string;
  readonly project?: string;
  readonly helmExecutable?: string;
  readonly chartCacheDirectory?: string;
}

/** Where istiod finds the Solo license (validated: a Secret reference, or an acknowledged inline value). */
export interface LicenseModel {
  readonly secretRef?: { readonly name: string; readonly namespace: string };
  readonly value?: string;
}

export class MeshModel {
  public readonly name: string;
  /** @default - undefined: no license configured */
  public readonly license?: LicenseModel;
  public readonly clusters: readonly ClusterModel[];
  public readonly links: readonly LinkModel[];
  public readonly spire: SpireVersions;
  public readonly pki: PkiModel;
  public readonly chartDelivery: ChartDeliveryModel;

  public constructor(
    /** The validated document this model was resolved from (the input of the spec digest). */
    public readonly document: MeshSpecDocument,
  ) {
    this.name = document.name;
    const istio: IstioDocumentDefaults = {
      distribution: IstioDistribution.of(document.istio?.distribution ?? IstioDistribution.SOLO.value),
      version: document.istio?.version ?? DEFAULT_ISTIO_VERSION,
      repoKey: document.istio?.repoKey,
    };
    this.clusters = document.clusters.map((c) => new ClusterModel(c, { istio }));
    const license = document.istio?.license;
    this.license =
      license?.secretName && license.secretNamespace
        ? { secretRef: { name: license.secretName, namespace: license.secretNamespace } }
        : license?.value
          ? { value: license.value }
          : undefined;
    const byName = new Map(this.clusters.map((c) => [c.name, c]));
    this.links = document.links
      ? document.links.map((l) => ({ from: byName.get(l.from)!, to: byName.get(l.to)! }))
      : this.clusters.flatMap((from) => this.clusters.filter((to) => to !== from).map((to) => ({ from, to })));
    this.spire = {
      ...SPIRE_DEFAULTS,
      chartVersion: document.spire?.chartVersion ?? SPIRE_DEFAULTS.chartVersion,
      crdsChartVersion: document.spire?.crdsChartVersion ?? SPIRE_DEFAULTS.crdsChartVersion,
      version: document.spire?.version ?? SPIRE_DEFAULTS.spireVersion,
    };
    this.pki = {
      keyAlgorithm: KeyAlgorithm.of(document.pki?.keyAlgorithm ?? KeyAlgorithm.RSA_2048.value),
      keyDirectory: document.pki?.keyDirectory ?? '.spiremesh/keys',
      certificateDirectory: document.pki?.certificateDirectory ?? 'pki',
      delivery: resolveCaDelivery(document.name, document.pki?.delivery),
    };
    const delivery = document.chartDelivery ?? { mode: ChartDeliveryMode.ARGO_CD.value };
    const mode = ChartDeliveryMode.of(delivery.mode);
    this.chartDelivery =
      mode === ChartDeliveryMode.ARGO_CD
        ? { mode, namespace: delivery.namespace ?? 'argocd', project: delivery.project ?? 'default' }
        : mode === ChartDeliveryMode.HELM_TEMPLATE
          ? {
              mode,
              helmExecutable: delivery.helmExecutable ?? 'helm',
              chartCacheDirectory: delivery.chartCacheDirectory ?? '.spiremesh/charts',
            }
          : { mode };
  }

  /** True when more than one cluster takes part in peering links. */
  public get isMulticluster(): boolean {
    return this.links.length > 0;
  }

  public cluster(name: string): ClusterModel {
    const c = this.clusters.find((x) => x.name === name);
    if (!c)
      throw new Error(`no cluster '${name}' in mesh '${this.name}': declared clusters are ${this.clusters.map((x) => x.name).join(', ')}`);
    return c;
  }

  /** The links `cluster` takes part in, as source or target. */
  public linksOf(cluster: ClusterModel): LinkModel[] {
    return this.links.filter((l) => l.from === cluster || l.to === cluster);
  }

  /** True when `cluster` takes part in peering (it links to, or is linked to by, another cluster). */
  public isPeered(cluster: ClusterModel): boolean {
    return this.linksOf(cluster).length > 0;
  }

  /** Links whose Gateway lives in `cluster` (the clusters it can reach). */
  public linksFrom(cluster: ClusterModel): LinkModel[] {
    return this.links.filter((l) => l.from === cluster);
  }
}

function resolveCaDelivery(meshName: string, doc: CaDeliveryDocument | undefined): CaDeliveryModel {
  const mode = CaDeliveryMode.of(doc?.mode ?? CaDeliveryMode.KUBECTL.value);
  switch (mode) {
    case CaDeliveryMode.EXTERNAL_SECRETS:
      return { mode, clusterSecretStore: doc!.clusterSecretStore, remoteKeyPrefix: doc!.remoteKeyPrefix ?? `spiremesh/${meshName}` };
    case CaDeliveryMode.CERT_MANAGER:
      return { mode, issuerName: doc!.issuerName, issuerKind: IssuerKind.of(doc!.issuerKind ?? IssuerKind.CLUSTER_ISSUER.value) };
    default:
      return { mode, outputDirectory: doc?.outputDirectory ?? '.spiremesh/secrets' };
  }
}

/**
 * Validates a spec document and resolves it. Throws `SpecValidationError` listing every
 * problem, with `source` (and `locate`, for files) naming where each bad value is.
 */
export function resolveMeshSpec(
  document: unknown,
  source: string,
  locate?: (path: ReadonlyArray<string | number>) => string | undefined,
): MeshModel {
  const problems = validateMeshSpec(document);
  if (problems.length > 0) throw new SpecValidationError(source, problems, locate);
  return new MeshModel(document as MeshSpecDocument);
}
