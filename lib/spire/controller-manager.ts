/**
 * spire-controller-manager, the sidecar of spire-server that turns ClusterSPIFFEID,
 * ClusterFederatedTrustDomain and ClusterStaticEntry objects into SPIRE entries and federation
 * relationships: its config, RBAC, webhook Service and ValidatingWebhookConfiguration as chart 0.24.2
 * renders them (spiffe/helm-charts-hardened charts/spire/charts/spire-server/templates/controller-manager-*.yaml).
 */
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../spec';
import { WebhookFailurePolicy } from './choices';
import { ControllerManagerConfig, renderControllerManagerConfig } from './config';
import { SpireImages, resolveSpireImages } from './images';
import {
  SPIRE_AGENT_ID_PATH_PREFIX,
  SPIRE_API_GROUP,
  SPIRE_API_VERSION,
  SPIRE_CLASS_NAME,
  SPIRE_CONFIG_KEYS,
  SPIRE_NAMES,
  SPIRE_PATHS,
  SPIRE_PORTS,
  SPIRE_RELEASE,
  SPIRE_SERVER_SOCKET_VOLUME,
  spireCommonLabels,
  spireSelectorLabels,
} from './names';
import { clusterRoleWithBinding, roleWithBinding, serviceAccountSubject } from './rbac';
import { clusterIdentityProblems, throwIfFindings } from './validation';

/**
 * Namespaces whose pods get no entries from the controller manager (regular expressions; the
 * chart's `controllerManager.ignoreNamespaces`).
 */
export const CONTROLLER_MANAGER_IGNORE_NAMESPACES: readonly string[] = [
  'kube-system',
  'kube-public',
  'local-path-storage',
  'openshift-.*',
  'ibm-.*',
];

/**
 * Parent ID of the entries the controller manager creates: the k8s_psat agent ID of the pod's
 * node. `{{ .ClusterName }}` is the controller manager's `clusterName`, which equals the k8s_psat
 * cluster of server and agents, so the parent is the ID the agent on that node attested with.
 */
export const PARENT_ID_TEMPLATE = `spiffe://{{ .TrustDomain }}${SPIRE_AGENT_ID_PATH_PREFIX}/{{ .ClusterName }}/{{ .NodeMeta.UID }}`;

/** What `controller-manager-config.yaml` depends on. */
export interface SpireControllerManagerConfigInput {
  /** SPIFFE trust domain of the server. */
  readonly trustDomain: string;
  /** Cluster name: the entry ID prefix and `{{ .ClusterName }}` of the parent ID template. */
  readonly clusterName: string;
  /** Labels of the config object's own metadata. */
  readonly labels: Readonly<Record<string, string>>;
}

/** `controller-manager-config.yaml` of the controller manager in the spire-server pod. */
export function spireControllerManagerConfig(input: SpireControllerManagerConfigInput): ControllerManagerConfig {
  const ns = SPIRE_NAMES.namespace;
  return {
    apiVersion: SPIRE_API_VERSION,
    kind: 'ControllerManagerConfig',
    metadata: { name: SPIRE_NAMES.controllerManager, namespace: ns, labels: { ...input.labels } },
    metrics: { bindAddress: `0.0.0.0:${SPIRE_PORTS.controllerManagerMetrics}` },
    health: { healthProbeBindAddress: `0.0.0.0:${SPIRE_PORTS.controllerManagerHealth}` },
    leaderElection: {
      leaderElect: true,
      // The chart's lease name: first 8 hex digits of sha256('<namespace>-<release>').
      resourceName: `${createHash('sha256').update(`${ns}-${SPIRE_RELEASE}`).digest('hex').slice(0, 8)}.spiffe.io`,
      resourceNamespace: ns,
    },
    validatingWebhookConfigurationName: SPIRE_NAMES.controllerManagerWebhook,
    entryIDPrefix: input.clusterName,
    clusterName: input.clusterName,
    trustDomain: input.trustDomain,
    ignoreNamespaces: [...CONTROLLER_MANAGER_IGNORE_NAMESPACES],
    spireServerSocketPath: SPIRE_PATHS.serverSocket,
    className: SPIRE_CLASS_NAME,
    watchClassless: false,
    parentIDTemplate: PARENT_ID_TEMPLATE,
    reconcile: { clusterSPIFFEIDs: true, clusterStaticEntries: true, clusterFederatedTrustDomains: true },
  };
}

