/** The prerequisites synthesis collected, per cluster and grouped across clusters (synth summary and review page). */
import { Prerequisite, comparePrerequisites } from '../core/prerequisites';

/** What one cluster needs before its directory converges (`addPrerequisite`), each prerequisite once, in `comparePrerequisites` order. */
export interface ClusterPrerequisiteList {
  readonly mesh: string;
  readonly cluster: string;
  /** The cluster's kube context: what `<context>` in a command stands for. */
  readonly context: string;
  readonly prerequisites: readonly Prerequisite[];
}

/** One distinct prerequisite (same key, text and command) with every cluster it concerns, in the order first met. */
export interface GroupedPrerequisite {
  readonly prerequisite: Prerequisite;
  readonly clusters: readonly { readonly mesh: string; readonly cluster: string; readonly context: string }[];
}

/**
 * The prerequisites of every cluster, each distinct one once with the clusters it concerns (in `comparePrerequisites`
 * order, then by text). A prerequisite is the same in two clusters when key, what, why and command are: `<context>` in the command
 * stands for each cluster's kube context.
 */
export function groupPrerequisites(lists: readonly ClusterPrerequisiteList[]): GroupedPrerequisite[] {
  const groups = new Map<string, { prerequisite: Prerequisite; clusters: GroupedPrerequisite['clusters'][number][] }>();
  for (const list of lists) {
    for (const p of list.prerequisites) {
      const id = JSON.stringify([p.key, p.what, p.why, p.command]);
      const group = groups.get(id) ?? { prerequisite: p, clusters: [] };
      groups.set(id, group);
      group.clusters.push({ mesh: list.mesh, cluster: list.cluster, context: list.context });
    }
  }
  return [...groups.entries()]
    .sort(([a, x], [b, y]) => comparePrerequisites(x.prerequisite, y.prerequisite) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => g);
}

/** "cluster1 (context ctx1), cluster2 (context ctx2)": the context only where it differs from the name. */
export function clusterList(clusters: GroupedPrerequisite['clusters']): string {
  return clusters.map((c) => (c.context === c.cluster ? c.cluster : `${c.cluster} (context ${c.context})`)).join(', ');
}
