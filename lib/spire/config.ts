/**
 * Typed shapes of the three SPIRE config files and their renderers. Configs are built as
 * objects and serialized, never assembled from string templates:
 *
 * - `server.conf` and `agent.conf`: pretty JSON with keys sorted at every level (SPIRE reads
 *   JSON as HCL's JSON form), plugins in SPIRE's list form `{"NodeAttestor": [{"k8s_psat":
 *   {"plugin_data": {...}}}]}`, as the chart emits them (`spire-lib.reformat-and-yaml2json` in
 *   spiffe/helm-charts-hardened charts/spire/charts/spire-lib/templates/_helpers.tpl, chart 0.24.2);
 * - the controller manager's `controller-manager-config.yaml`: YAML of a
 *   `ControllerManagerConfig` object (charts/spire-server/templates/controller-manager-configmap.yaml).
 *
 * Field names are SPIRE's own (snake_case), so the interfaces read like SPIRE's documentation.
 */
import { createHash } from 'crypto';
import { stringify } from 'yaml';
import { sortKeysDeep } from '../spec';
import { SPIRE_API_VERSION, SPIRE_PATHS } from './names';

/** One plugin of a SPIRE config: its `plugin_data` (and, for external plugins, command and checksum). */
export interface SpirePlugin<D> {
  readonly plugin_data: D;
  readonly plugin_cmd?: string;
  readonly plugin_checksum?: string;
}

/** `health_checks` of server and agent. */
export interface SpireHealthChecks {
  readonly listener_enabled: boolean;
  readonly bind_address: string;
  readonly bind_port: string;
  readonly live_path: string;
  readonly ready_path: string;
}

/** `health_checks` of server and agent: the listener on all addresses at `port`, with the paths the pod probes call. */
export function spireHealthChecks(port: number): SpireHealthChecks {
  return {
    listener_enabled: true,
    bind_address: '0.0.0.0',
    bind_port: String(port),
    live_path: SPIRE_PATHS.healthLivePath,
    ready_path: SPIRE_PATHS.healthReadyPath,
  };
}

// ---------------------------------------------------------------------------------------------
// server.conf

export interface SpireCaSubjectEntry {
  readonly country: readonly string[];
  readonly organization: readonly string[];
  readonly common_name: string;
}

/**
 * The server's bundle endpoint profile in HCL's JSON form: `profile "https_spiffe" {}` is `[{"https_spiffe": {}}]`
 * (what the chart writes for `federation.tls.spire.enabled`, charts/spire-server/templates/configmap.yaml, chart 0.24.2):
 * the endpoint authenticates with the server's own X509-SVID.
 */
export type SpireBundleEndpointProfile = ReadonlyArray<{ readonly https_spiffe: Readonly<Record<string, never>> }>;

/** `server.federation.bundle_endpoint` (spiffe/spire doc/spire_server.md "Federation configuration", v1.11.2). */
export interface SpireBundleEndpointSection {
  readonly address: string;
  readonly port: number;
  /** How often federated servers should fetch the bundle again (a Go duration). */
  readonly refresh_hint: string;
  readonly profile: SpireBundleEndpointProfile;
}

/** `server.federation`: the bundle endpoint only; foreign trust domains come from ClusterFederatedTrustDomains. */
export interface SpireServerFederationSection {
  readonly bundle_endpoint: SpireBundleEndpointSection;
}

export interface SpireServerSection {
  readonly bind_address: string;
  readonly bind_port: string;
  readonly trust_domain: string;
  readonly data_dir: string;
  readonly log_level: string;
  readonly jwt_issuer: string;
  readonly audit_log_enabled: boolean;
  readonly ca_key_type: string;
  readonly ca_ttl: string;
  readonly default_x509_svid_ttl: string;
  readonly default_jwt_svid_ttl: string;
  readonly ca_subject: readonly SpireCaSubjectEntry[];
  /** Only on servers whose bundle other trust domains fetch. */
  readonly federation?: SpireServerFederationSection;
}

