/**
 * The SPIRE component of one cluster: server (+ controller manager), agents, CSI driver and the
 * registrations, in `dist/<cluster>/spire/`.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct, IConstruct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { DELIVERY_ORDER } from '../core/delivery';
import { DataplaneMode, SPIRE_NAMESPACE } from '../spec';
import { SpireAgent } from './agent';
import { LogLevel, WebhookFailurePolicy } from './choices';
import { ClusterSpiffeId, RegistrationOptions } from './cluster-spiffe-id';
import { SpireFederation } from './federation';
import { SpiffeCsiDriver } from './csi-driver';
import { SpireImages } from './images';
import { SPIRE_API_GROUP, SPIRE_CLASS_NAME } from './names';
import { SpireServer } from './server';
import { SpireCaSubject } from './server-config';
import { UpstreamAuthority } from './upstream-authority';

/** Kinds the controller manager reconciles by `spec.className`. */
const CLASSED_KINDS = ['ClusterSPIFFEID', 'ClusterFederatedTrustDomain', 'ClusterStaticEntry'];

export interface SpireComponentProps {
  /**
   * Where SPIRE's signing CA comes from.
   * @default UpstreamAuthority.forMesh(mesh): certManager with the spec's issuer when
   * `pki.delivery.mode` is cert-manager, otherwise disk (Secret `spiffe-upstream-ca`)
   */
  readonly upstreamAuthority?: UpstreamAuthority;
  /**
   * Failure policy of the controller manager's validating webhooks.
   * @default WebhookFailurePolicy.IGNORE (see its documentation for the trade-off)
   */
  readonly webhookFailurePolicy?: WebhookFailurePolicy;
  /**
   * Image overrides, e.g. for a registry mirror.
   * @default - the images pinned by the mesh (`mesh.spire`, chart 0.24.2 defaults)
   */
  readonly images?: SpireImages;
  /**
   * `log_level` of server and agents.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
  /**
   * Subject of SPIRE's CA certificates.
   * @default CHART_CA_SUBJECT (the chart's default)
   */
  readonly caSubject?: SpireCaSubject;
  /**
   * SPIFFE IDs allowed to use the agents' Delegated Identity API.
   * @default - ambient clusters: [cluster.ztunnelSpiffeId]; sidecar clusters: none
   */
  readonly authorizedDelegates?: readonly string[];
  /**
   * Tolerations of the agent pods.
   * @default SPIRE_NODE_TOLERATIONS
   */
  readonly agentTolerations?: readonly k8s.Toleration[];
  /**
   * Tolerations of the CSI driver pods.
   * @default SPIRE_NODE_TOLERATIONS
   */
  readonly csiDriverTolerations?: readonly k8s.Toleration[];
  /**
   * Render the three ClusterSPIFFEIDs of the documented ambient install (istio-ztunnel-reg,
   * istio-waypoint-reg, istio-ambient-reg; https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
   * @default - true for ambient clusters
   */
  readonly istioRegistrations?: boolean;
  /**
   * Render the chart's `default` ClusterSPIFFEID (fallback identity of every pod outside the
   * SPIRE namespaces).
   * @default true
   */
  readonly defaultRegistration?: boolean;
  /**
   * Render the ClusterSPIFFEID of sidecar workloads (`istio-sidecar-reg`, pods labelled
   * `security.istio.io/tlsMode: istio` by the injector).
   * @default - true for sidecar clusters
   */
  readonly sidecarRegistration?: boolean;
  /**
   * Render one ClusterSPIFFEID per ingress gateway of the cluster (`cluster.ingressGateways`).
   * @default true
   */
  readonly gatewayRegistrations?: boolean;
}

/**
 * SPIRE for one cluster of a SpireMesh: `new Spire(meshCluster, 'Spire', props)`. Every value
 * that must agree with the rest of the mesh (trust domain, cluster name, ztunnel's delegate ID,
 * CA delivery, pinned images) comes from the cluster's model.
 */
export class Spire extends MeshComponent {
  /** The Spire component of a MeshCluster, if it has one. */
  public static of(cluster: MeshCluster): Spire | undefined {
    return cluster.node.findAll().find((c): c is Spire => c instanceof Spire);
  }

  public readonly server: SpireServer;
  public readonly agent: SpireAgent;
  public readonly csiDriver: SpiffeCsiDriver;
  /** The ClusterSPIFFEIDs this component rendered. */
  public readonly registrations: readonly ClusterSpiffeId[];
  /** The ClusterFederatedTrustDomains (one per trust domain this cluster's trust domain federates with). */
  public readonly federation: SpireFederation;
  /** The controller manager's class name. */
  public readonly className: string = SPIRE_CLASS_NAME;

