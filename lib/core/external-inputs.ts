/**
 * What a construct tree read from outside its code and spec while it was built: e.g. each
 * `helm template` render of helm-template delivery (helm's version and the chart archive's
 * digest are part of its key). Synthesis digests these with the code and the spec to decide
 * whether an unchanged output folder can be reused (lib/app/reuse.ts).
 */
import { IConstruct } from 'constructs';

const INPUTS = new WeakMap<IConstruct, Set<string>>();

/** Records one input of the tree `scope` belongs to, as a string that changes whenever what was read changes. */
export function recordExternalInput(scope: IConstruct, input: string): void {
  const root = scope.node.root;
  let set = INPUTS.get(root);
  if (!set) INPUTS.set(root, (set = new Set()));
  set.add(input);
}

/** Every input recorded in the tree of `scope`, sorted. */
export function externalInputsOf(scope: IConstruct): string[] {
  return [...(INPUTS.get(scope.node.root) ?? [])].sort();
}
