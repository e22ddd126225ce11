import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { ChartRelease, DELIVERY_ORDER } from '../core/delivery';
import { addPrerequisite, createNamespaceCommand } from '../core/prerequisites';
import { addSynthWarning } from '../core/warnings';
import {
  DataplaneMode,
  Finding,
  GATEWAY_API_CRD_PATH,
  GATEWAY_API_REPOSITORY,
  ISTIO_NAMESPACE,
  IngressGatewayModel,
  IstioDistribution,
  MeshModel,
  SOLO_LICENSE_SECRET_KEY,
  SpiremeshError,
  UPSTREAM_EASTWEST_GATEWAY_NAME,
} from '../spec';
import { ExtraValuesResult, IstioChartKey, ModelOwnedValueError, clusterOverridesOrigin, screenExtraValues } from './escape-hatch';
import {
  BaseValues,
  CniValues,
  ExtraValues,
  GatewayValues,
  IstiodValues,
  ZtunnelValues,
  baseValues,
  cniValues,
  gatewayValues,
  istiodValues,
  leafPaths,
  mergeValues,
  ztunnelValues,
} from './values';

export { GATEWAY_API_CRD_PATH, GATEWAY_API_REPOSITORY };
/** Id of the Gateway API CRDs' manifest source in the cluster's delivery. */
const GATEWAY_API_SOURCE_ID = 'gateway-api-crds';

/** Istio's gateway chart (istio/istio manifests/charts/gateway), published as `gateway` in the upstream and the Solo repositories. */
export const INGRESS_GATEWAY_CHART = 'gateway';

/** Thrown when an ingress gateway's release id (its name) is taken by another gateway or by another release or source of the cluster. */
export class IngressGatewayNameError extends SpiremeshError {
  public constructor(cluster: string, findings: readonly Finding[]) {
    super(`cluster ${cluster}: ingress gateway names must be unique in the cluster; nothing was written:`, findings);
  }
}

function checkIngressGatewayIds(cluster: string, gateways: readonly IngressGatewayModel[], reserved: ReadonlySet<string>): void {
  const findings: Finding[] = [];
  const seen = new Map<string, IngressGatewayModel>();
  gateways.forEach((g, i) => {
    const subject = `ingressGateways[${i}].name`;
    const first = seen.get(g.name);
    if (reserved.has(g.name)) {
      findings.push({
        severity: 'error',
        source: 'istio',
        subject,
        message: `ingress gateway '${g.namespace}/${g.name}' has the id of the cluster's release or source '${g.name}': the gateway's name is its release id`,
        fix: `rename the gateway, e.g. '${g.name}-ingress'`,
      });
    } else if (first) {
      findings.push({
        severity: 'error',
        source: 'istio',
        subject,
        message: `ingress gateways '${first.namespace}/${g.name}' and '${g.namespace}/${g.name}' share a name: a gateway's name is its release id, which is unique per cluster`,
        fix: `rename one of them, e.g. '${g.name}-${g.namespace}'`,
      });
    } else seen.set(g.name, g);
  });
  if (findings.length > 0) throw new IngressGatewayNameError(cluster, findings);
}

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
   * values; every key is listed on the delivered object for reviewers. Values the spec derives
   * (trust domain, network, cluster name, hub/tag, license, SPIRE socket paths, peering) are
   * refused with the spec field to set instead. A cluster's `clusters[].overrides.istio` is merged
   * over these for that cluster (lib/spec/overrides.ts states the merge rule).
   * @default - none
   */
  readonly extraValues?: IstioExtraValues;
}

/** An ingress gateway's release, with the gateway it delivers. */
export interface IngressGatewayRelease extends ChartRelease<GatewayValues> {
  readonly gateway: IngressGatewayModel;
}

/** The Istio releases of one cluster, with their typed values as delivered. */
export interface IstioReleases {
  readonly base: ChartRelease<BaseValues>;
  readonly istiod: ChartRelease<IstiodValues>;
  /**
   * The istio-cni node agent (chart `cni`): every ambient cluster, and sidecar clusters whose `istioCni` is true
   * (istiod's `pilot.cni.enabled` says the same; without istio-cni the injector adds the privileged `istio-init`).
   */
  readonly cni?: ChartRelease<CniValues>;
  /** Ambient clusters only. */
  readonly ztunnel?: ChartRelease<ZtunnelValues>;
  /** One release of the `gateway` chart per `cluster.ingressGateways` entry, in spec order (both dataplane modes). */
  readonly ingressGateways: readonly IngressGatewayRelease[];
}

