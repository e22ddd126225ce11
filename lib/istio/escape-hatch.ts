/**
 * The escape hatch of the Istio charts: values the typed models do not cover, mesh-wide
 * (`IstioComponentProps.extraValues`) or per cluster (`clusters[].overrides.istio`, merged over the
 * mesh-wide ones: see lib/spec/overrides.ts), merged over the derived values and listed for
 * reviewers. Both pass this one screen: values the model derives are refused, each naming the spec
 * field that sets it, so that nothing set here can make istiod, ztunnel, SPIRE and the gateways
 * disagree.
 */
import { Finding, SpiremeshError } from '../spec';
import { leafPaths, pathOverlaps, withoutPath } from './values/merge';
import { INJECT_TEMPLATES_ANNOTATION, SPIRE_GATEWAY_TEMPLATE_NAME, SPIRE_SIDECAR_TEMPLATE_NAME } from './values/spire-injection';

/** The Istio charts, by the key their values have in `IstioExtraValues` (`gateway`: Istio's gateway chart, per ingress gateway). */
export type IstioChartKey = 'base' | 'istiod' | 'cni' | 'ztunnel' | 'gateway';

/** Where screened values were declared: the mesh-wide escape hatch, or one cluster's overrides. */
export interface ExtraValuesOrigin {
  /** The spec or props path the values were given at, e.g. `components.istio.extraValues.istiod` or `clusters[1].overrides.istio.istiod`. */
  readonly path: string;
  /** How reviewers call that place in a fix, e.g. `extraValues` or `clusters[1].overrides.istio.istiod`. */
  readonly name: string;
}

/** The mesh-wide escape hatch of one chart (`components.istio.extraValues.<chart>`). */
export function meshExtraValuesOrigin(chart: IstioChartKey): ExtraValuesOrigin {
  return { path: `components.istio.extraValues.${chart}`, name: 'extraValues' };
}

/** One cluster's overrides of one chart (`clusters[<index>].overrides.istio.<chart>`, `gateways.<name>` for a gateway). */
export function clusterOverridesOrigin(clusterIndex: number, chart: string): ExtraValuesOrigin {
  const path = `clusters[${clusterIndex}].overrides.istio.${chart}`;
  return { path, name: path };
}

const GATEWAY_SPEC_FIX = 'set it on the gateway in clusters[].ingressGateways[]';

const ISTIO_DISTRIBUTION_FIX = 'set istio.distribution and istio.version (or clusters[].istioVersion)';
const PEERING_FIX = 'declare links between clusters (links[]); peering settings follow from them';
const SPIRE_TEMPLATES_FIX =
  'nothing: sidecar clusters inject the SPIRE Workload API socket into every proxy (the SPIRE integration is not optional)';

/** Values derived from the spec, per chart, with the spec field (or component) that sets them. */
const MODEL_OWNED_VALUES: Record<IstioChartKey, Record<string, string>> = {
  base: {
    defaultRevision: 'set clusters[].istioRevision',
    profile: 'set clusters[].dataplaneMode',
  },
  istiod: {
    'meshConfig.trustDomain': 'set clusters[].trustDomain (SPIRE issues identities in that trust domain)',
    'global.network': 'set clusters[].network',
    'global.multiCluster.clusterName': 'set clusters[].name',
    'global.meshID': 'set name (the mesh name is the mesh ID of every cluster)',
    'global.meshNetworks': 'set clusters[].network and clusters[].eastWestAddress; links[] decide which networks are listed',
    'meshConfig.trustDomainAliases':
      'declare federation (federation.relations) or links between the trust domains; the aliases follow from them',
    'global.hub': ISTIO_DISTRIBUTION_FIX,
    'global.tag': ISTIO_DISTRIBUTION_FIX,
    // The deployment reads `.Values.hub | default .Values.global.hub`, and `pilot.*` is copied to the
    // top level (istio/istio manifests/charts/istio-control/istio-discovery/templates, 1.29).
    hub: ISTIO_DISTRIBUTION_FIX,
    tag: ISTIO_DISTRIBUTION_FIX,
    'pilot.hub': ISTIO_DISTRIBUTION_FIX,
    'pilot.tag': ISTIO_DISTRIBUTION_FIX,
    license: 'set istio.license (IstioLicense.fromSecret(name, namespace))',
    'platforms.peering': PEERING_FIX,
    'env.ENABLE_PEERING_DISCOVERY': PEERING_FIX,
    'env.DISABLE_LEGACY_MULTICLUSTER': PEERING_FIX,
    'env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN': 'set clusters[].trustDomain',
    'pilot.env.ENABLE_PEERING_DISCOVERY': PEERING_FIX,
    'pilot.env.DISABLE_LEGACY_MULTICLUSTER': PEERING_FIX,
    'pilot.env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN': 'set clusters[].trustDomain',
    'gateways.spire': 'nothing: gateways always mount the SPIRE agent socket (the SPIRE integration is not optional)',
    // pilot.cni is copied to cni (templates/zzy_descope_legacy.yaml of the istiod chart, 1.29.1).
    'pilot.cni.enabled': 'set clusters[].istioCni (it also decides whether istio-cni is delivered)',
    'cni.enabled': 'set clusters[].istioCni (it also decides whether istio-cni is delivered)',
    [`sidecarInjectorWebhook.templates.${SPIRE_SIDECAR_TEMPLATE_NAME}`]: SPIRE_TEMPLATES_FIX,
    [`sidecarInjectorWebhook.templates.${SPIRE_GATEWAY_TEMPLATE_NAME}`]: SPIRE_TEMPLATES_FIX,
    'sidecarInjectorWebhook.defaultTemplates': `${SPIRE_TEMPLATES_FIX}; select your own templates per pod with the ${INJECT_TEMPLATES_ANNOTATION} annotation`,
    revision: 'set clusters[].istioRevision',
    profile: 'set clusters[].dataplaneMode',
  },
  cni: {
    'global.hub': ISTIO_DISTRIBUTION_FIX,
    'global.tag': ISTIO_DISTRIBUTION_FIX,
    hub: ISTIO_DISTRIBUTION_FIX,
    tag: ISTIO_DISTRIBUTION_FIX,
    revision: 'set clusters[].istioRevision',
    profile: 'set clusters[].dataplaneMode',
  },
  ztunnel: {
    network: 'set clusters[].network',
    'global.network': 'set clusters[].network',
    'multiCluster.clusterName': 'set clusters[].name',
    hub: ISTIO_DISTRIBUTION_FIX,
    tag: ISTIO_DISTRIBUTION_FIX,
    'global.hub': ISTIO_DISTRIBUTION_FIX,
    'global.tag': ISTIO_DISTRIBUTION_FIX,
    spire: 'nothing: the SPIRE agent socket path comes from the Spire component (SPIRE_PATHS)',
    'env.SKIP_VALIDATE_TRUST_DOMAIN': 'set clusters[].trustDomain (validation is skipped exactly when peers differ)',
    revision: 'set clusters[].istioRevision',
    profile: 'set clusters[].dataplaneMode',
  },
  // What gatewayValues derives, and the names the chart derives from the release that SPIRE's gateway registration
  // and Istio Gateway selectors rely on (values.yaml of istio/istio manifests/charts/gateway, 1.29.1: `name`,
  // `serviceAccount.name`, `labels`, `revision`, `service.type`, `service.ports`, `podAnnotations`).
  gateway: {
    name: 'nothing: the release, Deployment, Service and ServiceAccount are named after the gateway (clusters[].ingressGateways[].name), which its SPIFFE ID and selector use',
    'serviceAccount.name':
      'nothing: the ServiceAccount is named after the gateway, which its SPIFFE ID uses (clusters[].ingressGateways[].name)',
    labels: 'nothing: the selector labels follow from the gateway name (clusters[].ingressGateways[].name)',
    'service.type': `${GATEWAY_SPEC_FIX} (serviceType)`,
    'service.ports': `${GATEWAY_SPEC_FIX} (ports)`,
    [`podAnnotations.${INJECT_TEMPLATES_ANNOTATION}`]: SPIRE_TEMPLATES_FIX,
    revision: 'set clusters[].istioRevision',
  },
};

