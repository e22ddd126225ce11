import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshComponent } from './component';

/**
 * The Namespace objects of a cluster, in one component so that they are applied first and
 * reviewed in one place. Components call `addNamespace` for the namespaces they use.
 */
export class MeshNamespaces extends MeshComponent {
  private readonly namespaces = new Map<string, k8s.KubeNamespace>();
  private readonly labels = new Map<string, Record<string, string>>();

  public constructor(scope: Construct, id: string) {
    super(scope, id, { componentName: 'namespaces' });
  }

  /**
   * Declares a namespace with labels. Declaring it again merges labels; a label declared
   * twice with different values is an error (two components disagree).
   */
  public addNamespace(name: string, labels: Record<string, string> = {}): ApiObject {
    const existing = this.labels.get(name) ?? {};
    for (const [key, value] of Object.entries(labels)) {
      if (key in existing && existing[key] !== value) {
        throw new Error(
          `namespace '${name}' label '${key}' is declared as '${existing[key]}' and as '${value}': components must agree on one value`,
        );
      }
    }
    const merged = { ...existing, ...labels };
    this.labels.set(name, merged);
    let ns = this.namespaces.get(name);
    if (!ns) {
      ns = new k8s.KubeNamespace(this, name, { metadata: { name } });
      this.namespaces.set(name, ns);
    }
    for (const [key, value] of Object.entries(labels)) ns.metadata.addLabel(key, value);
    return ns;
  }

  /** Names of the declared namespaces. */
  public get names(): string[] {
    return [...this.namespaces.keys()].sort();
  }
}