export interface SpireControllerManagerProps {
  /**
   * SPIFFE trust domain of the server it registers entries in.
   * @default - the trust domain of the enclosing MeshCluster
   */
  readonly trustDomain?: string;
  /**
   * Cluster name: `clusterName` and `entryIDPrefix` of the config; must equal the server's k8s_psat cluster.
   * @default - the name of the enclosing MeshCluster
   */
  readonly clusterName?: string;
  /**
   * Failure policy of the validating webhooks.
   * @default WebhookFailurePolicy.IGNORE (see its documentation for the trade-off)
   */
  readonly webhookFailurePolicy?: WebhookFailurePolicy;
  /**
   * Image overrides (`controllerManager` is used here).
   * @default - the mesh's pinned images
   */
  readonly images?: SpireImages;
  /**
   * ServiceAccount of the pod the sidecar runs in; the RBAC is bound to it.
   * @default 'spire-server' (the spire-server pod's ServiceAccount)
   */
  readonly serviceAccountName?: string;
}

/**
 * The controller manager's ConfigMap, RBAC (leader election Role and its ClusterRole), webhook
 * Service and ValidatingWebhookConfiguration. The sidecar itself runs in the spire-server pod: its
 * `container` and `volumes` go into that pod, next to the volume `spire-server-socket` that holds the
 * server API socket.
 */
export class SpireControllerManager extends Construct {
  public readonly trustDomain: string;
  public readonly clusterName: string;
  /** The controller manager's class: ClusterSPIFFEIDs etc. must carry it in `spec.className`. */
  public readonly className: string = SPIRE_CLASS_NAME;
  public readonly webhookFailurePolicy: WebhookFailurePolicy;
  /** `controller-manager-config.yaml` as an object and as the rendered text. */
  public readonly config: ControllerManagerConfig;
  public readonly configText: string;
  /** The sidecar container of the spire-server pod. */
  public readonly container: k8s.Container;
  /** The sidecar's volumes: its config (ConfigMap) and its `/tmp`. */
  public readonly volumes: { readonly config: k8s.Volume; readonly tmp: k8s.Volume };
  /** The ValidatingWebhookConfiguration. */
  public readonly webhook: k8s.KubeValidatingWebhookConfiguration;

