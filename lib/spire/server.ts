/**
 * spire-server with spire-controller-manager as a sidecar, as chart 0.24.2 renders them for the
 * seed's install (spire-chart.md §1.2 objects 1-16, §1.3, §2.1, §3.1).
 */
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../spec';
import { LogLevel, WebhookFailurePolicy } from './choices';
import { ControllerManagerConfig, SpireServerConfig, configChecksum, renderControllerManagerConfig, renderSpireConfig } from './config';
import { SpireImages, resolveSpireImages } from './images';
import {
  SPIRE_CLASS_NAME,
  SPIRE_CONFIG_KEYS,
  SPIRE_LABELS,
  SPIRE_NAMES,
  SPIRE_PATHS,
  SPIRE_PORTS,
  SPIRE_PSAT_AUDIENCE,
  SPIRE_RELEASE,
  spireCommonLabels,
  spireSelectorLabels,
} from './names';
import { clusterRoleWithBinding, roleWithBinding, serviceAccountSubject } from './rbac';
import { UpstreamAuthority } from './upstream-authority';
import { objectNameProblem, throwIfProblems, trustDomainNameProblem } from './validation';

/** `ca_subject` of SPIRE's own CA certificates. */
export interface SpireCaSubject {
  readonly country: string;
  readonly organization: string;
  readonly commonName: string;
}

/** The chart's default `ca_subject` (`spire-server.caSubject`). */
export const CHART_CA_SUBJECT: SpireCaSubject = { country: 'ARPA', organization: 'Example', commonName: 'example.org' };

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
export const PARENT_ID_TEMPLATE = 'spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName }}/{{ .NodeMeta.UID }}';

export interface SpireServerProps {
  /**
   * SPIFFE trust domain of the server.
   * @default - the trust domain of the enclosing MeshCluster
   */
  readonly trustDomain?: string;
  /**
   * Cluster name of the k8s_psat node attestor and of the controller manager.
   * @default - the name of the enclosing MeshCluster
   */
  readonly clusterName?: string;
  /**
   * Where SPIRE's signing CA comes from.
   * @default UpstreamAuthority.forMesh(mesh): certManager with the spec's issuer when
   * `pki.delivery.mode` is cert-manager, otherwise disk
   */
  readonly upstreamAuthority?: UpstreamAuthority;
  /**
   * Failure policy of the controller manager's validating webhooks.
   * @default WebhookFailurePolicy.IGNORE (see its documentation for the trade-off)
   */
  readonly webhookFailurePolicy?: WebhookFailurePolicy;
  /**
   * Image overrides (`server`, `controllerManager`, `initBash` are used here).
   * @default - the mesh's pinned images
   */
  readonly images?: SpireImages;
  /**
   * spire-server `log_level`.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
  /**
   * Subject of SPIRE's CA certificates.
   * @default CHART_CA_SUBJECT (the chart's default)
   */
  readonly caSubject?: SpireCaSubject;
}

/**
 * spire-server (StatefulSet `spire-server`, one replica, sqlite on a 1Gi PVC) with the
 * controller manager as a sidecar, their Services, ConfigMaps, the empty `spire-bundle`
 * ConfigMap, RBAC and the controller manager's ValidatingWebhookConfiguration.
 */
export class SpireServer extends Construct {
  /** The StatefulSet. */
  public readonly resource: k8s.KubeStatefulSet;
  public readonly trustDomain: string;
  public readonly clusterName: string;
  /** `server.conf` as an object and as the rendered text. */
  public readonly config: SpireServerConfig;
  public readonly configText: string;
  /** `controller-manager-config.yaml` as an object and as the rendered text. */
  public readonly controllerManagerConfig: ControllerManagerConfig;
  public readonly controllerManagerConfigText: string;
  /** The controller manager's class: ClusterSPIFFEIDs etc. must carry it in `spec.className`. */
  public readonly className: string = SPIRE_CLASS_NAME;
  public readonly upstreamAuthority: UpstreamAuthority;
  public readonly webhookFailurePolicy: WebhookFailurePolicy;
  /** `<service>.<namespace>`: the address agents connect to. */
  public readonly address: string = `${SPIRE_NAMES.server}.${SPIRE_NAMES.namespace}`;

