/**
 * The mesh CA hierarchy (root -> per-cluster SPIRE and Istio intermediates) as a typed library,
 * with private keys kept outside git. See store.ts for the on-disk custody model.
 */
export * from './errors';
export * from './key-algorithm';
export * from './serial';
export * from './intermediate-kind';
export * from './certificate';
export * from './hierarchy';
export * from './verify';
export * from './material';
export * from './layout';
// Key custody: where private material may be written (real paths, git), and the two writers the
// CLI needs; the rest of the key-custody file I/O stays internal.
export { assertKeyCustody, realPathOf, writePrivateExport, type KeyCustodyProps, type PrivateExportProps } from './custody';
export { PRIVATE_FOLDER_GITIGNORE, ensurePrivateTree } from './secure-fs';
export * from './store';
export * from './status';
export * from './rotation';
export * from './cert-manager';
export * from './ca-delivery';
export * from './mesh-pki';
