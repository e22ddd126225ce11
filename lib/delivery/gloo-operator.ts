import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import {
  ServiceMeshController,
  ServiceMeshControllerSpecDataplaneMode,
} from '../../imports/gloo-operator-servicemeshcontroller-operator.gloo.solo.io';
import { MeshCluster } from '../core/cluster';
import { ChartRelease, DELIVERY_ORDER, ManifestSource } from '../core/delivery';
import { addPrerequisite, createNamespaceCommand } from '../core/prerequisites';
import { addSynthWarning } from '../core/warnings';
import {
  ChartDeliveryMode,
  ClusterModel,
  DEFAULT_LICENSE_SECRET_NAME,
  DataplaneMode,
  GitOpsEngine,
  ISTIO_NAMESPACE,
  LicenseModel,
  MeshModel,
  SOLO_LICENSE_SECRET_KEY,
} from '../spec';
import { checkRelease, describeRelease, helmInstallCommand, manifestSourcePrerequisite, ociChartUrl } from './_checks';
import { ArgoCdDelivery } from './argo-cd';
import { IChartDelivery, OrderedReleases } from './chart-delivery';
import { FluxDelivery } from './flux';
import {
  AFTER_CRDS_STAGE,
  APPLY_STAGE_ANNOTATION,
  GLOO_CONTROLLER_NAME,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_NAMESPACE,
  GLOO_ZTUNNEL_VALUES_KEY,
  ISTIO_CHARTS,
} from './names';

/**
 * The gloo-operator Helm chart ("Install the Gloo Operator to the gloo-mesh namespace" in
 * https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/: `helm install gloo-operator
 * oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator --version 0.2.4 -n gloo-mesh --create-namespace`).
 */
export const GLOO_OPERATOR_CHART = {
  repository: 'oci://us-docker.pkg.dev/solo-public/gloo-operator-helm',
  chart: 'gloo-operator',
  releaseName: 'gloo-operator',
} as const;

/**
 * The chart value that points the operator at the Secret holding the Solo license, as `<namespace>/<name>`
 * (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/: "reference the secret that Gloo Mesh automatically
 * creates for your license in the `--set manager.env.SOLO_ISTIO_LICENSE_KEY_SECRET_REF=gloo-mesh/license-keys` flag
 * instead" of `manager.env.SOLO_ISTIO_LICENSE_KEY=<key>`). Only the reference reaches dist/, never the key.
 */
export const GLOO_OPERATOR_LICENSE_REF_ENV = 'SOLO_ISTIO_LICENSE_KEY_SECRET_REF';

export interface GlooOperatorDeliveryProps {
  /** The cluster's releases in apply order, read when the extensions ConfigMap is rendered. */
  readonly orderedReleases: OrderedReleases;
  /**
   * Namespace of the Gloo Operator, where it reads `gloo-extensions-config` and the ServiceMeshController lives.
   * @default 'gloo-mesh' (the namespace of https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/)
   */
  readonly namespace?: string;
  /**
   * Version of the gloo-operator chart.
   * @default '0.2.4' (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/)
   */
  readonly operatorChartVersion?: string;
}

/** The gloo-operator chart version of https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/. */
export const DEFAULT_GLOO_OPERATOR_CHART_VERSION = '0.2.4';

/** The Secret the operator reads the Solo license from: the mesh's license Secret, or the default one. */
export function glooOperatorLicenseSecret(mesh: MeshModel, cluster: ClusterModel): { readonly name: string; readonly namespace: string } {
  const license: LicenseModel | undefined = mesh.license;
  if (license?.kind === 'inline') {
    throw new Error(
      `cluster '${cluster.name}' uses chartDelivery gloo-operator with an inline Solo license: the operator's chart would carry the key into dist/ (committed). ` +
        "Store the key in a Secret and set istio.license to IstioLicense.fromSecret('<secret>', '<namespace>') (YAML: istio.license.secretName/secretNamespace), or IstioLicense.fromExternalSecret({...})",
    );
  }
  return license?.secretRef ?? { name: DEFAULT_LICENSE_SECRET_NAME, namespace: ISTIO_NAMESPACE };
}