  public constructor(scope: Construct, id: string, props: SpireServerProps = {}) {
    super(scope, id);
    const meshCluster = MeshCluster.enclosing(this);
    const { mesh, cluster } = meshCluster;
    // The chart's `global.spire.clusterName` defaults to 'example-cluster', which the seed never
    // sets: every cluster of a multi-cluster mesh would then attest as 'example-cluster', entry IDs
    // would share one prefix, and agent IDs would not name their cluster. spiremesh uses the
    // cluster's own name (k8s_psat on server and agent, controller manager `clusterName` and
    // `entryIDPrefix`, and through `{{ .ClusterName }}` the parent ID template).
    this.clusterName = props.clusterName ?? cluster.name;
    this.trustDomain = props.trustDomain ?? cluster.trustDomain;
    throwIfProblems(
      `SpireServer '${this.node.path}'`,
      [trustDomainNameProblem('trustDomain', this.trustDomain), objectNameProblem('clusterName', this.clusterName)].filter(
        (p) => p !== undefined,
      ),
    );
    this.upstreamAuthority = props.upstreamAuthority ?? UpstreamAuthority.forMesh(mesh);
    this.webhookFailurePolicy = props.webhookFailurePolicy ?? WebhookFailurePolicy.IGNORE;
    const images = resolveSpireImages(mesh.spire, props.images);
    const ns = SPIRE_NAMES.namespace;
    const labels = spireCommonLabels('server', mesh.spire.version);
    const selector = spireSelectorLabels('server');
    const serviceAccount = serviceAccountSubject(SPIRE_NAMES.server, ns);

    // --- configs -------------------------------------------------------------------------------
    const subject = props.caSubject ?? CHART_CA_SUBJECT;
    this.config = {
      server: {
        bind_address: '0.0.0.0',
        bind_port: String(SPIRE_PORTS.serverGrpc),
        trust_domain: this.trustDomain,
        data_dir: SPIRE_PATHS.serverDataDir,
        log_level: (props.logLevel ?? LogLevel.INFO).value,
        jwt_issuer: `https://oidc-discovery.${this.trustDomain}`,
        audit_log_enabled: false,
        ca_key_type: 'rsa-2048',
        ca_ttl: '24h',
        default_x509_svid_ttl: '4h',
        default_jwt_svid_ttl: '1h',
        ca_subject: [{ country: [subject.country], organization: [subject.organization], common_name: subject.commonName }],
      },
      plugins: {
        DataStore: {
          sql: {
            plugin_data: {
              database_type: 'sqlite3',
              connection_string: `${SPIRE_PATHS.serverDataDir}/datastore.sqlite3`,
              max_open_conns: 100,
              max_idle_conns: 2,
              disable_migration: false,
            },
          },
        },
        NodeAttestor: {
          k8s_psat: {
            plugin_data: {
              clusters: [
                {
                  [this.clusterName]: {
                    service_account_allow_list: [`${ns}:${SPIRE_NAMES.agent}`],
                    audience: [SPIRE_PSAT_AUDIENCE],
                    allowed_node_label_keys: [],
                    allowed_pod_label_keys: [],
                  },
                },
              ],
            },
          },
        },
        KeyManager: { disk: { plugin_data: { keys_path: `${SPIRE_PATHS.serverDataDir}/keys.json` } } },
        Notifier: { k8sbundle: { plugin_data: { namespace: ns, config_map: SPIRE_NAMES.bundleConfigMap } } },
        UpstreamAuthority: this.upstreamAuthority.renderPlugin(),
      },
      health_checks: {
        listener_enabled: true,
        bind_address: '0.0.0.0',
        bind_port: String(SPIRE_PORTS.serverHealth),
        live_path: '/live',
        ready_path: '/ready',
      },
    };
    this.configText = renderSpireConfig(this.config);

    this.controllerManagerConfig = {
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ControllerManagerConfig',
      metadata: { name: SPIRE_NAMES.controllerManager, namespace: ns, labels: { ...labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
      metrics: { bindAddress: `0.0.0.0:${SPIRE_PORTS.controllerManagerMetrics}` },
      health: { healthProbeBindAddress: `0.0.0.0:${SPIRE_PORTS.controllerManagerHealth}` },
      leaderElection: {
        leaderElect: true,
        // The chart's lease name: first 8 hex digits of sha256('<namespace>-<release>').
        resourceName: `${createHash('sha256').update(`${ns}-${SPIRE_RELEASE}`).digest('hex').slice(0, 8)}.spiffe.io`,
        resourceNamespace: ns,
      },
      validatingWebhookConfigurationName: SPIRE_NAMES.controllerManagerWebhook,
      entryIDPrefix: this.clusterName,
      clusterName: this.clusterName,
      trustDomain: this.trustDomain,
      ignoreNamespaces: [...CONTROLLER_MANAGER_IGNORE_NAMESPACES],
      spireServerSocketPath: SPIRE_PATHS.serverSocket,
      className: this.className,
      watchClassless: false,
      parentIDTemplate: PARENT_ID_TEMPLATE,
      reconcile: { clusterSPIFFEIDs: true, clusterStaticEntries: true, clusterFederatedTrustDomains: true },
    };
    this.controllerManagerConfigText = renderControllerManagerConfig(this.controllerManagerConfig);

    // --- accounts, config maps, RBAC ------------------------------------------------------------
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: SPIRE_NAMES.server, namespace: ns, labels } });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns },
      data: { [SPIRE_CONFIG_KEYS.server]: this.configText },
    });
    new k8s.KubeConfigMap(this, 'ControllerManagerConfig', {
      metadata: { name: SPIRE_NAMES.controllerManager, namespace: ns },
      data: { [SPIRE_CONFIG_KEYS.controllerManager]: this.controllerManagerConfigText },
    });
    // Rendered without data: SPIRE's k8sbundle notifier patches the trust bundle into it.
    new k8s.KubeConfigMap(this, 'Bundle', { metadata: { name: SPIRE_NAMES.bundleConfigMap, namespace: ns } });

    roleWithBinding(this, 'Bundle', {
      name: SPIRE_NAMES.bundleConfigMap,
      namespace: ns,
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [SPIRE_NAMES.bundleConfigMap], verbs: ['get', 'patch'] }],
      subject: serviceAccount,
    });
    clusterRoleWithBinding(this, 'NodeAttestor', {
      name: SPIRE_NAMES.serverClusterRole,
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['get', 'watch', 'list', 'create'] },
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
      ],
      subject: serviceAccount,
    });
    const certManagerNamespace = this.upstreamAuthority.certManagerNamespace;
    if (certManagerNamespace !== undefined) {
      // The chart puts this Role into the server's namespace even when the plugin's `namespace`
      // is another one; the plugin creates (and cleans up) its CertificateRequests in the plugin's
      // namespace, so that is where the permission is needed.
      roleWithBinding(this, 'CertManager', {
        name: SPIRE_NAMES.serverCertManagerRole,
        namespace: certManagerNamespace,
        rules: [
          {
            apiGroups: ['cert-manager.io'],
            resources: ['certificaterequests', 'issuers'],
            verbs: ['list', 'get', 'create', 'delete', 'patch', 'update'],
          },
        ],
        subject: serviceAccount,
      });
    }
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
      { apiGroups: ['spire.spiffe.io'], resources: [resource], verbs: allVerbs },
      { apiGroups: ['spire.spiffe.io'], resources: [`${resource}/finalizers`], verbs: ['update'] },
      { apiGroups: ['spire.spiffe.io'], resources: [`${resource}/status`], verbs: ['get', 'patch', 'update'] },
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

    // --- services -------------------------------------------------------------------------------
    new k8s.KubeService(this, 'Service', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        ports: [{ name: 'grpc', port: SPIRE_PORTS.serverService, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP' }],
        selector,
      },
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
        selector,
      },
    });

    // --- the StatefulSet --------------------------------------------------------------------------
    const component = { [SPIRE_LABELS.component]: 'server' };
    const upstreamVolumes = this.upstreamAuthority.serverVolumes();
    const healthz = k8s.IntOrString.fromString('healthz');
    this.resource = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns, labels: { ...labels, ...component } },
      spec: {
        replicas: 1,
        serviceName: SPIRE_NAMES.server,
        selector: { matchLabels: { ...selector, ...component } },
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/default-container': 'spire-server',
              // sha256 of the rendered configs, so that the pod rolls when a config changes.
              'checksum/config': configChecksum(this.configText),
              'checksum/config3': configChecksum(this.controllerManagerConfigText),
            },
            labels: {
              ...selector,
              ...component,
              // Labels the chart's own ClusterSPIFFEIDs (child-servers type) select on.
              component: 'server',
              release: SPIRE_RELEASE,
              'release-namespace': ns,
            },
          },
          spec: {
            serviceAccountName: SPIRE_NAMES.server,
            // The controller manager reaches the server's API socket through the shared emptyDir;
            // the shared process namespace is the chart's.
            shareProcessNamespace: true,
            securityContext: { runAsUser: 1000, runAsGroup: 1000 },
            initContainers: [
              {
                // The PVC is created root-owned; the server runs as 1000:1000.
                name: 'chown',
                image: images.initBash,
                imagePullPolicy: 'Always',
                command: ['bash', '-c'],
                args: ['chown -R 1000:1000 /var/lib/spire'],
                volumeMounts: [{ name: 'spire-data', mountPath: '/var/lib/spire' }],
                securityContext: { runAsUser: 0, runAsGroup: 0 },
              },
            ],
            containers: [
              {
                name: 'spire-server',
                image: images.server,
                imagePullPolicy: 'IfNotPresent',
                args: ['-expandEnv', '-config', `${SPIRE_PATHS.serverConfigDir}/${SPIRE_CONFIG_KEYS.server}`],
                env: [{ name: 'PATH', value: '/opt/spire/bin:/bin' }],
                ports: [
                  { name: 'grpc', containerPort: SPIRE_PORTS.serverGrpc, protocol: 'TCP' },
                  { name: 'healthz', containerPort: SPIRE_PORTS.serverHealth },
                ],
                livenessProbe: {
                  httpGet: { path: '/live', port: healthz },
                  failureThreshold: 2,
                  initialDelaySeconds: 15,
                  periodSeconds: 60,
                  timeoutSeconds: 3,
                },
                readinessProbe: { httpGet: { path: '/ready', port: healthz }, initialDelaySeconds: 5, periodSeconds: 5 },
                volumeMounts: [
                  { name: 'spire-server-socket', mountPath: SPIRE_PATHS.serverSocketDir, readOnly: false },
                  { name: 'spire-config', mountPath: SPIRE_PATHS.serverConfigDir, readOnly: true },
                  { name: 'spire-data', mountPath: SPIRE_PATHS.serverDataDir, readOnly: false },
                  ...upstreamVolumes.map((v) => v.mount),
                  { name: 'server-tmp', mountPath: '/tmp', readOnly: false },
                ],
              },
              {
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
                  { name: 'spire-server-socket', mountPath: SPIRE_PATHS.serverSocketDir, readOnly: true },
                  {
                    name: 'controller-manager-config',
                    mountPath: `/${SPIRE_CONFIG_KEYS.controllerManager}`,
                    subPath: SPIRE_CONFIG_KEYS.controllerManager,
                    readOnly: true,
                  },
                  { name: 'spire-controller-manager-tmp', mountPath: '/tmp', subPath: 'spire-controller-manager', readOnly: false },
                ],
              },
            ],
            volumes: [
              { name: 'server-tmp', emptyDir: {} },
              { name: 'spire-config', configMap: { name: SPIRE_NAMES.server } },
              { name: 'spire-server-socket', emptyDir: {} },
              { name: 'spire-controller-manager-tmp', emptyDir: {} },
              ...upstreamVolumes.map((v) => v.volume),
              { name: 'controller-manager-config', configMap: { name: SPIRE_NAMES.controllerManager } },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'spire-data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
          },
        ],
      },
    });

    // --- the controller manager's webhooks ------------------------------------------------------
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
      rules: [{ apiGroups: ['spire.spiffe.io'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [resource] }],
      sideEffects: 'None',
    });
    new k8s.KubeValidatingWebhookConfiguration(this, 'Webhook', {
      metadata: { name: SPIRE_NAMES.controllerManagerWebhook },
      webhooks: [
        webhook('vclusterfederatedtrustdomain.kb.io', 'clusterfederatedtrustdomains', 'clusterfederatedtrustdomain'),
        webhook('vclusterspiffeid.kb.io', 'clusterspiffeids', 'clusterspiffeid'),
      ],
    });
  }
}
