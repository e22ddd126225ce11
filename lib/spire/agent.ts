/**
 * spire-agent on every node, as chart 0.24.2 renders it with the values of the documented install
 * (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/: ztunnel as authorized delegate, admin socket on the
 * node, tolerations; spiffe/helm-charts-hardened charts/spire/charts/spire-agent/templates/{daemonset,configmap,roles}.yaml).
 */
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { DataplaneMode, Finding } from '../spec';
import { LogLevel } from './choices';
import { SpireAgentConfig, SpireAgentSdsSection, configChecksum, renderSpireConfig, spireHealthChecks } from './config';
import { SpireImages, resolveSpireImages } from './images';
import {
  SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH,
  SPIRE_CONFIG_KEYS,
  SPIRE_LABELS,
  SPIRE_NAMES,
  SPIRE_PATHS,
  SPIRE_PORTS,
  SPIRE_PSAT_AUDIENCE,
  SPIRE_SERVER_ADDRESS,
  spireCommonLabels,
  spireSelectorLabels,
} from './names';
import { nodeSelectorOf, resourcesOf, tolerationsOf } from './pod-settings';
import { clusterRoleWithBinding, serviceAccountSubject } from './rbac';
import { clusterIdentityProblems, spiffeIdProblem, spireFinding, throwIfFindings } from './validation';

/**
 * Tolerations of spire-agent and spiffe-csi-driver in the documented install (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/):
 * run on every node, including tainted control-plane and critical-addon nodes, and stay during NoExecute taints.
 */
export const SPIRE_NODE_TOLERATIONS: readonly k8s.Toleration[] = [
  { effect: 'NoSchedule', operator: 'Exists' },
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { effect: 'NoExecute', operator: 'Exists' },
];

/**
 * The agent's SDS resource names for Envoy workloads that trust federated trust domains, as Istio's SPIRE integration
 * sets them (https://istio.io/latest/docs/ops/integrations/spire/#federation; the values of istio/istio
 * samples/security/spire-trust-domain-federation/spire-base.yaml `spire-agent.sds`). Envoy in Istio asks SDS for
 * `default` (its certificate) and `ROOTCA` (its validation context): naming the all-bundles resource `ROOTCA` hands
 * it the local bundle together with every federated one, and the string "null" keeps the local-only bundle from
 * taking that name. `disable_spiffe_cert_validation: false` keeps SPIRE's per-trust-domain SPIFFE validator in
 * that validation context (spiffe/spire doc/spire_agent.md "SDS configuration", v1.11.2).
 */
export const FEDERATED_SDS: SpireAgentSdsSection = {
  default_svid_name: 'default',
  default_bundle_name: 'null',
  default_all_bundles_name: 'ROOTCA',
  disable_spiffe_cert_validation: false,
};

export interface SpireAgentProps {
  /**
   * SPIFFE trust domain.
   * @default - the trust domain of the enclosing MeshCluster
   */
  readonly trustDomain?: string;
  /**
   * Cluster name of the k8s_psat node attestor; must equal the server's.
   * @default - the name of the enclosing MeshCluster
   */
  readonly clusterName?: string;
  /**
   * SPIFFE IDs allowed to use the Delegated Identity API on the admin socket.
   * @default - ambient clusters: [cluster.ztunnelSpiffeId] (ztunnel fetches its workloads' SVIDs as delegate); sidecar clusters: none
   */
  readonly authorizedDelegates?: readonly string[];
  /**
   * Serve the admin API at /tmp/spire-agent/private/admin.sock and expose its folder on the node
   * at /run/spire/agent/sockets/csi.spiffe.io/admin (where ztunnel looks for it).
   * @default - true when there are authorized delegates
   */
  readonly adminSocket?: boolean;
  /**
   * Serve Envoy workloads the federated bundles through SDS (`agent.sds` = FEDERATED_SDS). Envoy-based workloads
   * read it in both dataplane modes: sidecars and gateways, and in ambient clusters waypoints and gateways that
   * mount the Workload API socket; ztunnel does not (it reads bundles through the Delegated Identity API).
   * @default - true when the cluster's trust domain federates with another one (`mesh.federatesWith`)
   */
  readonly federatedSds?: boolean;
  /**
   * Pod tolerations.
   * @default SPIRE_NODE_TOLERATIONS
   */
  readonly tolerations?: readonly k8s.Toleration[];
  /**
   * Image overrides (`agent` and `initBash` are used here).
   * @default - the mesh's pinned images
   */
  readonly images?: SpireImages;
  /**
   * spire-agent `log_level`.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
}

/** The spire-agent DaemonSet (hostPID, hostNetwork), its ConfigMap, ServiceAccount and RBAC. */
export class SpireAgent extends Construct {
  /** The DaemonSet. */
  public readonly resource: k8s.KubeDaemonSet;
  public readonly trustDomain: string;
  public readonly clusterName: string;
  public readonly authorizedDelegates: readonly string[];
  /** Admin socket path on the node, when enabled. */
  public readonly adminSocketHostPath?: string;
  /** Whether `agent.sds` hands Envoy the federated bundles (FEDERATED_SDS). */
  public readonly federatedSds: boolean;
  /** `agent.conf` as an object and as the rendered text. */
  public readonly config: SpireAgentConfig;
  public readonly configText: string;