/**
 * The Gloo Operator's objects ("Install an ambient mesh with SPIRE enabled" in
 * https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/), in the operator's namespace (`gloo-mesh`):
 *
 * - the Namespace, so that the ConfigMap and the ServiceMeshController can be applied on a fresh cluster;
 * - a `ServiceMeshController` (schema: crds/gloo-operator/, written from Solo's documentation) that makes the operator
 *   install istiod, istio-cni and ztunnel: the cluster's name, network and trust domain (the one SPIRE's server.conf
 *   gets, so workload identities agree), the plain Istio version (the operator pulls the Solo build itself: Solo's
 *   examples pass only `version`, for 1.23 to 1.29 alike, so no repo key is needed), `dataplaneMode: Ambient` and
 *   `installNamespace: istio-system`;
 * - the `gloo-extensions-config` ConfigMap whose `values.istiod` / `values.istio-ztunnel` keys the operator merges
 *   into those charts' values to turn the SPIRE integration on;
 * - the operator's own install, with the license from a Secret (`manager.env.SOLO_ISTIO_LICENSE_KEY_SECRET_REF`, a
 *   reference only): an Argo CD Application (gitops engine argocd) or a Flux OCIRepository and HelmRelease (engine
 *   flux) of the gloo-operator chart; without a `gitops` section, a prerequisite with the `helm upgrade --install`
 *   command. When the install is rendered, the ServiceMeshController waits for it: stage `_after-crds/`, and with
 *   Argo CD a sync wave after the Application plus `SkipDryRunOnMissingResource` (its CRD comes with the chart).
 *
 * Prerequisites recorded (lib/core/prerequisites.ts): the license Secret (unless an ExternalSecret in dist/ builds it),
 * the operator install when it is not rendered, and what the operator does not install: the CRD releases (spire-crds)
 * and the manifest sources (the Gateway API CRDs), each with its command. Other releases (gateways) get a synth warning.
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
 * - The ServiceMeshController schema is not Solo's CRD (none can be read offline): fields Solo's documentation does
 *   not show are refused by the gate, and the CRD's scope is unverified (the object is emitted in gloo-mesh, which the
 *   API server accepts for either scope). See the header of crds/gloo-operator/operator.gloo.solo.io_servicemeshcontrollers.yaml.
 * - The Secret key the operator reads is not documented: the Secret is created with `license-key`, the first key Solo's
 *   licensing code reads (lib/spec/names.ts SOLO_LICENSE_SECRET_KEY), which also serves istiod.
 * - Ambient only: the guide documents the SPIRE integration for `dataplaneMode: Ambient`.
 */
export class GlooOperatorDelivery extends Construct implements IChartDelivery {
  public readonly mode = ChartDeliveryMode.GLOO_OPERATOR;
  /** The ServiceMeshController. */
  public readonly resource: ServiceMeshController;
  /** The gloo-extensions-config ConfigMap. */
  public readonly extensionsConfig: k8s.KubeConfigMap;
  /** The operator's namespace. */
  public readonly namespaceObject: k8s.KubeNamespace;
  /** The operator's chart release (delivered by `operatorInstall`, or a prerequisite when that is undefined). */
  public readonly operatorRelease: ChartRelease;
  /** The Argo CD or Flux objects that install the operator; undefined without a `gitops` section. */
  public readonly operatorInstall?: ArgoCdDelivery | FluxDelivery;

