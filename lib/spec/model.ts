/**
 * The resolved mesh: defaults applied and every derived value computed in one place.
 * Constructs read values from here, never from the raw spec, so a value that must agree
 * across components and clusters (trust domain, delegate SPIFFE ID, network, versions) has
 * exactly one source. Build it with `resolveMeshSpec`, which validates first.
 */
import * as path from 'path';
import {
  DEFAULT_ISTIO_VERSION,
  SOLO_REPOSITORIES,
  SPIRE_DEFAULTS,
  UPSTREAM_REPOSITORIES,
  gatewayApiVersionForIstioMinor,
} from '../versions';
import {
  CaDelivery,
  CaDeliveryModel,
  ChartDelivery,
  ChartDeliveryModel,
  DataplaneMode,
  EastWestServiceType,
  GatewayServiceType,
  IstioDistribution,
  KeyAlgorithm,
} from './choices';
import {
  DEFAULT_BUNDLE_REFRESH_HINT,
  DEFAULT_CERTIFICATE_DIRECTORY,
  DEFAULT_INGRESS_NAMESPACE,
  DEFAULT_KEY_DIRECTORY,
  DEFAULT_SPIRE_CA_TTL,
  GATEWAY_DEFAULT_PORTS,
  GATEWAY_STATUS_PORT,
  defaultRemoteKeyPrefix,
} from './defaults';
import { MeshSpecDocument } from './document';
import { SpecValidationError } from './errors';
import { SpiremeshError } from './finding';
import { findProjectDir } from './project';
import { ISTIO_NAMESPACE, ZTUNNEL_SERVICE_ACCOUNT } from './names';
import { parseVersion } from './syntax';
import { ClusterProps, IngressGatewayProps, LicenseModel, MeshSpec, meshPropsFromDocument, toMeshSpecDocument } from './props';
import { ArgoCdDestinationModel, GitOpsModel, argoCdDestinationModel } from './gitops';
import { ClusterOverridesProps, copyOverrides } from './overrides';
import { validateMeshSpec } from './validate';

/** An Istio release with the repositories it is pulled from. */
export class IstioRelease {
  public constructor(
    public readonly distribution: IstioDistribution,
    /** Version as declared, e.g. '1.29.1'. */
    public readonly version: string,
    private readonly repoKey?: string,
    /**
     * The Gloo Operator installs this release (chartDelivery gloo-operator): it pulls the Solo build of `version`
     * itself, so no repo key is needed (Solo's ServiceMeshController examples set only `version`; crds/gloo-operator/).
     * Without a repo key, `hub` and `helmRepository` then name the public Solo repositories, for the chart values
     * spiremesh derives but never delivers in that mode (only their SPIRE keys reach the operator).
     */
    public readonly pulledByOperator: boolean = false,
  ) {}

  /** Whether the keyed per-minor repositories apply: Solo before the first public minor, unless the operator pulls it without a key. */
  private get keyed(): boolean {
    return this.minor < SOLO_REPOSITORIES.firstPublicMinor && !(this.pulledByOperator && this.repoKey === undefined);
  }

  /** The repo key, which validation requires for Solo releases before the first public minor. */
  private get requiredRepoKey(): string {
    if (this.repoKey === undefined) {
      throw new Error(`Solo Istio ${this.version} needs istio.repoKey: resolve specs with resolveMeshSpec or resolveMeshProps`);
    }
    return this.repoKey;
  }

  public get minor(): number {
    return parseVersion(this.version).minor;
  }

  /**
   * Image tag: Solo builds are tagged `<version>-solo` (`ISTIO_IMAGE=${ISTIO_VERSION}-solo` in
   * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
   */
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
    return this.keyed ? SOLO_REPOSITORIES.keyedImages(this.requiredRepoKey) : SOLO_REPOSITORIES.images;
  }

  /** Helm chart repository. */
  public get helmRepository(): string {
    if (this.distribution === IstioDistribution.UPSTREAM) return UPSTREAM_REPOSITORIES.helm;
    return this.keyed ? SOLO_REPOSITORIES.keyedHelm(this.requiredRepoKey) : SOLO_REPOSITORIES.helm;
  }

  /** Gateway API standard-channel release matching this Istio minor (`sigs.k8s.io/gateway-api` in istio/istio go.mod at the release tag). */
  public get gatewayApiVersion(): string {
    return gatewayApiVersionForIstioMinor(this.minor);
  }
}