/**
 * Istio for one cluster: the Helm releases of Solo's ambient install (base, istiod, cni,
 * ztunnel; https://docs.solo.io/gloo-mesh/main/ambient/install/helm/) or of Istio's sidecar install
 * (base, istiod, optionally cni: https://istio.io/latest/docs/setup/install/helm/), with typed values
 * derived from the spec, plus one `gateway` chart release per ingress gateway and the Gateway API CRDs
 * they need, handed to the cluster's delivery. The namespace of every ingress gateway is declared too.
 */
export class Istio extends MeshComponent {
  /** The Istio component of a cluster, if it has one. */
  public static of(cluster: MeshCluster): Istio | undefined {
    return cluster.node.children.find((c): c is Istio => c instanceof Istio);
  }

  /** The delivered releases with their typed values (extra values merged in). */
  public readonly releases: IstioReleases;

  public constructor(scope: Construct, id: string, props: IstioComponentProps = {}) {
    super(scope, id, { componentName: 'istio' });
    const meshCluster = MeshCluster.enclosing(this);
    const { mesh, cluster } = meshCluster;
    const repository = {
      url: cluster.istio.distribution === IstioDistribution.SOLO ? `oci://${cluster.istio.helmRepository}` : cluster.istio.helmRepository,
    };
    // The mesh-wide escape hatch, then the cluster's overrides over it (the merge rule of lib/spec/overrides.ts); both
    // through the one screen, so a model-owned value is refused wherever it is set, naming where it was set.
    const clusterIndex = mesh.clusters.indexOf(cluster);
    const overrides = cluster.overrides.istio ?? {};
    const screenBoth = (chart: Exclude<IstioChartKey, 'gateway'>): ExtraValuesResult[] => [
      screenExtraValues(chart, props.extraValues?.[chart] as Record<string, unknown> | undefined),
      screenExtraValues(chart, overrides[chart] as Record<string, unknown> | undefined, clusterOverridesOrigin(clusterIndex, chart)),
    ];
    const layers = {
      base: screenBoth('base'),
      istiod: screenBoth('istiod'),
      cni: screenBoth('cni'),
      ztunnel: screenBoth('ztunnel'),
    };
    const gatewayLayers = new Map(
      Object.entries(overrides.gateways ?? {}).map(([name, values]) => [
        name,
        [screenExtraValues('gateway', values as Record<string, unknown>, clusterOverridesOrigin(clusterIndex, `gateways.${name}`))],
      ]),
    );
    const all = [...Object.values(layers), ...gatewayLayers.values()].flat();
    const refused = all.flatMap((x) => x.refused);
    if (refused.length > 0) throw new ModelOwnedValueError(cluster.name, refused);
    for (const x of all) for (const w of x.warnings) addSynthWarning(this, `cluster ${cluster.name}: ${w}`);
    const screened = {
      base: mergedExtra(layers.base),
      istiod: mergedExtra(layers.istiod),
      cni: mergedExtra(layers.cni),
      ztunnel: mergedExtra(layers.ztunnel),
    };

    const release = <V extends object>(
      id: string,
      chart: keyof typeof screened,
      chartName: string,
      order: number,
      derived: V,
    ): ChartRelease<V> => {
      const extra = screened[chart];
      const delivered: ChartRelease<V> = {
        id,
        chart: chartName,
        repository,
        version: cluster.istio.chartVersion,
        // The release names of Solo's Helm install: istio-base, istiod, istio-cni, ztunnel.
        releaseName: id,
        namespace: ISTIO_NAMESPACE,
        values: mergeValues(derived, extra.values),
        extraValueKeys: extra.keys,
        order,
      };
      meshCluster.delivery.addRelease(delivered);
      return delivered;
    };
    if (cluster.istio.distribution === IstioDistribution.SOLO) recordLicensePrerequisite(this, mesh);
    const ambient = cluster.dataplaneMode === DataplaneMode.AMBIENT;
    const base = release('istio-base', 'base', 'base', DELIVERY_ORDER.istioBase, baseValues(cluster));
    const istiod = release('istiod', 'istiod', 'istiod', DELIVERY_ORDER.istiod, istiodValues(mesh, cluster));
    const cni = cluster.istioCni ? release('istio-cni', 'cni', 'cni', DELIVERY_ORDER.istioCni, cniValues(cluster)) : undefined;
    const ztunnel = ambient ? release('ztunnel', 'ztunnel', 'ztunnel', DELIVERY_ORDER.ztunnel, ztunnelValues(mesh, cluster)) : undefined;
    // Release and source ids are one namespace per cluster: the ones delivered so far (SPIRE's, Istio's) and the CRD source below.
    const { delivery } = meshCluster;
    const reservedIds = new Set([
      ...delivery.releases.map((r) => r.id),
      ...delivery.manifestSources.map((m) => m.id),
      GATEWAY_API_SOURCE_ID,
      // Delivered after Istio by the multicluster component of a linked community Istio cluster.
      UPSTREAM_EASTWEST_GATEWAY_NAME,
    ]);
    checkIngressGatewayIds(cluster.name, cluster.ingressGateways, reservedIds);
    const ingressGateways = cluster.ingressGateways.map((gateway): IngressGatewayRelease => {
      const extra = mergedExtra(gatewayLayers.get(gateway.name) ?? []);
      // The gateway's pods are injected by istiod whatever the namespace's labels: they carry
      // `sidecar.istio.io/inject: "true"`, which the `object.sidecar-injector.istio.io` webhook selects in namespaces
      // without `istio-injection` / `istio.io/rev` labels (templates/mutatingwebhook.yaml of the istiod chart, 1.29.1);
      // the namespace only must not say `istio-injection: disabled` (README.md of the gateway chart). So it gets no label.
      meshCluster.namespaces.addNamespace(gateway.namespace);
      const delivered: IngressGatewayRelease = {
        // The gateway's name: unique per cluster (checked above), and the release, Deployment, Service and ServiceAccount name.
        id: gateway.name,
        chart: INGRESS_GATEWAY_CHART,
        repository,
        version: cluster.istio.chartVersion,
        releaseName: gateway.name,
        namespace: gateway.namespace,
        values: mergeValues(gatewayValues(cluster, gateway), extra.values),
        ...(extra.keys.length > 0 ? { extraValueKeys: extra.keys } : {}),
        order: DELIVERY_ORDER.ingressGateways,
        gateway,
      };
      const { gateway: _model, ...chartRelease } = delivered;
      meshCluster.delivery.addRelease(chartRelease);
      return delivered;
    });
    this.releases = {
      base,
      istiod,
      ...(cni ? { cni } : {}),
      ...(ztunnel ? { ztunnel } : {}),
      ingressGateways,
    };
    meshCluster.delivery.addManifestSource({
      id: GATEWAY_API_SOURCE_ID,
      gitUrl: GATEWAY_API_REPOSITORY,
      path: GATEWAY_API_CRD_PATH,
      revision: cluster.istio.gatewayApiVersion,
      order: DELIVERY_ORDER.crds,
    });
  }
}