  public constructor(scope: Construct, id: string, props: GlooOperatorDeliveryProps) {
    super(scope, id);
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const namespace = props.namespace ?? GLOO_NAMESPACE;
    if (cluster.dataplaneMode !== DataplaneMode.AMBIENT) {
      throw new Error(
        `cluster '${cluster.name}' uses dataplane mode '${cluster.dataplaneMode.value}', but gloo-operator delivery supports 'ambient' only (Solo documents the operator's SPIRE integration for dataplaneMode Ambient): use chartDelivery argocd, flux or helm-template for sidecar clusters`,
      );
    }
    const license = glooOperatorLicenseSecret(mesh, cluster);
    const licenseRef = `${license.namespace}/${license.name}`;

    this.namespaceObject = new k8s.KubeNamespace(this, 'Namespace', { metadata: { name: namespace } });

    this.operatorRelease = {
      id: GLOO_OPERATOR_CHART.releaseName,
      chart: GLOO_OPERATOR_CHART.chart,
      repository: { url: GLOO_OPERATOR_CHART.repository },
      version: props.operatorChartVersion ?? DEFAULT_GLOO_OPERATOR_CHART_VERSION,
      releaseName: GLOO_OPERATOR_CHART.releaseName,
      namespace,
      values: { manager: { env: { [GLOO_OPERATOR_LICENSE_REF_ENV]: licenseRef } } },
      // It installs the ServiceMeshController CRD: first, with the other CRDs.
      order: DELIVERY_ORDER.crds,
    };
    checkRelease(this.operatorRelease);
    const engine = mesh.gitops?.engine;
    if (engine === GitOpsEngine.FLUX) {
      this.operatorInstall = new FluxDelivery(this, 'OperatorInstall', { orderedReleases: () => [this.operatorRelease] });
    } else if (engine === GitOpsEngine.ARGO_CD) {
      this.operatorInstall = new ArgoCdDelivery(this, 'OperatorInstall');
    }
    this.operatorInstall?.addRelease(this.operatorRelease);
    if (!this.operatorInstall) {
      addPrerequisite(this, {
        key: `helm-release:${namespace}/${GLOO_OPERATOR_CHART.releaseName}`,
        what: `the Gloo Operator (chart ${GLOO_OPERATOR_CHART.chart} ${this.operatorRelease.version}) installed in ${namespace}, reading the license from the Secret ${licenseRef}`,
        why: 'the operator installs Istio from the ServiceMeshController and serves its CRD; the mesh has no gitops section, so no Argo CD Application or Flux HelmRelease installs it',
        command:
          `helm upgrade --install ${GLOO_OPERATOR_CHART.releaseName} ${ociChartUrl(this.operatorRelease)} --version ${this.operatorRelease.version} ` +
          `--namespace ${namespace} --create-namespace --set manager.env.${GLOO_OPERATOR_LICENSE_REF_ENV}=${licenseRef}`,
      });
    }
    // A declared license Secret is a prerequisite of Istio's (lib/istio); without a declaration the operator still needs one.
    if (!mesh.license) {
      addPrerequisite(this, {
        key: `secret:${licenseRef}`,
        what: `the Secret ${licenseRef} with the Solo license under key \`${SOLO_LICENSE_SECRET_KEY}\``,
        why: `the Gloo Operator reads the license from it (manager.env.${GLOO_OPERATOR_LICENSE_REF_ENV}=${licenseRef}); the key stays out of dist/`,
        command:
          `(${createNamespaceCommand(license.namespace)}) && ` +
          `kubectl --context <context> -n ${license.namespace} create secret generic ${license.name} --from-literal=${SOLO_LICENSE_SECRET_KEY}=<license>`,
      });
    }

    // The operator serves the ServiceMeshController CRD: when this output installs the operator, the object waits for it.
    // As for every staged delivery mode, no Argo CD annotations: the bootstrap's second Application (or Flux
    // Kustomization) applies _after-crds/ after the directory that installs the operator.
    const annotations: Record<string, string> = this.operatorInstall ? { [APPLY_STAGE_ANNOTATION]: AFTER_CRDS_STAGE } : {};
    this.resource = new ServiceMeshController(this, 'Resource', {
      metadata: {
        name: GLOO_CONTROLLER_NAME,
        namespace,
        labels: { 'app.kubernetes.io/name': GLOO_CONTROLLER_NAME },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        cluster: cluster.name,
        network: cluster.network,
        trustDomain: cluster.trustDomain,
        dataplaneMode: ServiceMeshControllerSpecDataplaneMode.AMBIENT,
        installNamespace: ISTIO_NAMESPACE,
        // The operator installs the Solo build of this version: no -solo tag, no repo key.
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
    if (release.order === DELIVERY_ORDER.crds) {
      addPrerequisite(this, {
        key: `helm-release:${release.namespace}/${release.releaseName}`,
        what: `the CRDs of chart release ${describeRelease(release)} installed in the cluster`,
        why: 'the Gloo Operator installs only Istio; the objects in _after-crds/ need these CRDs',
        command:
          Object.keys(release.values).length === 0 ? helmInstallCommand(release).replace(/ -f <values>$/, '') : helmInstallCommand(release),
      });
      return;
    }
    addSynthWarning(
      this,
      `chart release ${describeRelease(release)} is not delivered in gloo-operator mode ` +
        `(the operator installs only istio): install it once the operator's istiod runs, e.g. \`${helmInstallCommand(release)}\``,
    );
  }

  public addManifestSource(source: ManifestSource): void {
    addPrerequisite(this, manifestSourcePrerequisite(source, this.mode.value));
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
