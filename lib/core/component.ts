import { Construct, IConstruct } from 'constructs';
import { isDns1123Label } from '../spec';

export interface MeshComponentProps {
  /**
   * Name of the component: the folder its objects are written to in `dist/<cluster>/`.
   * A DNS-1123 label, e.g. 'spire' or 'istio'.
   */
  readonly componentName: string;
}

/**
 * A group of objects that belong together in the output (one folder per component in
 * `dist/<cluster>/`). Every Kubernetes object spiremesh emits lives under exactly one
 * component; adding a component to the mesh is adding a construct that extends this class,
 * with no change to the output machinery.
 */
export class MeshComponent extends Construct {
  /** The nearest component that contains `construct`, or undefined. */
  public static of(construct: IConstruct): MeshComponent | undefined {
    for (let c: IConstruct | undefined = construct; c; c = c.node.scope) {
      if (c instanceof MeshComponent) return c;
    }
    return undefined;
  }

  public readonly componentName: string;

  public constructor(scope: Construct, id: string, props: MeshComponentProps) {
    super(scope, id);
    if (!isDns1123Label(props.componentName)) {
      throw new Error(`component name '${props.componentName}' is not a DNS-1123 label: use lowercase letters, digits and '-'`);
    }
    this.componentName = props.componentName;
  }
}