/**
 * Values that have no effect or are deprecated upstream, with the reason; they are dropped
 * from the escape hatch with a warning.
 */
const INEFFECTIVE_VALUES: Partial<Record<IstioChartKey, Record<string, string>>> = {
  istiod: {
    // istio/istio manifests/charts/istio-control/istio-discovery (1.29): no template reads .Values.pilot.cni.namespace.
    'pilot.cni.namespace': 'no istiod template reads it (istio/istio manifests/charts/istio-control/istio-discovery, 1.29)',
    'meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE':
      'deprecated since Istio 1.25 (validation warns); PILOT_ENABLE_IP_AUTOALLOCATE replaces it',
  },
};

/** Thrown when the escape hatch sets values the spec owns; lists every one with the field to set instead. */
export class ModelOwnedValueError extends SpiremeshError {
  public constructor(cluster: string, findings: readonly Finding[]) {
    super(`cluster ${cluster}: the Istio escape hatch sets values that the mesh spec derives; nothing was written:`, findings);
  }
}

/** What the escape hatch of one chart contributes. */
export interface ExtraValuesResult {
  /** The values to merge over the derived ones. */
  readonly values: Record<string, unknown>;
  /** Dotted paths of every value that came through the escape hatch (for reviewers). */
  readonly keys: readonly string[];
  /** Warnings about dropped values. */
  readonly warnings: readonly string[];
  /** Values refused because the model owns them. */
  readonly refused: readonly Finding[];
}

/**
 * Checks the extra values of one chart: refuses model-owned values, drops ineffective ones.
 * @param origin where the values were declared @default meshExtraValuesOrigin(chart)
 */
export function screenExtraValues(
  chart: IstioChartKey,
  extra: Record<string, unknown> = {},
  origin: ExtraValuesOrigin = meshExtraValuesOrigin(chart),
): ExtraValuesResult {
  const refused: Finding[] = [];
  const leaves = leafPaths(extra);
  for (const [owned, fix] of Object.entries(MODEL_OWNED_VALUES[chart])) {
    const hits = leaves.filter((leaf) => pathOverlaps(leaf, owned));
    if (hits.length > 0) {
      refused.push({
        severity: 'error',
        source: 'istio',
        subject: `${origin.path}.${hits[0]}`,
        message: `'${owned}' of the ${chart} chart is derived from the mesh spec`,
        fix: `remove it from ${origin.name} and ${fix}`,
      });
    }
  }
  let values = extra;
  const warnings: string[] = [];
  for (const [path, reason] of Object.entries(INEFFECTIVE_VALUES[chart] ?? {})) {
    if (leafPaths(values).some((p) => p === path || p.startsWith(`${path}.`))) {
      const where = origin.path === meshExtraValuesOrigin(chart).path ? '' : ` (${origin.path})`;
      warnings.push(`${chart} value '${path}'${where} was dropped: ${reason}`);
      values = withoutPath(values, path);
    }
  }
  return { values, keys: leafPaths(values), warnings, refused };
}
