import { IntermediateKindId } from './intermediate-kind';

/*
 * Fixes name the commands a user runs (the `pki` subcommands of the spiremesh command, bin/spiremesh.ts:
 * with `--inventory FILE` for a YAML mesh, else it runs the project's app), never library calls.
 * Internal: not re-exported from index.ts.
 */

function pkiCommand(args: string): string {
  return `\`spiremesh pki ${args}\``;
}

/** Generates what is missing, reuses what exists. */
export const PKI_INIT = pkiCommand('init');

/** Writes the secret values to upload (the mesh root with a cert-manager root store). */
export const PKI_EXPORT = pkiCommand('export');

/** Issues a new intermediate of one kind under the same root. */
export function pkiRotate(cluster: string, which: IntermediateKindId): string {
  return pkiCommand(`rotate --cluster ${cluster} --which ${which}`);
}

/** How to replace an intermediate that is lost, expired or issued by another root. */
export function replaceIntermediate(cluster: string, which: IntermediateKindId): string {
  return (
    `run ${pkiRotate(cluster, which)} to issue a new one under the same root (needs the root key), ` +
    `then synthesize and deliver the new secret values (${pkiCommand(`export --cluster ${cluster}`)}).`
  );
}

/** How to get back a root key that is needed to sign, then retry. */
export function restoreRootKey(rootKeyFile: string, retry: string): string {
  return `restore the root key from its offline backup to ${rootKeyFile} (chmod 600), then run ${retry} again.`;
}

/** A lost or expired root cannot be replaced in place. */
export const REPLACE_ROOT =
  'the root is the trust anchor of every cluster: a new root needs new intermediates everywhere (trust-domain migration).';

/** A certificate generated a moment ago failed its own check: nothing was written. */
export const SELF_CHECK_FAILED = 'nothing was written; this is a bug in spiremesh, please report it with this message.';