  public constructor(scope: Construct, id: string, props: SpireAgentProps = {}) {
    super(scope, id);
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const settings = cluster.overrides.spire?.agent;
    // The cluster's name, not the chart's 'example-cluster' default (see SpireServer).
    this.clusterName = props.clusterName ?? cluster.name;
    this.trustDomain = props.trustDomain ?? cluster.trustDomain;
    // ztunnel's SPIFFE ID is derived in the model (ClusterModel.ztunnelSpiffeId), never typed here.
    this.authorizedDelegates = [
      ...(props.authorizedDelegates ?? (cluster.dataplaneMode === DataplaneMode.AMBIENT ? [cluster.ztunnelSpiffeId] : [])),
    ];
    const adminSocket = props.adminSocket ?? this.authorizedDelegates.length > 0;
    this.federatedSds = props.federatedSds ?? mesh.federatesWith(this.trustDomain).length > 0;
    const subject = `SpireAgent '${this.node.path}'`;
    const delegateProblem = (d: string, i: number): Finding | undefined => {
      const field = `authorizedDelegates[${i}]`;
      const idProblem = spiffeIdProblem(field, d, { requirePath: true });
      if (idProblem || d.startsWith(`spiffe://${this.trustDomain}/`)) return idProblem;
      return spireFinding(
        field,
        `'${d}' is not in the agent's trust domain '${this.trustDomain}': a delegate gets its own identity from this SPIRE`,
        `use an ID of the form 'spiffe://${this.trustDomain}/...'`,
      );
    };
    throwIfFindings(subject, [
      ...clusterIdentityProblems(this.trustDomain, this.clusterName),
      ...this.authorizedDelegates.map(delegateProblem),
      !adminSocket && this.authorizedDelegates.length > 0
        ? spireFinding(
            'adminSocket',
            `false, but authorizedDelegates is [${this.authorizedDelegates.join(', ')}]: the Delegated Identity API is served on the admin socket`,
            'set adminSocket to true, or remove the authorized delegates',
          )
        : undefined,
    ]);

    const images = resolveSpireImages(mesh.spire, props.images);
    const ns = SPIRE_NAMES.namespace;
    const labels = spireCommonLabels('agent', mesh.spire.version);
    const component = { [SPIRE_LABELS.component]: 'default' };
    const selector = { ...spireSelectorLabels('agent'), ...component };

    this.config = {
      agent: {
        ...(adminSocket ? { admin_socket_path: `${SPIRE_PATHS.agentAdminSocketDir}/${SPIRE_PATHS.agentAdminSocketName}` } : {}),
        ...(this.authorizedDelegates.length > 0 ? { authorized_delegates: this.authorizedDelegates } : {}),
        data_dir: SPIRE_PATHS.agentDataDir,
        log_level: (props.logLevel ?? LogLevel.INFO).value,
        retry_bootstrap: true,
        ...(this.federatedSds ? { sds: FEDERATED_SDS } : {}),
        server_address: SPIRE_SERVER_ADDRESS,
        server_port: String(SPIRE_PORTS.serverService),
        socket_path: `${SPIRE_PATHS.agentSocketDir}/${SPIRE_PATHS.agentSocketName}`,
        trust_bundle_path: `${SPIRE_PATHS.agentBundleDir}/${SPIRE_NAMES.bundleConfigMapKey}`,
        trust_domain: this.trustDomain,
      },
      plugins: {
        // token_path defaults to /var/run/secrets/tokens/spire-agent: the projected token below.
        NodeAttestor: { k8s_psat: { plugin_data: { cluster: this.clusterName } } },
        KeyManager: { memory: { plugin_data: null } },
        WorkloadAttestor: {
          k8s: {
            plugin_data: {
              skip_kubelet_verification: true,
              disable_container_selectors: false,
              use_new_container_locator: true,
              verbose_container_locator_logs: false,
            },
          },
        },
      },
      health_checks: spireHealthChecks(SPIRE_PORTS.agentHealth),
    };
    this.configText = renderSpireConfig(this.config);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: SPIRE_NAMES.agent, namespace: ns, labels } });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: SPIRE_NAMES.agent, namespace: ns },
      data: { [SPIRE_CONFIG_KEYS.agent]: this.configText },
    });
    clusterRoleWithBinding(this, 'Agent', {
      name: SPIRE_NAMES.agent,
      rules: [{ apiGroups: [''], resources: ['pods', 'nodes', 'nodes/proxy'], verbs: ['get'] }],
      subject: serviceAccountSubject(SPIRE_NAMES.agent, ns),
    });

    if (adminSocket) this.adminSocketHostPath = SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH;
    const healthz = k8s.IntOrString.fromString('healthz');
    const socketName = SPIRE_PATHS.agentSocketName;
    // Makes the alternate names of the Workload API socket symlinks to it in the node folder
    // (dropping wrong links), and removes a symlink that would stand where the socket goes.
    const alternateNamesScript = [
      `cd ${SPIRE_PATHS.agentSocketHostDir}`,
      `for name in ${SPIRE_PATHS.agentSocketAlternateNames.join(' ')}; do`,
      `  if [ "$(readlink "$name")" != "${socketName}" ]; then rm -f "$name"; fi`,
      `  if [ ! -L "$name" ]; then ln -s ${socketName} "$name"; fi`,
      'done',
      `if [ -L ${socketName} ]; then rm -f ${socketName}; fi`,
      'exit 0',
    ].join('\n');

    this.resource = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: SPIRE_NAMES.agent, namespace: ns, labels: { ...labels, ...component } },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/default-container': 'spire-agent',
              // sha256 of agent.conf, so that agents roll when it changes.
              'checksum/config': configChecksum(this.configText),
            },
            labels: selector,
          },
          spec: {
            // hostPID: the k8s workload attestor (and ztunnel's delegated attestation) resolves
            // callers by PID; hostNetwork: the agent serves health checks on the node.
            hostPid: true,
            hostNetwork: true,
            dnsPolicy: 'ClusterFirstWithHostNet',
            serviceAccountName: SPIRE_NAMES.agent,
            initContainers: [
              {
                name: 'ensure-alternate-names',
                image: images.initBash,
                imagePullPolicy: 'Always',
                command: ['bash', '-xc'],
                args: [alternateNamesScript],
                volumeMounts: [{ name: 'spire-agent-socket-dir', mountPath: SPIRE_PATHS.agentSocketHostDir }],
                securityContext: { runAsUser: 0, runAsGroup: 0 },
              },
            ],
            containers: [
              {
                name: 'spire-agent',
                ...resourcesOf(settings),
                image: images.agent,
                imagePullPolicy: 'IfNotPresent',
                args: ['-config', `${SPIRE_PATHS.agentConfigDir}/${SPIRE_CONFIG_KEYS.agent}`],
                env: [{ name: 'PATH', value: '/opt/spire/bin:/bin' }],
                ports: [{ name: 'healthz', containerPort: SPIRE_PORTS.agentHealth }],
                volumeMounts: [
                  { name: 'spire-config', mountPath: SPIRE_PATHS.agentConfigDir, readOnly: true },
                  { name: 'spire-agent-persistence', mountPath: SPIRE_PATHS.agentDataDir },
                  ...(adminSocket
                    ? [{ name: 'spire-agent-admin-socket-dir', mountPath: SPIRE_PATHS.agentAdminSocketDir, readOnly: false }]
                    : []),
                  { name: 'spire-bundle', mountPath: SPIRE_PATHS.agentBundleDir, readOnly: true },
                  { name: 'spire-agent-socket-dir', mountPath: SPIRE_PATHS.agentSocketDir, readOnly: false },
                  { name: 'spire-token', mountPath: SPIRE_PATHS.agentTokenDir },
                ],
                livenessProbe: { httpGet: { path: SPIRE_PATHS.healthLivePath, port: healthz }, initialDelaySeconds: 15, periodSeconds: 60 },
                readinessProbe: {
                  httpGet: { path: SPIRE_PATHS.healthReadyPath, port: healthz },
                  initialDelaySeconds: 10,
                  periodSeconds: 30,
                },
              },
            ],
            // The cluster's tolerations replace the mesh-wide ones (clusters[].overrides.spire.agent).
            tolerations: tolerationsOf(settings, props.tolerations ?? SPIRE_NODE_TOLERATIONS),
            ...nodeSelectorOf(settings),
            volumes: [
              { name: 'spire-config', configMap: { name: SPIRE_NAMES.agent } },
              // The admin socket's folder on the node, where Solo's ztunnel mounts it (the chart's
              // sockets.admin.enabled + mountOnHost with hostBasePath /run/spire/agent/sockets).
              ...(adminSocket
                ? [
                    {
                      name: 'spire-agent-admin-socket-dir',
                      hostPath: { path: SPIRE_PATHS.agentAdminSocketHostDir, type: 'DirectoryOrCreate' },
                    },
                  ]
                : []),
              { name: 'spire-agent-persistence', emptyDir: {} },
              { name: 'spire-bundle', configMap: { name: SPIRE_NAMES.bundleConfigMap } },
              {
                name: 'spire-token',
                projected: {
                  sources: [
                    { serviceAccountToken: { path: SPIRE_PATHS.agentTokenFile, expirationSeconds: 7200, audience: SPIRE_PSAT_AUDIENCE } },
                  ],
                },
              },
              { name: 'spire-agent-socket-dir', hostPath: { path: SPIRE_PATHS.agentSocketHostDir, type: 'DirectoryOrCreate' } },
            ],
          },
        },
      },
    });
  }
}
