import { Construct } from 'constructs';
import {
  EASTWEST_NAMESPACE, ISTIO_NAMESPACE, MeshModel, NETWORK_LABEL, SPIRE_NAMESPACE, SpireMeshProps,
  loadMeshSpecFile, resolveMeshSpec, toMeshSpecDocument,
} from '../spec';
import { ChartDeliveryComponent } from '../delivery/component';
import { Istio } from '../istio/istio';
import { Multicluster } from '../multicluster/multicluster';
import { Spire } from '../spire/spire';
import { CaSecretDelivery } from '../pki/ca-delivery';
import { MeshCluster } from './cluster';

/**
 * A whole mesh: one `MeshCluster` per declared cluster, each rendered to `dist/<cluster>/`.
 * Declare it from typed props, or from a YAML inventory with `SpireMesh.fromInventoryFile`.
 * The spec is validated when the construct is created; nothing is rendered for a bad spec.
 */
export class SpireMesh extends Construct {
  /** A mesh declared in a YAML inventory file (same schema as `SpireMeshProps`). */
  public static fromInventoryFile(scope: Construct, id: string, file: string): SpireMesh {
    return new SpireMesh(scope, id, loadMeshSpecFile(file));
  }

  public readonly model: MeshModel;
  private readonly clusterCharts: MeshCluster[];

  public constructor(scope: Construct, id: string, props: SpireMeshProps | MeshModel) {
    super(scope, id);
    this.model = props instanceof MeshModel
      ? props
      : resolveMeshSpec(toMeshSpecDocument(props), `SpireMesh '${id}' (TypeScript props)`);
    this.clusterCharts = this.model.clusters.map((cluster) => {
      const chart = new MeshCluster(this, cluster.name, { mesh: this.model, cluster });
      this.addPlatformNamespaces(chart);
      new CaSecretDelivery(chart, 'CaSecretDelivery');
      new Spire(chart, 'Spire');
      new Istio(chart, 'Istio');
      new Multicluster(chart, 'Multicluster');
      // Last: it turns every release the components above registered into delivery objects.
      new ChartDeliveryComponent(chart, 'ChartDelivery');
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
    if (!found) throw new Error(`no cluster '${name}' in mesh '${this.model.name}'`);
    return found;
  }

  private addPlatformNamespaces(chart: MeshCluster): void {
    const { cluster } = chart;
    chart.namespaces.addNamespace(SPIRE_NAMESPACE);
    const peered = this.model.isPeered(cluster);
    // In a multi-network mesh istiod reads the cluster's network from this label
    // (seed 001: `kubectl label namespace istio-system topology.istio.io/network=...`).
    chart.namespaces.addNamespace(ISTIO_NAMESPACE, peered ? { [NETWORK_LABEL]: cluster.network } : {});
    // The east-west gateway and the remote peer gateways live here (seed 001, "Link clusters").
    if (peered) chart.namespaces.addNamespace(EASTWEST_NAMESPACE);
  }
}
