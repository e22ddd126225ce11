/**
 * Prerequisites: what must exist in a cluster (or in a secret store, or on a person's machine)
 * before its directory is applied, each with the command that satisfies it. Constructs record
 * them while the tree is built; synthesis collects them for the synth summary and the review page.
 */
import { IConstruct } from 'constructs';

/** Metadata type of the prerequisites that `addPrerequisite` attaches. */
export const PREREQUISITE_METADATA = 'spiremesh:prerequisite';

/** One thing a person (or another system) provides before a cluster directory converges. */
export interface Prerequisite {
  /**
   * Identity of the prerequisite within a cluster: the same key recorded by several constructs is
   * listed once (e.g. `secret:istio-system/solo-istio-license`).
   */
  readonly key: string;
  /** What must exist, in one sentence (e.g. "the Secret istio-system/solo-istio-license with key license-key"). */
  readonly what: string;
  /** Why the output needs it (who reads it). */
  readonly why: string;
  /** A command that satisfies it; `<angle brackets>` mark what the person fills in. */
  readonly command: string;
}

/**
 * Records a prerequisite of the enclosing cluster. A function is called when prerequisites are
 * collected (for prerequisites that depend on what is added to the tree later); it may return
 * undefined when, by then, nothing is needed.
 */
export function addPrerequisite(construct: IConstruct, prerequisite: Prerequisite | (() => Prerequisite | undefined)): void {
  construct.node.addMetadata(PREREQUISITE_METADATA, prerequisite);
}

/** The prerequisite a metadata entry recorded, or undefined. */
export function prerequisiteOf(data: unknown): Prerequisite | undefined {
  const p = typeof data === 'function' ? (data as () => Prerequisite | undefined)() : (data as Prerequisite | undefined);
  return p && typeof p.key === 'string' ? p : undefined;
}

/**
 * A command that creates `namespace` ahead of the cluster directory, for a prerequisite that lives in it (the directory's
 * Namespace object adopts it later); `<context>` is the cluster's kube context. Idempotent: `create --dry-run=client -o
 * yaml | apply` succeeds when the namespace exists.
 */
export function createNamespaceCommand(namespace: string): string {
  return `kubectl --context <context> create namespace ${namespace} --dry-run=client -o yaml | kubectl --context <context> apply -f -`;
}

/** Kinds of prerequisite keys (`<kind>:…`) in the order a person satisfies them; other kinds follow, by key. */
const KEY_KIND_ORDER = [
  'operator',
  'helm-release',
  'cluster-secret-store',
  'issuer',
  'store-entry',
  'secret',
  'ca-secrets',
  'manifest-source',
];

/** Orders prerequisites deterministically: operators first, then stores, issuers, store entries, Secrets; by key within a kind. */
export function comparePrerequisites(a: Prerequisite, b: Prerequisite): number {
  const rank = (p: Prerequisite) => {
    const i = KEY_KIND_ORDER.indexOf(p.key.split(':')[0]);
    return i < 0 ? KEY_KIND_ORDER.length : i;
  };
  return rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
