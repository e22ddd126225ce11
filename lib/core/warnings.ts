/** Warnings that constructs record while the tree is built; synthesis collects and prints them. */
import { IConstruct } from 'constructs';

/** Metadata type of the warnings that `addSynthWarning` attaches. */
export const WARNING_METADATA = 'spiremesh:warning';

/** Records a warning that synthesis prints (it does not stop synthesis). */
export function addSynthWarning(construct: IConstruct, message: string): void {
  construct.node.addMetadata(WARNING_METADATA, message);
}

/** Every warning recorded under `root`, prefixed with the construct path that recorded it. */
export function collectSynthWarnings(root: IConstruct): string[] {
  return root.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((entry) => entry.type === WARNING_METADATA).map((entry) => `${c.node.path}: ${entry.data}`));
}
