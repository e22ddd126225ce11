import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { ChartDeliveryComponentProps, chartDeliveryFor } from '../delivery/component';
import { Istio, IstioComponentProps } from '../istio/istio';
import { Multicluster } from '../multicluster/multicluster';
import { CaSecretDelivery } from '../pki/ca-delivery';
import {
  EASTWEST_NAMESPACE,
  ISTIO_NAMESPACE,
  IstioDistribution,
  MeshModel,
  MeshSpec,
  NETWORK_LABEL,
  SPIRE_NAMESPACE,
  loadMeshSpecFile,
  resolveMeshProps,
} from '../spec';
import { Spire, SpireComponentProps } from '../spire/spire';
import { recordComponentSettings } from './reuse';
import { SynthesisError, isSynthesizing, validateApp } from './synthesize';

/**
 * Construct-level settings of the components SpireMesh creates in every cluster. They are not
 * part of the spec document (they hold typed objects such as an UpstreamAuthority), but what they
 * change is visible in the rendered output.
 */
export interface MeshComponentsProps {
  /**
   * Props of every cluster's Spire component.
   * @default - SPIRE as the spire chart 0.24.2 renders it, with the fixes documented in lib/spire
   */
  readonly spire?: SpireComponentProps;
  /**
   * Props of every cluster's Istio component (e.g. `extraValues`, the visible escape hatch).
   * @default - values derived from the spec only
   */
  readonly istio?: IstioComponentProps;
  /**
   * Props of every cluster's chart delivery.
   * @default - the spec's `chartDelivery` with its defaults
   */
  readonly delivery?: ChartDeliveryComponentProps;
}

/** Props of `SpireMesh`: the mesh spec plus the settings of its components. */
export interface SpireMeshProps extends MeshSpec {
  /** @default - component defaults */
  readonly components?: MeshComponentsProps;
}

/** Models already resolved by `fromInventoryFile`/`fromModel`, so the constructor does not resolve them again. */
const RESOLVED_MODELS = new WeakMap<SpireMeshProps, MeshModel>();

/**
 * A whole mesh: one `MeshCluster` per declared cluster, each rendered to `dist/<cluster>/`.
 * Declare it from typed props, or from a YAML inventory with `SpireMesh.fromInventoryFile`.
 * The spec is validated when the construct is created; nothing is rendered for a bad spec.
 *
 * Every cluster gets, in this order: its chart delivery (so that any component can add
 * releases), the platform namespaces, the CA secret delivery, SPIRE, Istio and the multicluster
 * gateways. Add your own components to `mesh.clusterChart(name)` (or every `mesh.clusters`)
 * and hand their charts to `cluster.delivery.addRelease(...)`.
 *
 * However the app is synthesized, the gates run. `synthesize(app)` (what `spiremesh synth`, `synthMain`
 * and `cdk8s synth` run) renders, gates and checks every object and writes `<outdir>/<cluster>/`. A
 * plain `app.synth()` (or `app.synthYaml()`) first runs the construct validations of the tree, and
 * SpireMesh adds one: a read-only synthesize of the whole app into the App's outdir (schema, secrets
 * and policy gates, the multicluster check, the PKI as it exists; nothing is written and no CA material
 * is generated — run `spiremesh pki init` first). Its warnings are printed to stderr; its errors fail
 * the validation, so App.synth throws before it writes a file. Once validated, App.synth writes cdk8s'
 * own layout (one YAML file per chart); the GitOps layout (per-cluster folders, kustomizations, index,
 * review page) is synthesize()'s.
 */
export class SpireMesh extends Construct {
  /** A mesh declared in a YAML inventory file (same schema as `MeshSpec`). */
  public static fromInventoryFile(scope: Construct, id: string, file: string, components: MeshComponentsProps = {}): SpireMesh {
    return SpireMesh.fromModel(scope, id, loadMeshSpecFile(file), components);
  }

  /** A mesh from an already resolved spec (e.g. loaded from a YAML inventory). */
  public static fromModel(scope: Construct, id: string, model: MeshModel, components: MeshComponentsProps = {}): SpireMesh {
    const props: SpireMeshProps = { ...model.spec, components };
    RESOLVED_MODELS.set(props, model);
    return new SpireMesh(scope, id, props);
  }

  public readonly model: MeshModel;
  private readonly clusterCharts: MeshCluster[];

  public constructor(scope: Construct, id: string, props: SpireMeshProps) {
    super(scope, id);
    this.model = RESOLVED_MODELS.get(props) ?? resolveMeshProps(props, `SpireMesh '${id}' (TypeScript props)`);
    this.node.addValidation({ validate: () => this.validateSynthesis() });
    const components = props.components ?? {};
    recordComponentSettings(this.model, components);
    this.clusterCharts = this.model.clusters.map((cluster) => {
      const chart = new MeshCluster(this, cluster.name, {
        mesh: this.model,
        cluster,
        delivery: chartDeliveryFor({ baseDirectory: this.model.projectDir, ...components.delivery }),
      });
      this.addPlatformNamespaces(chart);
      new CaSecretDelivery(chart, 'CaSecretDelivery');
      new Spire(chart, 'Spire', components.spire);
      new Istio(chart, 'Istio', components.istio);
      new Multicluster(chart, 'Multicluster');
      return chart;
    });
  }

  /** The per-cluster charts, in spec order. */
  public get clusters(): readonly MeshCluster[] {
    return this.clusterCharts;
  }

  /** The chart of one cluster. */
  public clusterChart(name: string): MeshCluster {
    const found = this.clusterCharts.find((c) => c.cluster.name === name);
    if (!found)
      throw new Error(
        `no cluster '${name}' in mesh '${this.model.name}': its clusters are ${this.model.clusters.map((c) => c.name).join(', ')}`,
      );
    return found;
  }

  /**
   * The construct validation App.synth runs (a plain `app.synth()`, which none of spiremesh's writer runs): the gates
   * and the mesh check of `validateApp` (once per tree, by its first SpireMesh), errors refusing the synth before cdk8s
   * writes anything, warnings printed on stderr. It needs no CA material (a synth generates it) and writes nothing.
   * Inside synthesize() (which runs the validations of the tree too) it does nothing.
   */
  private validateSynthesis(): string[] {
    const root = this.node.root;
    if (isSynthesizing(this)) return [];
    if (root.node.findAll().find((c) => c instanceof SpireMesh) !== this) return [];
    const { errors, warnings } = validateApp(root, { baseDir: this.model.projectDir });
    if (warnings.length > 0)
      process.stderr.write(`spiremesh: ${warnings.length} warning(s):\n${warnings.map((w) => `  ! ${w}\n`).join('')}`);
    return errors.length === 0 ? [] : [`spiremesh: ${new SynthesisError(errors).message}`];
  }

  private addPlatformNamespaces(chart: MeshCluster): void {
    const { cluster } = chart;
    chart.namespaces.addNamespace(SPIRE_NAMESPACE);
    const peered = this.model.isPeered(cluster);
    // In a multi-network mesh istiod reads the cluster's network from this label on its own
    // namespace (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).
    chart.namespaces.addNamespace(ISTIO_NAMESPACE, peered ? { [NETWORK_LABEL]: cluster.network } : {});
    // Solo's `istioctl multicluster expose` and `link` put the east-west and remote peer gateways here;
    // community Istio's east-west gateway lives in istio-system (samples/multicluster/gen-eastwest-gateway.sh).
    if (peered && cluster.istio.distribution === IstioDistribution.SOLO) chart.namespaces.addNamespace(EASTWEST_NAMESPACE);
  }
}