/** Screened layers of extra values, merged in order (later wins), with the leaf paths of the result for reviewers. */
function mergedExtra(layers: readonly ExtraValuesResult[]): { values: Record<string, unknown>; keys: readonly string[] } {
  const values = layers.reduce<Record<string, unknown>>((merged, layer) => mergeValues(merged, layer.values), {});
  return { values, keys: leafPaths(values) };
}

/**
 * The Solo license Secret the team creates when the spec references one (`IstioLicense.fromSecret`): Solo istiod reads
 * it through `SOLO_LICENSE_SECRET=<ns>/<name>` (the istiod chart's templates/deployment.yaml, 1.29.0-solo-snapshot) and
 * fails to start without a valid license (`SOLO_LICENSE_FAIL_OPEN` defaults to false, pkg/licensing/license.go of Solo's
 * Istio fork). Its namespace is created first, since the Secret must exist before istiod starts. A license built by an
 * ExternalSecret (`IstioLicense.fromExternalSecret`) is rendered by the CA delivery instead, whose store entry is the
 * prerequisite.
 */
function recordLicensePrerequisite(scope: Construct, mesh: MeshModel): void {
  const license = mesh.license;
  if (license?.kind !== 'secret' || license.externalSecret) return;
  const { name, namespace } = license.secretRef;
  addPrerequisite(scope, {
    key: `secret:${namespace}/${name}`,
    what: `the Secret ${namespace}/${name} with key \`${SOLO_LICENSE_SECRET_KEY}\`: the Solo license`,
    why: `istiod reads it (SOLO_LICENSE_SECRET=${namespace}/${name}) and does not start without a valid license; it is not rendered, since dist/ is committed`,
    command:
      `(${createNamespaceCommand(namespace)}) && ` +
      `kubectl --context <context> -n ${namespace} create secret generic ${name} --from-literal=${SOLO_LICENSE_SECRET_KEY}=<license>`,
  });
}
