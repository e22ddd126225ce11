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
export * from './secure-fs';
export * from './status';
export * from './store';
export * from './ca-delivery';
export * from './mesh-pki';