export interface SqlDataStoreData {
  readonly database_type: string;
  readonly connection_string: string;
  readonly max_open_conns: number;
  readonly max_idle_conns: number;
  readonly disable_migration: boolean;
}

/** One cluster of the server's k8s_psat node attestor. */
export interface K8sPsatClusterData {
  readonly service_account_allow_list: readonly string[];
  readonly audience: readonly string[];
  readonly allowed_node_label_keys: readonly string[];
  readonly allowed_pod_label_keys: readonly string[];
}

export interface K8sPsatServerData {
  /** A list of single-key maps: cluster name → settings. */
  readonly clusters: ReadonlyArray<Readonly<Record<string, K8sPsatClusterData>>>;
}

export interface DiskKeyManagerData {
  readonly keys_path: string;
}

export interface K8sBundleNotifierData {
  readonly namespace: string;
  readonly config_map: string;
}

/** SPIRE's `disk` UpstreamAuthority (spiffe/spire doc/plugin_server_upstreamauthority_disk.md, v1.11.2). */
export interface DiskUpstreamAuthorityData {
  readonly cert_file_path: string;
  readonly key_file_path: string;
  /** The upstream trust anchors; required when the upstream CA is not a self-signed root. */
  readonly bundle_file_path?: string;
}

/** SPIRE's `cert-manager` UpstreamAuthority (spiffe/spire doc/plugin_server_upstreamauthority_cert_manager.md, v1.11.2). */
export interface CertManagerUpstreamAuthorityData {
  readonly namespace: string;
  readonly issuer_name: string;
  readonly issuer_kind: string;
  readonly issuer_group: string;
}

export type UpstreamAuthorityPlugins =
  { readonly disk: SpirePlugin<DiskUpstreamAuthorityData> } | { readonly 'cert-manager': SpirePlugin<CertManagerUpstreamAuthorityData> };

export interface SpireServerPlugins {
  readonly DataStore: { readonly sql: SpirePlugin<SqlDataStoreData> };
  readonly NodeAttestor: { readonly k8s_psat: SpirePlugin<K8sPsatServerData> };
  readonly KeyManager: { readonly disk: SpirePlugin<DiskKeyManagerData> };
  readonly Notifier: { readonly k8sbundle: SpirePlugin<K8sBundleNotifierData> };
  readonly UpstreamAuthority?: UpstreamAuthorityPlugins;
}

/** `server.conf`. */
export interface SpireServerConfig {
  readonly server: SpireServerSection;
  readonly plugins: SpireServerPlugins;
  readonly health_checks: SpireHealthChecks;
}

// ---------------------------------------------------------------------------------------------
// agent.conf

/**
 * `agent.sds`: the names of the resources the agent serves through Envoy's SDS API
 * (spiffe/spire doc/spire_agent.md "SDS configuration", v1.11.2; the chart writes all four keys when `sds.enabled`,
 * charts/spire-agent/templates/configmap.yaml, chart 0.24.2).
 */
export interface SpireAgentSdsSection {
  /** Resource name of the workload's X509-SVID. */
  readonly default_svid_name: string;
  /** Resource name of the local trust domain's bundle alone. */
  readonly default_bundle_name: string;
  /** Resource name of the local bundle together with every federated bundle. */
  readonly default_all_bundles_name: string;
  readonly disable_spiffe_cert_validation: boolean;
}

export interface SpireAgentSection {
  /** Admin API socket; serves the Delegated Identity API to `authorized_delegates`. */
  readonly admin_socket_path?: string;
  readonly authorized_delegates?: readonly string[];
  readonly data_dir: string;
  readonly log_level: string;
  readonly retry_bootstrap: boolean;
  /** Only on agents whose Envoy workloads must receive federated bundles. */
  readonly sds?: SpireAgentSdsSection;
  readonly server_address: string;
  readonly server_port: string;
  readonly socket_path: string;
  readonly trust_bundle_path: string;
  readonly trust_domain: string;
}