/** A gateway Service port, resolved. */
export interface GatewayPortModel {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
}

/** An ingress gateway, defaults applied: a release of Istio's `gateway` chart. */
export interface IngressGatewayModel {
  readonly name: string;
  readonly namespace: string;
  readonly serviceType: GatewayServiceType;
  /** Ports in Service order, `status-port` first. */
  readonly ports: readonly GatewayPortModel[];
}

function resolveIngressGateway(props: IngressGatewayProps): IngressGatewayModel {
  const declared = props.ports?.map((p) => ({ name: p.name, port: p.port, targetPort: p.targetPort ?? p.port })) ?? GATEWAY_DEFAULT_PORTS;
  return {
    name: props.name,
    namespace: props.namespace ?? DEFAULT_INGRESS_NAMESPACE,
    serviceType: props.serviceType ?? GatewayServiceType.LOAD_BALANCER,
    ports: [GATEWAY_STATUS_PORT, ...declared.filter((p) => p.name !== GATEWAY_STATUS_PORT.name)],
  };
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
  /** Whether istio-cni is delivered (always for ambient). */
  public readonly istioCni: boolean;
  public readonly ingressGateways: readonly IngressGatewayModel[];
  /** Where other trust domains reach this cluster's SPIRE bundle endpoint. */
  public readonly spireBundleEndpointAddress?: string;
  /** How a hub Argo CD reaches the cluster (`gitops.argoCdTopology: hub` only). */
  public readonly argoCdDestination?: ArgoCdDestinationModel;
  /** The cluster's component settings (`clusters[].overrides`), as declared; empty when none. */
  public readonly overrides: ClusterOverridesProps;

  public constructor(props: ClusterProps, mesh: { readonly istio: IstioDefaults }) {
    this.name = props.name;
    // The trust domain and the network are named after the cluster unless set (Solo's
    // multicluster install guide uses the cluster name for both).
    this.context = props.context ?? props.name;
    this.trustDomain = props.trustDomain ?? props.name;
    this.network = props.network ?? props.name;
    this.dataplaneMode = props.dataplaneMode ?? DataplaneMode.AMBIENT;
    this.eastWestAddress = props.eastWestAddress;
    this.eastWestServiceType = props.eastWestServiceType ?? EastWestServiceType.LOAD_BALANCER;
    this.istioRevision = props.istioRevision;
    this.region = props.region;
    this.zone = props.zone;
    this.istio = new IstioRelease(
      mesh.istio.distribution,
      props.istioVersion ?? mesh.istio.version,
      mesh.istio.repoKey,
      mesh.istio.pulledByOperator === true,
    );
    this.istioCni = props.istioCni ?? this.dataplaneMode === DataplaneMode.AMBIENT;
    this.ingressGateways = (props.ingressGateways ?? []).map(resolveIngressGateway);
    this.spireBundleEndpointAddress = props.spireBundleEndpointAddress;
    this.argoCdDestination = argoCdDestinationModel(props.argoCdDestination);
    this.overrides = props.overrides ? copyOverrides(props.overrides) : {};
  }

  /** SPIFFE ID of this cluster's SPIRE server: the bundle endpoint's identity (`https_spiffe` profile). */
  public get spireServerSpiffeId(): string {
    return `spiffe://${this.trustDomain}/spire/server`;
  }

  /**
   * SPIFFE ID of ztunnel: the SPIRE agent's `authorized_delegates` entry and the identity
   * ztunnel gets from the ztunnel ClusterSPIFFEID.
   */
  public get ztunnelSpiffeId(): string {
    return `spiffe://${this.trustDomain}/ns/${ISTIO_NAMESPACE}/sa/${ZTUNNEL_SERVICE_ACCOUNT}`;
  }
}

interface IstioDefaults {
  readonly distribution: IstioDistribution;
  readonly version: string;
  readonly repoKey?: string;
  /** chartDelivery gloo-operator: the operator pulls the Istio build. */
  readonly pulledByOperator?: boolean;
}

/** A one-way peering link between two clusters of the mesh. */
export interface LinkModel {
  readonly from: ClusterModel;
  readonly to: ClusterModel;
}

/** One direction of a SPIFFE federation: `trustDomain` trusts `federatesWith`. */
export interface FederationRelationModel {
  readonly trustDomain: string;
  readonly federatesWith: string;
}

