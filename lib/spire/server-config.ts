/**
 * spire-server's `server.conf` as a pure function of its inputs, with the settings chart 0.24.2 writes
 * (spiffe/helm-charts-hardened charts/spire/charts/spire-server/templates/configmap.yaml).
 */
import { DEFAULT_BUNDLE_REFRESH_HINT, DEFAULT_SPIRE_CA_TTL } from '../spec';
import { LogLevel } from './choices';
import { SpireServerConfig, SpireServerFederationSection, spireHealthChecks } from './config';
import { SPIRE_NAMES, SPIRE_PATHS, SPIRE_PORTS, SPIRE_PSAT_AUDIENCE } from './names';
import { UpstreamAuthority } from './upstream-authority';

/** `ca_subject` of SPIRE's own CA certificates. */
export interface SpireCaSubject {
  readonly country: string;
  readonly organization: string;
  readonly commonName: string;
}

/** The chart's default `ca_subject` (charts/spire-server/values.yaml `caSubject`, chart 0.24.2). */
export const CHART_CA_SUBJECT: SpireCaSubject = { country: 'ARPA', organization: 'Example', commonName: 'example.org' };

/** What `server.conf` depends on. */
export interface SpireServerConfigInput {
  /** SPIFFE trust domain of the server. */
  readonly trustDomain: string;
  /** Cluster name of the k8s_psat node attestor (the agents attest with the same name). */
  readonly clusterName: string;
  /** The UpstreamAuthority plugin. */
  readonly upstreamAuthority: UpstreamAuthority;
  /**
   * `log_level`.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
  /**
   * Subject of SPIRE's CA certificates.
   * @default CHART_CA_SUBJECT (the chart's default)
   */
  readonly caSubject?: SpireCaSubject;
  /**
   * `ca_ttl`: lifetime of the server's signing CA (Go duration).
   * @default DEFAULT_SPIRE_CA_TTL ('24h', the chart's `caTTL`)
   */
  readonly caTtl?: string;
  /**
   * Serve the SPIFFE bundle endpoint to other trust domains, with this settings.
   * @default - no bundle endpoint
   */
  readonly bundleEndpoint?: SpireBundleEndpointInput;
}

/** The bundle endpoint of `server.conf`. */
export interface SpireBundleEndpointInput {
  /**
   * `refresh_hint`: how often federated servers fetch the bundle again (Go duration).
   * @default DEFAULT_BUNDLE_REFRESH_HINT ('5m', the chart's `federation.bundleEndpoint.refreshHint`)
   */
  readonly refreshHint?: string;
}

/**
 * `server.federation` as the chart writes it for `federation.enabled: true` with its default `federation.tls.spire.enabled`
 * (charts/spire-server/templates/configmap.yaml and values.yaml, chart 0.24.2): listen on every address at 8443 with the
 * `https_spiffe` profile, so the endpoint presents the server's own X509-SVID (`spiffe://<td>/spire/server`), which
 * federated servers check against the bundle they hold for this trust domain.
 */
export function spireServerFederation(input: SpireBundleEndpointInput): SpireServerFederationSection {
  return {
    bundle_endpoint: {
      address: '0.0.0.0',
      port: SPIRE_PORTS.bundleEndpoint,
      refresh_hint: input.refreshHint ?? DEFAULT_BUNDLE_REFRESH_HINT,
      profile: [{ https_spiffe: {} }],
    },
  };
}

/**
 * `server.conf`: sqlite datastore and keys on the data volume, k8s_psat attestation of the agents' ServiceAccount,
 * the k8sbundle notifier filling the bundle ConfigMap, the given UpstreamAuthority and, when asked, the bundle endpoint.
 */
export function spireServerConfig(input: SpireServerConfigInput): SpireServerConfig {
  const { trustDomain, clusterName } = input;
  const subject = input.caSubject ?? CHART_CA_SUBJECT;
  const dataDir = SPIRE_PATHS.serverDataDir;
  return {
    server: {
      bind_address: '0.0.0.0',
      bind_port: String(SPIRE_PORTS.serverGrpc),
      trust_domain: trustDomain,
      data_dir: dataDir,
      log_level: (input.logLevel ?? LogLevel.INFO).value,
      jwt_issuer: `https://oidc-discovery.${trustDomain}`,
      audit_log_enabled: false,
      ca_key_type: 'rsa-2048',
      ca_ttl: input.caTtl ?? DEFAULT_SPIRE_CA_TTL,
      default_x509_svid_ttl: '4h',
      default_jwt_svid_ttl: '1h',
      ca_subject: [{ country: [subject.country], organization: [subject.organization], common_name: subject.commonName }],
      ...(input.bundleEndpoint ? { federation: spireServerFederation(input.bundleEndpoint) } : {}),
    },
    plugins: {
      DataStore: {
        sql: {
          plugin_data: {
            database_type: 'sqlite3',
            connection_string: `${dataDir}/datastore.sqlite3`,
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
                [clusterName]: {
                  service_account_allow_list: [`${SPIRE_NAMES.namespace}:${SPIRE_NAMES.agent}`],
                  audience: [SPIRE_PSAT_AUDIENCE],
                  allowed_node_label_keys: [],
                  allowed_pod_label_keys: [],
                },
              },
            ],
          },
        },
      },
      KeyManager: { disk: { plugin_data: { keys_path: `${dataDir}/keys.json` } } },
      Notifier: { k8sbundle: { plugin_data: { namespace: SPIRE_NAMES.namespace, config_map: SPIRE_NAMES.bundleConfigMap } } },
      UpstreamAuthority: input.upstreamAuthority.renderPlugin(),
    },
    health_checks: spireHealthChecks(SPIRE_PORTS.serverHealth),
  };
}
