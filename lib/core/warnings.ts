/** Warnings that constructs record while the tree is built; synthesis collects and prints them. */
import { IConstruct } from 'constructs';

/** Metadata type of the warnings that `addSynthWarning` attaches. */
export const WARNING_METADATA = 'spiremesh:warning';

/**
 * Records a warning that synthesis prints (it does not stop synthesis). A function is called
 * when warnings are collected, for messages that depend on what is added to the tree later.
 */
export function addSynthWarning(construct: IConstruct, message: string | (() => string)): void {
  construct.node.addMetadata(WARNING_METADATA, message);
}

/** The text of a recorded warning. */
export function warningText(data: unknown): string {
  return typeof data === 'function' ? String(data()) : String(data);
}