export interface FederationModel {
  /** Declared relations (or all-to-all), sorted by trust domain, then the federated one. */
  readonly relations: readonly FederationRelationModel[];
  readonly bundleRefreshHint: string;
  readonly bundleEndpointServiceType: GatewayServiceType;
}

export interface SpireVersions {
  readonly chartRepository: string;
  readonly chartVersion: string;
  readonly crdsChartVersion: string;
  readonly version: string;
  readonly controllerManagerVersion: string;
  readonly csiDriverVersion: string;
  readonly nodeDriverRegistrarVersion: string;
  /** Server `ca_ttl`. */
  readonly caTtl: string;
}

/** Where the remote-secret kubeconfigs live (upstream multi-network sidecar meshes; `remoteSecretStore`). */
export interface RemoteSecretStoreModel {
  /** The ClusterSecretStore External Secrets reads. */
  readonly clusterSecretStore: string;
  /** Remote keys are `<prefix>/<cluster>/istio-remote-secret`. */
  readonly remoteKeyPrefix: string;
}

export interface PkiModel {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly keyDirectory: string;
  readonly certificateDirectory: string;
  readonly delivery: CaDeliveryModel;
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
  /** @default - undefined: no federation */
  public readonly federation?: FederationModel;
  /** @default - the CA delivery's store with External Secrets CA delivery, else undefined (remote secrets are applied by hand) */
  public readonly remoteSecrets?: RemoteSecretStoreModel;
  /** @default - undefined: no GitOps repository declared, no fleet bootstrap */
  public readonly gitops?: GitOpsModel;
  /**
   * The project folder: relative PKI folders, the output folder and helm-template's chart cache
   * and helm path belong to it. The inventory's folder, else the nearest folder holding
   * cdk8s.yaml or package.json from the working directory at resolve time.
   */
  public readonly projectDir: string;

  /**
   * Use `resolveMeshSpec` (documents) or `resolveMeshProps` (typed props): both validate first.
   * @param props the typed spec
   * @param document the same spec as a validated document: the input of the spec digest
   * @param sourceDir the folder of the YAML inventory the spec was loaded from
   */
  public constructor(
    /** The typed spec this model was resolved from. */
    public readonly spec: MeshSpec,
    public readonly document: MeshSpecDocument,
    /**
     * Folder of the YAML inventory file this mesh was loaded from: its project folder, which the
     * relative PKI folders are resolved against.
     * @default - undefined: declared in code (the project folder is found from the working directory)
     */
    public readonly sourceDir?: string,
  ) {
    this.projectDir = path.resolve(sourceDir ?? findProjectDir(process.cwd()));
    this.name = spec.name;
    const istio: IstioDefaults = {
      distribution: spec.istio?.distribution ?? IstioDistribution.SOLO,
      version: spec.istio?.version ?? DEFAULT_ISTIO_VERSION,
      repoKey: spec.istio?.repoKey,
      pulledByOperator: spec.chartDelivery?.model.kind === 'gloo-operator',
    };
    // Frozen, as the links and federation relations are: the model's lookups (linksOf, clustersOf, ...) index them once.
    this.clusters = Object.freeze(spec.clusters.map((c) => new ClusterModel(c, { istio })));
    const byName = new Map(this.clusters.map((c) => [c.name, c]));
    const clusterNamed = (name: string): ClusterModel => {
      const found = byName.get(name);
      if (!found) throw new Error(`link to unknown cluster '${name}': resolve specs with resolveMeshSpec or resolveMeshProps`);
      return found;
    };
    this.links = Object.freeze(
      spec.links
        ? spec.links.map((l) => Object.freeze({ from: clusterNamed(l.from), to: clusterNamed(l.to) }))
        : this.clusters.flatMap((from) => this.clusters.filter((to) => to !== from).map((to) => Object.freeze({ from, to }))),
    );
    this.spire = {
      ...SPIRE_DEFAULTS,
      chartVersion: spec.spire?.chartVersion ?? SPIRE_DEFAULTS.chartVersion,
      crdsChartVersion: spec.spire?.crdsChartVersion ?? SPIRE_DEFAULTS.crdsChartVersion,
      version: spec.spire?.version ?? SPIRE_DEFAULTS.spireVersion,
      caTtl: spec.spire?.caTtl ?? DEFAULT_SPIRE_CA_TTL,
    };
    this.pki = {
      keyAlgorithm: spec.pki?.keyAlgorithm ?? KeyAlgorithm.RSA_2048,
      keyDirectory: spec.pki?.keyDirectory ?? DEFAULT_KEY_DIRECTORY,
      certificateDirectory: spec.pki?.certificateDirectory ?? DEFAULT_CERTIFICATE_DIRECTORY,
      delivery: (spec.pki?.delivery ?? CaDelivery.kubectl()).resolve(spec.name),
    };
    this.chartDelivery = (spec.chartDelivery ?? ChartDelivery.argoCd()).model;
    if (spec.gitops) this.gitops = new GitOpsModel(spec.gitops, this.chartDelivery.kind === 'flux');
    const ca = this.pki.delivery;
    // An ExternalSecret of the license reads the CA delivery's store unless the license names one (validated).
    this.license = spec.istio?.license?.resolve(ca.kind === 'external-secrets' ? ca.clusterSecretStore : undefined);
    const remoteSecretStore = spec.remoteSecretStore ?? (ca.kind === 'external-secrets' ? ca.clusterSecretStore : undefined);
    if (remoteSecretStore !== undefined) {
      this.remoteSecrets = {
        clusterSecretStore: remoteSecretStore,
        remoteKeyPrefix: ca.kind === 'external-secrets' ? ca.remoteKeyPrefix : defaultRemoteKeyPrefix(spec.name),
      };
    }
    if (spec.federation) {
      const domains = [...new Set(this.clusters.map((c) => c.trustDomain))].sort();
      const declared =
        spec.federation.relations ??
        domains.flatMap((td) => domains.filter((o) => o !== td).map((o) => ({ trustDomain: td, federatesWith: o })));
      this.federation = {
        relations: Object.freeze(
          declared
            .map((r) => Object.freeze({ trustDomain: r.trustDomain, federatesWith: r.federatesWith }))
            .sort((a, b) => (a.trustDomain + '\0' + a.federatesWith < b.trustDomain + '\0' + b.federatesWith ? -1 : 1)),
        ),
        bundleRefreshHint: spec.federation.bundleRefreshHint ?? DEFAULT_BUNDLE_REFRESH_HINT,
        bundleEndpointServiceType: spec.federation.bundleEndpointServiceType ?? GatewayServiceType.LOAD_BALANCER,
      };
    }
  }

