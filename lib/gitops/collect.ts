/** Walks the construct tree and collects every object with its cluster and component. */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { MeshComponent } from '../core/component';
import { PREREQUISITE_METADATA, Prerequisite, comparePrerequisites, prerequisiteOf } from '../core/prerequisites';
import { WARNING_METADATA, warningText } from '../core/warnings';
import { GateFinding, gateFinding } from './gates';
import { RenderedObject, describeObject } from './layout';

/** A warning a construct recorded, with the cluster it was recorded in (none outside a MeshCluster). */
export interface CollectedWarning {
  readonly cluster?: string;
  /** The construct path that recorded it. */
  readonly constructPath: string;
  readonly text: string;
}

/** What one cluster needs before its directory converges: each prerequisite once (by key), in `comparePrerequisites` order. */
export interface ClusterPrerequisites {
  readonly cluster: string;
  readonly prerequisites: readonly Prerequisite[];
}

export interface Collected {
  readonly clusters: readonly MeshCluster[];
  readonly objects: readonly RenderedObject[];
  readonly findings: readonly GateFinding[];
  /** Every warning as printed: `<construct path>: <text>`. */
  readonly warnings: readonly string[];
  /** The same warnings with their cluster, in the same order. */
  readonly clusterWarnings: readonly CollectedWarning[];
  /** Per cluster (in the order of `clusters`), its prerequisites; clusters without any are left out. */
  readonly prerequisites: readonly ClusterPrerequisites[];
}

/** The MeshCluster a construct is in, or undefined. */
function enclosingCluster(c: IConstruct): MeshCluster | undefined {
  return c.node.scopes.find(MeshCluster.isMeshCluster);
}

export function collectObjects(root: IConstruct): Collected {
  const findings: GateFinding[] = [];
  const clusterWarnings: CollectedWarning[] = [];
  const prerequisitesByCluster = new Map<MeshCluster, Map<string, Prerequisite>>();
  const all = root.node.findAll();
  // Construct-level validations (node.addValidation), as cdk8s' App.synth() runs them.
  for (const c of all) {
    for (const error of c.node.validate()) findings.push(gateFinding('construct', error, { constructPath: c.node.path }));
  }
  // Warnings and prerequisites after every validation: a recorded function may depend on what validations complete.
  for (const c of all) {
    for (const entry of c.node.metadata) {
      if (entry.type === WARNING_METADATA) {
        clusterWarnings.push({ cluster: enclosingCluster(c)?.cluster.name, constructPath: c.node.path, text: warningText(entry.data) });
      } else if (entry.type === PREREQUISITE_METADATA) {
        const prerequisite = prerequisiteOf(entry.data);
        if (!prerequisite) continue;
        const cluster = enclosingCluster(c);
        if (!cluster) {
          findings.push(
            gateFinding(
              'layout',
              `prerequisite '${prerequisite.key}' is recorded outside a MeshCluster`,
              { constructPath: c.node.path },
              'record it in a construct inside the cluster that needs it',
            ),
          );
          continue;
        }
        const byKey = prerequisitesByCluster.get(cluster) ?? new Map<string, Prerequisite>();
        prerequisitesByCluster.set(cluster, byKey);
        // The first record of a key wins; constructs that record the same key describe the same thing.
        if (!byKey.has(prerequisite.key)) byKey.set(prerequisite.key, prerequisite);
      }
    }
  }
  const warnings = clusterWarnings.map((w) => `${w.constructPath}: ${w.text}`);
  const clusters = all.filter(MeshCluster.isMeshCluster);
  const prerequisites: ClusterPrerequisites[] = clusters.flatMap((c) => {
    const byKey = prerequisitesByCluster.get(c);
    if (!byKey) return [];
    return [{ cluster: c.cluster.name, prerequisites: [...byKey.values()].sort(comparePrerequisites) }];
  });
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
  return { clusters, objects, findings, warnings, clusterWarnings, prerequisites };
}
