/**
 * Istio for one cluster: the four Helm releases of seed 001 (base, istiod, cni, ztunnel) with
 * typed values derived from the spec, plus the Gateway API CRDs they need, handed to the
 * cluster's chart delivery. Ambient clusters get all four; sidecar clusters base and istiod.
 */
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { DELIVERY_ORDER } from '../delivery/release';
import { addSynthWarning } from '../core/warnings';
import { DataplaneMode, ISTIO_NAMESPACE, IstioDistribution } from '../spec';
import { ExtraValues, baseValues, cniValues, istiodValues, ztunnelValues } from './values';

/** Gateway API standard CRDs, pinned to the release matching the Istio minor (seed 001 applies standard-install.yaml). */
export const GATEWAY_API_REPOSITORY = 'https://github.com/kubernetes-sigs/gateway-api.git';
export const GATEWAY_API_CRD_PATH = 'config/crd/standard';

/** Values that spiremesh does not model, per chart; visible in review (`spiremesh.dev/extra-values`). */
export interface IstioExtraValues {
  readonly base?: ExtraValues;
  readonly istiod?: ExtraValues;
  readonly cni?: ExtraValues;
  readonly ztunnel?: ExtraValues;
}

export interface IstioComponentProps {
  /**
   * Escape hatch for chart values that the typed models do not cover. Merged over the derived
   * values; every key is listed on the delivered object for reviewers.
   * @default - none
   */
  readonly extraValues?: IstioExtraValues;
}

/**
 * Values that have no effect or are deprecated upstream (istio-ambient.md §3), with the reason;
 * they are dropped from the escape hatch with a warning.
 */
const INEFFECTIVE_VALUES: Record<string, Record<string, string>> = {
  istiod: {
    'pilot.cni.namespace': 'no istiod template reads it (istio-ambient.md §3)',
    'meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE':
      'deprecated since Istio 1.25 (validation warns); PILOT_ENABLE_IP_AUTOALLOCATE replaces it',
  },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Dotted paths of the leaves of `values`. */
export function leafPaths(values: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) =>
    isPlainObject(v) && Object.keys(v).length > 0 ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** Deep merge: `over` wins; arrays are replaced, not concatenated. */
export function mergeValues(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeValues(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function withoutPath(values: Record<string, unknown>, dotted: string): Record<string, unknown> {
  const [head, ...rest] = dotted.split('.');
  if (!(head in values)) return values;
  if (rest.length === 0) {
    const { [head]: _dropped, ...kept } = values;
    return kept;
  }
  const child = values[head];
  if (!isPlainObject(child)) return values;
  const pruned = withoutPath(child, rest.join('.'));
  // Drop parents left empty, so no empty object reaches the chart values.
  return Object.keys(pruned).length > 0 ? { ...values, [head]: pruned } : withoutPath(values, head);
}

export class Istio extends MeshComponent {
  public constructor(scope: Construct, id: string, props: IstioComponentProps = {}) {
    super(scope, id, { componentName: 'istio' });
    const meshCluster = MeshCluster.enclosing(this);
    const { mesh, cluster } = meshCluster;
    const repository = {
      url: cluster.istio.distribution === IstioDistribution.SOLO ? `oci://${cluster.istio.helmRepository}` : cluster.istio.helmRepository,
    };
    const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
    const charts: { id: string; chart: string; key: keyof IstioExtraValues; order: number; values: object }[] = [
      { id: 'istio-base', chart: 'base', key: 'base', order: DELIVERY_ORDER.istioBase, values: baseValues() },
      { id: 'istiod', chart: 'istiod', key: 'istiod', order: DELIVERY_ORDER.istiod, values: istiodValues(mesh, cluster) },
      ...(ambient
        ? [
            { id: 'istio-cni', chart: 'cni', key: 'cni' as const, order: DELIVERY_ORDER.istioCni, values: cniValues(cluster) },
            {
              id: 'ztunnel',
              chart: 'ztunnel',
              key: 'ztunnel' as const,
              order: DELIVERY_ORDER.ztunnel,
              values: ztunnelValues(mesh, cluster),
            },
          ]
        : []),
    ];
    for (const c of charts) {
      let extra = (props.extraValues?.[c.key] ?? {}) as Record<string, unknown>;
      for (const [path, reason] of Object.entries(INEFFECTIVE_VALUES[c.key] ?? {})) {
        if (leafPaths(extra).some((p) => p === path || p.startsWith(`${path}.`))) {
          addSynthWarning(this, `cluster ${cluster.name}: ${c.chart} value '${path}' was dropped: ${reason}`);
          extra = withoutPath(extra, path);
        }
      }
      meshCluster.deliveries.addRelease({
        id: c.id,
        chart: c.chart,
        repository,
        version: cluster.istio.chartVersion,
        // seed 001's release names: istio-base, istiod, istio-cni, ztunnel.
        releaseName: c.id,
        namespace: ISTIO_NAMESPACE,
        values: mergeValues(c.values as Record<string, unknown>, extra),
        extraValueKeys: leafPaths(extra),
        order: c.order,
      });
    }
    meshCluster.deliveries.addManifestSource({
      id: 'gateway-api-crds',
      gitUrl: GATEWAY_API_REPOSITORY,
      path: GATEWAY_API_CRD_PATH,
      revision: cluster.istio.gatewayApiVersion,
      order: DELIVERY_ORDER.crds,
    });
  }
}
