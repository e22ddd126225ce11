import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ClusterModel, MANAGED_BY_LABEL, MANAGED_BY_VALUE, MeshModel } from '../spec';
import { IClusterDelivery } from './delivery';
import { MeshNamespaces } from './namespaces';

/** Creates the delivery of a cluster; called once, first thing, by the `MeshCluster` constructor. */
export type ClusterDeliveryFactory = (cluster: MeshCluster) => IClusterDelivery;

export interface MeshClusterProps {
  /** The resolved mesh this cluster belongs to. */
  readonly mesh: MeshModel;
  /** The cluster's resolved spec. */
  readonly cluster: ClusterModel;
  /**
   * Creates the cluster's delivery (the mode of `mesh.chartDelivery`). It is created before any
   * component, so components can add releases whenever they are created.
   * `chartDeliveryFor` from lib/delivery is the factory for the spec's modes.
   */
  readonly delivery: ClusterDeliveryFactory;
}

const MESH_CLUSTER = Symbol.for('spiremesh.MeshCluster');

/**
 * Everything rendered for one cluster: a cdk8s Chart whose objects are written to
 * `dist/<cluster name>/`. Components are added as children (see `MeshComponent`).
 */
export class MeshCluster extends Chart {
  /** True for MeshCluster instances (cdk8s' Chart overrides `instanceof` to match every Chart). */
  public static isMeshCluster(x: unknown): x is MeshCluster {
    return x !== null && typeof x === 'object' && MESH_CLUSTER in x;
  }

  public static [Symbol.hasInstance](x: unknown): x is MeshCluster {
    return MeshCluster.isMeshCluster(x);
  }

  /** The MeshCluster that contains `construct`; throws when there is none. */
  public static enclosing(construct: IConstruct): MeshCluster {
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
      if (MeshCluster.isMeshCluster(c)) return c;
    }
    throw new Error(`${construct.node.path} is not inside a MeshCluster: add mesh components to a cluster of a SpireMesh`);
  }

  public readonly mesh: MeshModel;
  public readonly cluster: ClusterModel;
  /** The Namespace objects of this cluster; components add the namespaces they use. */
  public readonly namespaces: MeshNamespaces;
  /** Where components hand their chart releases and manifest sources (`addRelease`, `addManifestSource`). */
  public readonly delivery: IClusterDelivery;

  public constructor(scope: Construct, id: string, props: MeshClusterProps) {
    super(scope, id, {
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      // Names are chosen explicitly (they must match what the upstream charts render), so
      // cdk8s' path-derived hashes are never wanted.
      disableResourceNameHashes: true,
    });
    Object.defineProperty(this, MESH_CLUSTER, { value: true });
    this.mesh = props.mesh;
    this.cluster = props.cluster;
    this.namespaces = new MeshNamespaces(this, 'Namespaces');
    this.delivery = props.delivery(this);
  }
}
