/**
 * Names, paths and ports of the SPIRE install, each defined once.
 *
 * The values equal what the spire chart 0.24.2 (spiffe/helm-charts-hardened, charts/spire) renders for
 * `helm upgrade -i spire spire/spire -n spire-server`, the install of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/,
 * so a cluster installed with Helm can be taken over in place: object names, the controller manager's class name and its
 * entry ID prefix decide who owns what in the cluster and in SPIRE's datastore. Every other module of lib/spire reads
 * them from here; nothing is typed twice.
 */
import { SPIRE_NAMESPACE } from '../spec';

/** Helm release name of the documented install (`helm upgrade -i spire spire/spire`). */
export const SPIRE_RELEASE = 'spire';

/** Value of `app.kubernetes.io/instance` on every SPIRE object (the Helm release name). */
const INSTANCE = SPIRE_RELEASE;

/**
 * The controller manager's `className` and the `spec.className` of every ClusterSPIFFEID,
 * ClusterFederatedTrustDomain and ClusterStaticEntry: `<namespace>-<release>`, the chart's default when
 * `controllerManager.className` is empty (charts/spire-server/templates/_helpers.tpl, chart 0.24.2). With
 * `watchClassless: false` the controller manager ignores objects of any other class, including class-less ones.
 */
export const SPIRE_CLASS_NAME = `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}`;

/** API group of the controller manager's custom resources and of its own config kind. */
export const SPIRE_API_GROUP = 'spire.spiffe.io';
/** API version of those custom resources and of `ControllerManagerConfig` (spire-controller-manager 0.6.0). */
export const SPIRE_API_VERSION = `${SPIRE_API_GROUP}/v1alpha1` as const;
/** API group of cert-manager's CertificateRequests and issuers. */
export const CERT_MANAGER_API_GROUP = 'cert-manager.io';

/** The CSI driver's plugin name (charts/spiffe-csi-driver/values.yaml `pluginName`, chart 0.24.2). */
const CSI_PLUGIN_NAME = 'csi.spiffe.io';

/** The server's fullname (`<release>-server`). */
const SERVER_NAME = `${SPIRE_RELEASE}-server`;

/** Object names: the chart's name helpers for release `spire` in namespace `spire-server`. */
export const SPIRE_NAMES = {
  namespace: SPIRE_NAMESPACE,
  /** StatefulSet, its Service (`serviceName`), ServiceAccount and ConfigMap (`server.conf`). */
  server: SERVER_NAME,
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
  csiPluginName: CSI_PLUGIN_NAME,
  /** Names of the chart's ClusterSPIFFEIDs: `<namespace>-<release>-<key>`. */
  clusterSpiffeIdPrefix: `${SPIRE_NAMESPACE}-${SPIRE_RELEASE}-`,
  /**
   * The Service that exposes the bundle endpoint to other trust domains: `<server>-federation`, the name the chart
   * gives the object that exposes it (its federation Ingress, charts/spire-server/templates/federation-ingress.yaml).
   */
  federationService: `${SERVER_NAME}-federation`,
  /** Name of the bundle endpoint's container and Service port (charts/spire-server/templates/{server-resource,service}.yaml). */
  federationPort: 'federation',
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

/** The agent's `sockets.hostBasePath` (charts/spire-agent/values.yaml, chart 0.24.2; the documented install sets the same). */
const AGENT_SOCKETS_HOST_BASE = '/run/spire/agent/sockets';

/** Paths inside the containers and on the nodes, as the chart's server and agent templates mount them. */
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
   * The admin socket's folder on the node: `<sockets.hostBasePath>/csi.spiffe.io/admin` (charts/spire-agent/templates/daemonset.yaml).
   * It is also the default `spire.adminSockHostPath` of Solo's ztunnel chart (manifests/charts/ztunnel/values.yaml).
   */
  agentAdminSocketHostDir: `${AGENT_SOCKETS_HOST_BASE}/${CSI_PLUGIN_NAME}/admin`,
  /** CSI driver: the kubelet's folder. */
  kubeletDir: '/var/lib/kubelet',
  /** HTTP paths of the server's and agent's health listener (`health_checks`), which the pod probes call. */
  healthLivePath: '/live',
  healthReadyPath: '/ready',
} as const;

/** The admin socket as ztunnel sees it on the node. */
export const SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH = `${SPIRE_PATHS.agentAdminSocketHostDir}/${SPIRE_PATHS.agentAdminSocketName}`;

/** Ports of the chart's containers and Services. */
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
  /** The server's SPIFFE bundle endpoint (`federation.bundleEndpoint.port`, charts/spire-server/values.yaml). */
  bundleEndpoint: 8443,
  csiRegistrarHealth: 9809,
} as const;

/** `<service>.<namespace>` of the spire-server Service: the address agents connect to. */
export const SPIRE_SERVER_ADDRESS = `${SPIRE_NAMES.server}.${SPIRE_NAMES.namespace}`;

/**
 * Path of the SPIFFE IDs the server's k8s_psat attestor gives agents, before `/<cluster>/<node UID>`
 * (spiffe/spire doc/plugin_agent_nodeattestor_k8s_psat.md, v1.11.2: `spiffe://<trust_domain>/spire/agent/k8s_psat/<cluster>/<node_UID>`).
 */
export const SPIRE_AGENT_ID_PATH_PREFIX = '/spire/agent/k8s_psat';

/** Path of the server's own SPIFFE ID (`spiffe://<trust domain>/spire/server`), the parent of node entries and aliases. */
export const SPIRE_SERVER_ID_PATH = '/spire/server';

/** SPIFFE ID of the SPIRE server of `trustDomain`. */
export function spireServerId(trustDomain: string): string {
  return `spiffe://${trustDomain}${SPIRE_SERVER_ID_PATH}`;
}

/** Audience of the agents' projected token and of the server's k8s_psat attestor. */
export const SPIRE_PSAT_AUDIENCE = 'spire-server';

/** Volume of the server pod that holds the server API socket; the controller manager sidecar mounts it read-only. */
export const SPIRE_SERVER_SOCKET_VOLUME = 'spire-server-socket';
