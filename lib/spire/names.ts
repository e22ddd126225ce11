/**
 * Names, paths and ports of the SPIRE install, each defined once.
 *
 * The values equal what the upstream `spire` chart 0.24.2 renders for the seed's install
 * (`helm install spire spire/spire -n spire-server`, spire-chart.md §1.1), so a cluster that was
 * installed with Helm can be taken over in place: object names, the controller manager's class
 * name and its entry ID prefix decide who owns what in the cluster and in SPIRE's datastore.
 * Every other module of lib/spire reads them from here; nothing is typed twice.
 */
import { SPIRE_NAMESPACE } from '../spec';

/** Helm release name of the seed's install (seed 001: `helm upgrade -i spire spire/spire`). */
export const SPIRE_RELEASE = 'spire';

/** Value of `app.kubernetes.io/instance` on every SPIRE object (the Helm release name). */
const INSTANCE = SPIRE_RELEASE;

/**
 * The controller manager's `className` and the `spec.className` of every ClusterSPIFFEID,
 * ClusterFederatedTrustDomain and ClusterStaticEntry: `<namespace>-<release>` as the chart derives
 * it (spire-chart.md §3.1). With `watchClassless: false` the controller manager ignores objects of
 * any other class, including class-less ones.
 */
export const SPIRE_CLASS_NAME = `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}`;

/** Object names (release `spire` in namespace `spire-server`, spire-chart.md §1.2). */
export const SPIRE_NAMES = {
  namespace: SPIRE_NAMESPACE,
  /** StatefulSet, its Service (`serviceName`), ServiceAccount and ConfigMap (`server.conf`). */
  server: `${SPIRE_RELEASE}-server`,
  /** ClusterRole/ClusterRoleBinding of the server's k8s_psat node attestor: `<namespace>-<server>`. */
  serverClusterRole: `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}-server`,
  /** Role/RoleBinding for the cert-manager UpstreamAuthority plugin: `<server>-cm`. */
  serverCertManagerRole: `${SPIRE_RELEASE}-server-cm`,
  /** The bundle ConfigMap that SPIRE's k8sbundle notifier patches, and its Role/RoleBinding. */
  bundleConfigMap: `${SPIRE_RELEASE}-bundle`,
  /** Key that the k8sbundle notifier writes (SPIRE's default `config_map_key`). */
  bundleConfigMapKey: 'bundle.crt',
  /** ConfigMap of the controller manager and the prefix of its RBAC objects. */
  controllerManager: `${SPIRE_RELEASE}-controller-manager`,
  controllerManagerLeaderElection: `${SPIRE_RELEASE}-controller-manager-leader-election`,
  controllerManagerClusterRole: `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}-controller-manager`,
  controllerManagerWebhookService: `${SPIRE_RELEASE}-controller-manager-webhook`,
  /** ValidatingWebhookConfiguration name; the controller manager patches its caBundle by this name. */
  controllerManagerWebhook: `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}-controller-manager-webhook`,
  /** DaemonSet, ServiceAccount, ConfigMap (`agent.conf`), ClusterRole and ClusterRoleBinding. */
  agent: `${SPIRE_RELEASE}-agent`,
  /** DaemonSet and ServiceAccount of the CSI driver. */
  csiDriver: `${SPIRE_RELEASE}-spiffe-csi-driver`,
  /** The CSIDriver object and the driver's plugin name. */
  csiPluginName: 'csi.spiffe.io',
  /** Names of the chart's ClusterSPIFFEIDs: `<namespace>-<release>-<key>`. */
  clusterSpiffeIdPrefix: `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}-`,
} as const;

/** Name of the config key in each ConfigMap. */
export const SPIRE_CONFIG_KEYS = {
  server: 'server.conf',
  agent: 'agent.conf',
  controllerManager: 'controller-manager-config.yaml',
} as const;

