/** Walks the construct tree and collects every object with its cluster and component. */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { WARNING_METADATA, warningText } from '../core/warnings';
import { GateFinding, gateFinding } from './gates';
import { RenderedObject, describeObject } from './layout';

export interface Collected {
  readonly clusters: readonly MeshCluster[];
  readonly objects: readonly RenderedObject[];
  readonly findings: readonly GateFinding[];
  readonly warnings: readonly string[];
}

export function collectObjects(root: IConstruct): Collected {
  const findings: GateFinding[] = [];
  const warnings: string[] = [];
  const all = root.node.findAll();
  // Construct-level validations (node.addValidation), as cdk8s' App.synth() runs them.
  for (const c of all) {
    for (const error of c.node.validate()) findings.push(gateFinding('construct', error, { constructPath: c.node.path }));
    for (const entry of c.node.metadata) {
      if (entry.type === WARNING_METADATA) warnings.push(`${c.node.path}: ${warningText(entry.data)}`);
    }
  }
  const clusters = all.filter(MeshCluster.isMeshCluster);
  const objects: RenderedObject[] = [];
  for (const obj of all.filter(ApiObject.isApiObject)) {
    const path = obj.node.path;
    let cluster: MeshCluster;
    try {
      cluster = MeshCluster.enclosing(obj);
    } catch (e) {
      findings.push(gateFinding('layout', (e as Error).message, { constructPath: path }));
      continue;
    }
    const component = MeshComponent.of(obj);
    const manifest = obj.toJson();
    if (!component) {
      findings.push(
        gateFinding(
          'layout',
          'object is not inside a MeshComponent, so it has no output folder',
          { object: describeObject(manifest), constructPath: path },
          'create it in a construct that extends MeshComponent',
        ),
      );
      continue;
    }
    objects.push({ cluster: cluster.cluster.name, component: component.componentName, constructPath: path, manifest });
  }
  return { clusters, objects, findings, warnings };
}
