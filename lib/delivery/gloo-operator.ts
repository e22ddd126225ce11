import { ApiObject, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { MeshCluster } from '../core/cluster';
import { ChartRelease, ManifestSource } from '../core/delivery';
import { addSynthWarning } from '../core/warnings';
import { ChartDeliveryMode, ClusterModel, DataplaneMode, ISTIO_NAMESPACE } from '../spec';
import { describeRelease, describeSource, helmInstallCommand, kustomizeRemote } from './_checks';
import { IChartDelivery, OrderedReleases } from './chart-delivery';
import {
  GLOO_CONTROLLER_API_VERSION,
  GLOO_CONTROLLER_KIND,
  GLOO_CONTROLLER_NAME,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_NAMESPACE,
  GLOO_ZTUNNEL_VALUES_KEY,
  ISTIO_CHARTS,
} from './names';

export interface GlooOperatorDeliveryProps {
  /** The cluster's releases in apply order, read when the extensions ConfigMap is rendered. */
  readonly orderedReleases: OrderedReleases;
  /**
   * Namespace of the Gloo Operator, where it reads `gloo-extensions-config`.
   * @default 'gloo-mesh' (the namespace of https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/)
   */
  readonly namespace?: string;
}

/**
 * The Gloo Operator's objects ("Install an ambient mesh with SPIRE enabled" in
 * https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): a
 * `ServiceMeshController` that makes the operator install istiod, istio-cni and ztunnel, and
 * the `gloo-extensions-config` ConfigMap whose `values.istiod` / `values.istio-ztunnel` keys
 * the operator merges into those charts' values to turn the SPIRE integration on.
 *
 * That guide's ConfigMap is mis-indented: `name`/`namespace` and the `values.*` keys sit at the
 * level of `metadata` and `data` instead of under them (both parse as null), and inside
 * `values.istiod` `workloads: true` is a sibling of `spire` (so `gateways.spire` is null and
 * `gateways.workloads` is set) instead of `gateways.spire.workloads`. Here the embedded YAML is
 * generated from objects, so the nesting is right by construction (test/delivery/gloo-operator.test.ts
 * parses the guide's text to show the difference).
 *
 * Embedded values: only the SPIRE keys (`gateways.spire` of the istiod release, `spire` of the
 * ztunnel release, the guide's `workloads: true` / `enabled: true` when those releases are not
 * declared). The operator owns hub, tag, profile, cluster and network; passing the releases'
 * other values could fight it.
 *
 * Limits:
 * - No CRD for `ServiceMeshController` is available (no public copy was found to import), so the synth-time
 *   schema gate refuses it ("no schema is known"). Synth in this mode fails until the CRD is
 *   added to cdk8s.yaml and imported. Its scope is unverified: it is emitted without a
 *   namespace, as in the guide (which applies it with `kubectl apply -n gloo-mesh`).
 * - The operator must be installed beforehand (the guide runs `helm install gloo-operator
 *   oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator --version 0.2.4 -n gloo-mesh
 *   --create-namespace`); that install creates the namespace, so no Namespace object is emitted.
 * - The operator installs only Istio: other releases (spire-crds, ...) and manifest sources get
 *   a synth warning with the command that installs them.
 * - Ambient only: the guide documents the SPIRE integration for `dataplaneMode: Ambient`.
 */
export class GlooOperatorDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.GLOO_OPERATOR;
  /** The ServiceMeshController. */
  public readonly resource: ApiObject;
  /** The gloo-extensions-config ConfigMap. */
  public readonly extensionsConfig: k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: GlooOperatorDeliveryProps) {
    super(scope, id);
    const cluster: ClusterModel = MeshCluster.enclosing(this).cluster;
    const namespace = props.namespace ?? GLOO_NAMESPACE;
    if (cluster.dataplaneMode !== DataplaneMode.AMBIENT) {
      throw new Error(
        `cluster '${cluster.name}' uses dataplane mode '${cluster.dataplaneMode.value}', but gloo-operator delivery supports 'ambient' only (Solo documents the operator's SPIRE integration for dataplaneMode Ambient): use chartDelivery argocd, flux or helm-template for sidecar clusters`,
      );
    }

    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: GLOO_CONTROLLER_API_VERSION,
      kind: GLOO_CONTROLLER_KIND,
      metadata: { name: GLOO_CONTROLLER_NAME, labels: { 'app.kubernetes.io/name': GLOO_CONTROLLER_NAME } },
      spec: {
        cluster: cluster.name,
        network: cluster.network,
        dataplaneMode: 'Ambient',
        installNamespace: ISTIO_NAMESPACE,
        // The operator installs the Solo build of this version: no -solo tag, no repo key
        // (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/).
        version: cluster.istio.version,
      },
    });

    // The values are read from the istiod and ztunnel releases when the ConfigMap is rendered.
    const byChart = (chart: string) => props.orderedReleases().find((r) => r.chart === chart);
    const lazyYaml = (values: () => Record<string, unknown>): string => Lazy.any({ produce: () => toYaml(values()) });
    this.extensionsConfig = new k8s.KubeConfigMap(this, 'ExtensionsConfig', {
      metadata: { name: GLOO_EXTENSIONS_CONFIG_NAME, namespace },
      data: {
        [GLOO_ISTIOD_VALUES_KEY]: lazyYaml(() => glooIstiodValues(byChart('istiod'))),
        [GLOO_ZTUNNEL_VALUES_KEY]: lazyYaml(() => glooZtunnelValues(byChart('ztunnel'))),
      },
    });
  }

  public addRelease(release: ChartRelease): void {
    if (ISTIO_CHARTS.includes(release.chart)) return;
    addSynthWarning(
      this,
      `chart release ${describeRelease(release)} is not delivered in gloo-operator mode ` +
        `(the operator installs only istio): install it before applying this folder, e.g. \`${helmInstallCommand(release)}\``,
    );
  }

  public addManifestSource(source: ManifestSource): void {
    addSynthWarning(
      this,
      `manifest source ${describeSource(source)} is not delivered in gloo-operator mode: ` +
        `apply it with \`kubectl apply --server-side -k '${kustomizeRemote(source)}'\``,
    );
  }
}

/**
 * `values.istiod` (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): `gateways.spire.workloads: true`, or
 * the istiod release's `gateways.spire`.
 */
export function glooIstiodValues(istiod?: ChartRelease): Record<string, unknown> {
  const spire = pick(istiod?.values, ['gateways', 'spire']);
  return { gateways: { spire: spire ?? { workloads: true } } };
}

/**
 * `values.istio-ztunnel` (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): `spire.enabled: true`, or the
 * ztunnel release's `spire`.
 */
export function glooZtunnelValues(ztunnel?: ChartRelease): Record<string, unknown> {
  const spire = pick(ztunnel?.values, ['spire']);
  return { spire: spire ?? { enabled: true } };
}

function pick(values: object | undefined, keyPath: readonly string[]): unknown {
  let v: unknown = values;
  for (const k of keyPath) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v ?? undefined;
}

function toYaml(values: Record<string, unknown>): string {
  return stringify(values, { sortMapEntries: true, lineWidth: 0 });
}