/** `app.kubernetes.io/*` labels as the chart sets them (without the Helm-only ones). */
export const SPIRE_LABELS = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  version: 'app.kubernetes.io/version',
  component: 'app.kubernetes.io/component',
} as const;

/** Selector labels of one subchart (`app.kubernetes.io/name` + `/instance`). */
export function spireSelectorLabels(appName: 'server' | 'agent' | 'spiffe-csi-driver'): Record<string, string> {
  return { [SPIRE_LABELS.name]: appName, [SPIRE_LABELS.instance]: INSTANCE };
}

/** Common labels of one subchart: the selector labels plus `app.kubernetes.io/version`. */
export function spireCommonLabels(appName: 'server' | 'agent' | 'spiffe-csi-driver', version: string): Record<string, string> {
  return { ...spireSelectorLabels(appName), [SPIRE_LABELS.version]: version };
}

/** Paths inside the containers and on the nodes (spire-chart.md §1.3, §2.3). */
export const SPIRE_PATHS = {
  /** Server: config folder (ConfigMap spire-server), data folder (PVC spire-data), API socket folder. */
  serverConfigDir: '/run/spire/config',
  serverDataDir: '/run/spire/data',
  serverSocketDir: '/tmp/spire-server/private',
  /** The server API socket that the controller manager uses (SPIRE's default `socket_path`). */
  serverSocket: '/tmp/spire-server/private/api.sock',
  /** Where the `upstream-ca` Secret is mounted for the disk UpstreamAuthority. */
  upstreamCaDir: '/run/spire/upstream_ca',
  /** Agent: config folder, data folder, bundle folder, token folder. */
  agentConfigDir: '/opt/spire/conf/agent',
  agentDataDir: '/var/lib/spire',
  agentBundleDir: '/run/spire/bundle',
  agentTokenDir: '/var/run/secrets/tokens',
  /** File of the projected token: the k8s_psat agent plugin's default `token_path` is `<agentTokenDir>/spire-agent`. */
  agentTokenFile: 'spire-agent',
  /** Agent Workload API socket: in the container, and its folder on the node (shared with the CSI driver). */
  agentSocketDir: '/tmp/spire-agent/public',
  agentSocketName: 'spire-agent.sock',
  agentSocketHostDir: '/run/spire/agent-sockets',
  /** Other names of the Workload API socket on the node (Istio's sidecar template mounts `socket`). */
  agentSocketAlternateNames: ['socket', 'api.sock'] as readonly string[],
  /** Agent admin socket (Delegated Identity API for ztunnel): in the container. */
  agentAdminSocketDir: '/tmp/spire-agent/private',
  agentAdminSocketName: 'admin.sock',
  /**
   * The admin socket's folder on the node: `<sockets.hostBasePath>/csi.spiffe.io/admin`. The Solo
   * ztunnel chart's `spire.adminSockHostPath` default is this folder (istio-ambient.md §4).
   */
  agentAdminSocketHostDir: '/run/spire/agent/sockets/csi.spiffe.io/admin',
  /** CSI driver: the kubelet's folder. */
  kubeletDir: '/var/lib/kubelet',
} as const;

/** The admin socket as ztunnel sees it on the node. */
export const SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH = `${SPIRE_PATHS.agentAdminSocketHostDir}/${SPIRE_PATHS.agentAdminSocketName}`;

/** Ports (spire-chart.md §1.3). */
export const SPIRE_PORTS = {
  serverGrpc: 8081,
  serverHealth: 8080,
  /** Port of the spire-server Service (and the agents' `server_port`). */
  serverService: 443,
  controllerManagerWebhook: 9443,
  controllerManagerMetrics: 8082,
  controllerManagerHealth: 8083,
  controllerManagerWebhookService: 443,
  agentHealth: 9982,
  csiRegistrarHealth: 9809,
} as const;

/** Audience of the agents' projected token and of the server's k8s_psat attestor. */
export const SPIRE_PSAT_AUDIENCE = 'spire-server';