  public constructor(scope: Construct, id: string, props: SpireComponentProps = {}) {
    super(scope, id, { componentName: 'spire' });
    const meshCluster = MeshCluster.enclosing(this);
    const existing = meshCluster.node.findAll().find((c) => c instanceof Spire && c !== this);
    if (existing) {
      throw new Error(
        `cluster '${meshCluster.cluster.name}' already has a Spire component at ${existing.node.path}: create one Spire per MeshCluster`,
      );
    }
    const { cluster } = meshCluster;
    meshCluster.namespaces.addNamespace(SPIRE_NAMESPACE);
    // The SPIRE CRDs come from the pinned spire-crds chart (0.5.0, as https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/
    // installs it), delivered before everything else; their YAML is never copied here.
    meshCluster.delivery.addRelease({
      id: 'spire-crds',
      chart: 'spire-crds',
      repository: { url: meshCluster.mesh.spire.chartRepository },
      version: meshCluster.mesh.spire.crdsChartVersion,
      releaseName: 'spire-crds',
      namespace: SPIRE_NAMESPACE,
      values: {},
      order: DELIVERY_ORDER.crds,
    });

    this.server = new SpireServer(this, 'Server', {
      upstreamAuthority: props.upstreamAuthority,
      webhookFailurePolicy: props.webhookFailurePolicy,
      images: props.images,
      logLevel: props.logLevel,
      caSubject: props.caSubject,
    });
    this.agent = new SpireAgent(this, 'Agent', {
      authorizedDelegates: props.authorizedDelegates,
      tolerations: props.agentTolerations,
      images: props.images,
      logLevel: props.logLevel,
    });
    this.csiDriver = new SpiffeCsiDriver(this, 'CsiDriver', { tolerations: props.csiDriverTolerations, images: props.images });

    // Every workload this SPIRE registers receives the bundles of the trust domains its own federates with (the
    // controller manager's form of the registrar's `spiffe.io/federatesWith` annotation); empty without federation.
    const options: RegistrationOptions = { federatesWith: meshCluster.mesh.federatesWith(cluster.trustDomain) };
    const registrations: ClusterSpiffeId[] = [];
    // Kept for fidelity with the chart: the fallback identity of pods no other registration selects.
    if (props.defaultRegistration ?? true) registrations.push(ClusterSpiffeId.chartDefault(this, undefined, options));
    if (props.istioRegistrations ?? cluster.dataplaneMode === DataplaneMode.AMBIENT) {
      registrations.push(
        ClusterSpiffeId.istioZtunnel(this, undefined, options),
        ClusterSpiffeId.istioWaypoint(this, undefined, options),
        ClusterSpiffeId.istioAmbient(this, undefined, options),
      );
    }
    if (props.sidecarRegistration ?? cluster.dataplaneMode === DataplaneMode.SIDECAR) {
      registrations.push(ClusterSpiffeId.istioSidecar(this, undefined, options));
    }
    if (props.gatewayRegistrations ?? true) {
      for (const gateway of cluster.ingressGateways) {
        registrations.push(ClusterSpiffeId.istioGateway(this, `Gateway-${gateway.namespace}-${gateway.name}`, gateway, options));
      }
    }
    this.registrations = registrations;
    this.federation = new SpireFederation(this, 'Federation');

    // Any ClusterSPIFFEID / ClusterFederatedTrustDomain / ClusterStaticEntry in this cluster
    // (also one made from the imported classes directly) must carry the controller manager's
    // class, or it is silently ignored (`watchClassless: false`).
    this.node.addValidation({ validate: () => this.classNameProblems(meshCluster) });
  }

  private classNameProblems(meshCluster: MeshCluster): string[] {
    return meshCluster.node
      .findAll()
      .filter((c: IConstruct): c is ApiObject => ApiObject.isApiObject(c))
      .filter((o) => o.apiVersion.startsWith(`${SPIRE_API_GROUP}/`) && CLASSED_KINDS.includes(o.kind))
      .flatMap((o) => {
        const className = o.toJson()?.spec?.className;
        if (className === this.className) return [];
        return [
          `${o.kind} '${o.name}' (${o.node.path}) has spec.className ${className === undefined ? 'unset' : `'${className}'`}, but the controller manager only reconciles className '${this.className}' (watchClassless: false): create it with the ClusterSpiffeId / ClusterFederatedTrustDomain / ClusterStaticEntry constructs, or set spec.className to '${this.className}'`,
        ];
      });
  }
}