export interface K8sPsatAgentData {
  readonly cluster: string;
}

export interface K8sWorkloadAttestorData {
  readonly skip_kubelet_verification: boolean;
  readonly disable_container_selectors: boolean;
  readonly use_new_container_locator: boolean;
  readonly verbose_container_locator_logs: boolean;
}

export interface SpireAgentPlugins {
  readonly NodeAttestor: { readonly k8s_psat: SpirePlugin<K8sPsatAgentData> };
  readonly KeyManager: { readonly memory: SpirePlugin<null> };
  readonly WorkloadAttestor: { readonly k8s: SpirePlugin<K8sWorkloadAttestorData> };
}

/** `agent.conf`. */
export interface SpireAgentConfig {
  readonly agent: SpireAgentSection;
  readonly plugins: SpireAgentPlugins;
  readonly health_checks: SpireHealthChecks;
}

// ---------------------------------------------------------------------------------------------
// controller-manager-config.yaml

/**
 * spire-controller-manager's `ControllerManagerConfig`, the fields spiremesh sets
 * (spiffe/spire-controller-manager api/v1alpha1/controllermanagerconfig_types.go, v0.6.0).
 */
export interface ControllerManagerConfig {
  readonly apiVersion: typeof SPIRE_API_VERSION;
  readonly kind: 'ControllerManagerConfig';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Readonly<Record<string, string>> };
  readonly metrics: { readonly bindAddress: string };
  readonly health: { readonly healthProbeBindAddress: string };
  readonly leaderElection: { readonly leaderElect: boolean; readonly resourceName: string; readonly resourceNamespace: string };
  readonly validatingWebhookConfigurationName: string;
  /** Prefix of the IDs of the entries this controller manager owns (`<prefix>.<uuid>`). */
  readonly entryIDPrefix: string;
  readonly clusterName: string;
  readonly trustDomain: string;
  /** Regular expressions of namespaces whose pods get no entries. */
  readonly ignoreNamespaces: readonly string[];
  readonly spireServerSocketPath: string;
  /** Only objects whose `spec.className` equals this are reconciled (see `watchClassless`). */
  readonly className: string;
  readonly watchClassless: boolean;
  readonly parentIDTemplate: string;
  readonly reconcile: {
    readonly clusterSPIFFEIDs: boolean;
    readonly clusterStaticEntries: boolean;
    readonly clusterFederatedTrustDomains: boolean;
  };
}

// ---------------------------------------------------------------------------------------------
// renderers

/** Plugins from `{Type: {name: plugin}}` to SPIRE's list form `{Type: [{name: plugin}]}`. */
function pluginsToListForm(plugins: object): Record<string, Array<Record<string, unknown>>> {
  const out: Record<string, Array<Record<string, unknown>>> = {};
  for (const [type, byName] of Object.entries(plugins)) {
    if (byName === undefined) continue;
    out[type] = Object.keys(byName)
      .sort()
      .map((name) => ({ [name]: (byName as Record<string, unknown>)[name] }));
  }
  return out;
}

/**
 * `server.conf` / `agent.conf` text: pretty JSON (2-space indent), keys sorted, plugins in list
 * form, ending in a newline.
 */
export function renderSpireConfig(config: SpireServerConfig | SpireAgentConfig): string {
  const listForm = { ...config, plugins: pluginsToListForm(config.plugins) };
  return `${JSON.stringify(sortKeysDeep(listForm), undefined, 2)}\n`;
}

/** `controller-manager-config.yaml` text (keys in declaration order, no line folding). */
export function renderControllerManagerConfig(config: ControllerManagerConfig): string {
  return stringify(config, { lineWidth: 0 });
}

/** sha256 (hex) of a rendered config: the value of a pod's `checksum/*` annotation. */
export function configChecksum(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