  /** Trust domains that `trustDomain` federates with (sorted); empty without federation. */
  public federatesWith(trustDomain: string): readonly string[] {
    return indexOf(this).federatesWith.get(trustDomain) ?? NONE;
  }

  /** True when some trust domain federates with `trustDomain` (its SPIRE servers must serve their bundle). */
  public isFederatedWith(trustDomain: string): boolean {
    return indexOf(this).federatedWith.has(trustDomain);
  }

  /** The clusters of a trust domain, in spec order. */
  public clustersOf(trustDomain: string): readonly ClusterModel[] {
    return indexOf(this).clustersOf.get(trustDomain) ?? NONE;
  }

  /** True when more than one cluster takes part in peering links. */
  public get isMulticluster(): boolean {
    return this.links.length > 0;
  }

  public cluster(name: string): ClusterModel {
    const c = indexOf(this).clusterNamed.get(name);
    if (!c) {
      throw new SpiremeshError(`no cluster '${name}' in mesh '${this.name}':`, [
        {
          severity: 'error',
          source: 'usage',
          subject: `cluster '${name}'`,
          message: 'is not declared in the mesh spec',
          fix: `use one of ${this.clusters.map((x) => x.name).join(', ')}`,
        },
      ]);
    }
    return c;
  }

  /** The links `cluster` takes part in, as source or target (in link order). */
  public linksOf(cluster: ClusterModel): readonly LinkModel[] {
    return indexOf(this).linksOf.get(cluster) ?? NONE;
  }

  /** True when `cluster` takes part in peering (it links to, or is linked to by, another cluster). */
  public isPeered(cluster: ClusterModel): boolean {
    return this.linksOf(cluster).length > 0;
  }

  /** Links whose Gateway lives in `cluster` (the clusters it can reach), in link order. */
  public linksFrom(cluster: ClusterModel): readonly LinkModel[] {
    return indexOf(this).linksFrom.get(cluster) ?? NONE;
  }

