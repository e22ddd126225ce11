/**
 * A cluster's SPIRE pod settings (`clusters[].overrides.spire.server` / `.agent`, lib/spec/overrides.ts) as the pod
 * spec and container fields of the StatefulSet and DaemonSet.
 */
import { k8s } from 'cdk8s-plus-30';
import { PodSettingsProps, ResourceRequirementsProps } from '../spec';

/** `nodeSelector` of the pod, when the settings name one. */
export function nodeSelectorOf(settings: PodSettingsProps | undefined): { nodeSelector?: { [label: string]: string } } {
  return settings?.nodeSelector && Object.keys(settings.nodeSelector).length > 0 ? { nodeSelector: { ...settings.nodeSelector } } : {};
}

/** The settings' tolerations (they replace `fallback`), else `fallback`. */
export function tolerationsOf(settings: PodSettingsProps | undefined, fallback: readonly k8s.Toleration[]): k8s.Toleration[] {
  return settings?.tolerations ? settings.tolerations.map((t) => ({ ...t })) : [...fallback];
}

const quantities = (list: { readonly [resource: string]: string } | undefined) =>
  list && Object.keys(list).length > 0
    ? Object.fromEntries(Object.entries(list).map(([name, quantity]) => [name, k8s.Quantity.fromString(quantity)]))
    : undefined;

/** `resources` of the main container, when the settings name any. */
export function resourcesOf(settings: PodSettingsProps | undefined): { resources?: k8s.ResourceRequirements } {
  const declared: ResourceRequirementsProps | undefined = settings?.resources;
  const requests = quantities(declared?.requests);
  const limits = quantities(declared?.limits);
  if (!requests && !limits) return {};
  return { resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } };
}
