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