  /** Links whose target is `cluster` (the clusters that reach it), in link order. */
  public linksTo(cluster: ClusterModel): readonly LinkModel[] {
    return indexOf(this).linksTo.get(cluster) ?? NONE;
  }
}

/** The empty answer of the per-cluster and per-trust-domain lookups (frozen: the answers are shared). */
const NONE: readonly never[] = Object.freeze([]);

/**
 * Per-cluster and per-trust-domain lookups of a MeshModel, built in one pass on first use, so that a per-cluster or
 * per-link step costs what it reads rather than a scan of every link (all-to-all peering has N·(N−1) links). Valid for
 * the model's lifetime: the model is immutable after construction (its clusters, links and relations are frozen).
 * Kept outside the model so that it is no property of it (models compare and print as before).
 */
interface MeshIndex {
  readonly clusterNamed: ReadonlyMap<string, ClusterModel>;
  readonly clustersOf: ReadonlyMap<string, readonly ClusterModel[]>;
  readonly linksOf: ReadonlyMap<ClusterModel, readonly LinkModel[]>;
  readonly linksFrom: ReadonlyMap<ClusterModel, readonly LinkModel[]>;
  readonly linksTo: ReadonlyMap<ClusterModel, readonly LinkModel[]>;
  readonly federatesWith: ReadonlyMap<string, readonly string[]>;
  readonly federatedWith: ReadonlySet<string>;
}

const INDEXES = new WeakMap<MeshModel, MeshIndex>();

function indexOf(mesh: MeshModel): MeshIndex {
  let index = INDEXES.get(mesh);
  if (!index) {
    index = buildIndex(mesh);
    INDEXES.set(mesh, index);
  }
  return index;
}

function buildIndex(mesh: MeshModel): MeshIndex {
  const group = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const clusterNamed = new Map<string, ClusterModel>();
  const clustersOf = new Map<string, ClusterModel[]>();
  for (const c of mesh.clusters) {
    // The first cluster of a name, as a search in spec order finds it (validation refuses duplicates).
    if (!clusterNamed.has(c.name)) clusterNamed.set(c.name, c);
    group(clustersOf, c.trustDomain, c);
  }
  const linksOf = new Map<ClusterModel, LinkModel[]>();
  const linksFrom = new Map<ClusterModel, LinkModel[]>();
  const linksTo = new Map<ClusterModel, LinkModel[]>();
  for (const l of mesh.links) {
    group(linksOf, l.from, l);
    if (l.to !== l.from) group(linksOf, l.to, l);
    group(linksFrom, l.from, l);
    group(linksTo, l.to, l);
  }
  const federatesWith = new Map<string, string[]>();
  const federatedWith = new Set<string>();
  // Relations are sorted by trust domain, then the federated one: each list keeps that order.
  for (const r of mesh.federation?.relations ?? []) {
    group(federatesWith, r.trustDomain, r.federatesWith);
    federatedWith.add(r.federatesWith);
  }
  const frozen = <K, V>(map: Map<K, V[]>): ReadonlyMap<K, readonly V[]> => {
    for (const list of map.values()) Object.freeze(list);
    return map;
  };
  return {
    clusterNamed,
    clustersOf: frozen(clustersOf),
    linksOf: frozen(linksOf),
    linksFrom: frozen(linksFrom),
    linksTo: frozen(linksTo),
    federatesWith: frozen(federatesWith),
    federatedWith,
  };
}

/**
 * Validates a spec document (a parsed YAML inventory) and resolves it. Throws
 * `SpecValidationError` listing every problem, with `source` (and `locate`, for files) naming
 * where each bad value is.
 */
export function resolveMeshSpec(
  document: unknown,
  source: string,
  locate?: (path: ReadonlyArray<string | number>) => string | undefined,
  sourceDir?: string,
): MeshModel {
  const problems = validateMeshSpec(document);
  if (problems.length > 0) throw new SpecValidationError(source, problems, locate);
  const validated = document as MeshSpecDocument;
  return new MeshModel(meshPropsFromDocument(validated), validated, sourceDir);
}

/**
 * Validates typed props and resolves them; the props are validated in their document form, by
 * the same rules as YAML inventories, and the model is built from the props themselves.
 */
export function resolveMeshProps(props: MeshSpec, source: string): MeshModel {
  const document = toMeshSpecDocument(props);
  const problems = validateMeshSpec(document);
  if (problems.length > 0) throw new SpecValidationError(source, problems);
  return new MeshModel(props, document);
}