  public constructor(scope: Construct, id: string, props: SpireControllerManagerProps = {}) {
    super(scope, id);
    const { mesh, cluster } = MeshCluster.enclosing(this);
    this.clusterName = props.clusterName ?? cluster.name;
    this.trustDomain = props.trustDomain ?? cluster.trustDomain;
    throwIfFindings(`SpireControllerManager '${this.node.path}'`, clusterIdentityProblems(this.trustDomain, this.clusterName));
    this.webhookFailurePolicy = props.webhookFailurePolicy ?? WebhookFailurePolicy.IGNORE;
    const images = resolveSpireImages(mesh.spire, props.images);
    const ns = SPIRE_NAMES.namespace;
    // The controller manager is part of the chart's spire-server subchart: it carries the server's labels.
    const labels = spireCommonLabels('server', mesh.spire.version);
    const serviceAccount = serviceAccountSubject(props.serviceAccountName ?? SPIRE_NAMES.server, ns);

    this.config = spireControllerManagerConfig({
      trustDomain: this.trustDomain,
      clusterName: this.clusterName,
      labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    });
    this.configText = renderControllerManagerConfig(this.config);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: SPIRE_NAMES.controllerManager, namespace: ns },
      data: { [SPIRE_CONFIG_KEYS.controllerManager]: this.configText },
    });

    const allVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
    roleWithBinding(this, 'LeaderElection', {
      name: SPIRE_NAMES.controllerManagerLeaderElection,
      namespace: ns,
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: allVerbs },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: allVerbs },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
      subject: serviceAccount,
    });
    const read = ['get', 'list', 'watch'];
    const crdRules = (resource: string): k8s.PolicyRule[] => [
      { apiGroups: [SPIRE_API_GROUP], resources: [resource], verbs: allVerbs },
      { apiGroups: [SPIRE_API_GROUP], resources: [`${resource}/finalizers`], verbs: ['update'] },
      { apiGroups: [SPIRE_API_GROUP], resources: [`${resource}/status`], verbs: ['get', 'patch', 'update'] },
    ];
    clusterRoleWithBinding(this, 'ControllerManager', {
      name: SPIRE_NAMES.controllerManagerClusterRole,
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: read },
        {
          apiGroups: ['admissionregistration.k8s.io'],
          resources: ['validatingwebhookconfigurations'],
          verbs: ['get', 'list', 'patch', 'watch'],
        },
        { apiGroups: [''], resources: ['nodes'], verbs: read },
        { apiGroups: [''], resources: ['endpoints'], verbs: read },
        { apiGroups: [''], resources: ['pods'], verbs: read },
        ...crdRules('clusterfederatedtrustdomains'),
        ...crdRules('clusterspiffeids'),
        ...crdRules('clusterstaticentries'),
      ],
      subject: serviceAccount,
    });

    new k8s.KubeService(this, 'WebhookService', {
      metadata: { name: SPIRE_NAMES.controllerManagerWebhookService, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        ports: [
          {
            name: 'https',
            port: SPIRE_PORTS.controllerManagerWebhookService,
            targetPort: k8s.IntOrString.fromString('https'),
            protocol: 'TCP',
          },
        ],
        // The sidecar's webhook port is served by the spire-server pods.
        selector: spireSelectorLabels('server'),
      },
    });

    const healthz = k8s.IntOrString.fromString('healthz');
    this.volumes = {
      config: { name: 'controller-manager-config', configMap: { name: SPIRE_NAMES.controllerManager } },
      tmp: { name: 'spire-controller-manager-tmp', emptyDir: {} },
    };
    this.container = {
      name: 'spire-controller-manager',
      image: images.controllerManager,
      imagePullPolicy: 'IfNotPresent',
      args: [`--config=${SPIRE_CONFIG_KEYS.controllerManager}`],
      env: [{ name: 'ENABLE_WEBHOOKS', value: 'true' }],
      ports: [
        { name: 'https', containerPort: SPIRE_PORTS.controllerManagerWebhook, protocol: 'TCP' },
        { name: 'healthz', containerPort: SPIRE_PORTS.controllerManagerHealth },
      ],
      livenessProbe: { httpGet: { path: '/healthz', port: healthz } },
      readinessProbe: { httpGet: { path: '/readyz', port: healthz } },
      volumeMounts: [
        { name: SPIRE_SERVER_SOCKET_VOLUME, mountPath: SPIRE_PATHS.serverSocketDir, readOnly: true },
        {
          name: this.volumes.config.name,
          mountPath: `/${SPIRE_CONFIG_KEYS.controllerManager}`,
          subPath: SPIRE_CONFIG_KEYS.controllerManager,
          readOnly: true,
        },
        { name: this.volumes.tmp.name, mountPath: '/tmp', subPath: 'spire-controller-manager', readOnly: false },
      ],
    };

    // The chart renders `failurePolicy: Ignore` and relies on Helm hook Jobs to patch it to `Fail`
    // after install; `helm template` and GitOps users never run those Jobs. spiremesh writes the
    // chosen policy directly (WebhookFailurePolicy.IGNORE by default, see its documentation).
    // No caBundle: the controller manager mints its serving certificate from SPIRE and patches
    // it into this configuration at runtime (GitOps tools should ignore that field).
    const webhook = (name: string, resource: string, kind: string): k8s.ValidatingWebhook => ({
      name,
      admissionReviewVersions: ['v1'],
      clientConfig: {
        service: { name: SPIRE_NAMES.controllerManagerWebhookService, namespace: ns, path: `/validate-spire-spiffe-io-v1alpha1-${kind}` },
      },
      failurePolicy: this.webhookFailurePolicy.value,
      rules: [{ apiGroups: [SPIRE_API_GROUP], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [resource] }],
      sideEffects: 'None',
    });
    this.webhook = new k8s.KubeValidatingWebhookConfiguration(this, 'Webhook', {
      metadata: { name: SPIRE_NAMES.controllerManagerWebhook },
      webhooks: [
        webhook('vclusterfederatedtrustdomain.kb.io', 'clusterfederatedtrustdomains', 'clusterfederatedtrustdomain'),
        webhook('vclusterspiffeid.kb.io', 'clusterspiffeids', 'clusterspiffeid'),
      ],
    });
  }
}
