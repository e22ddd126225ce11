/**
 * SPIRE as typed cdk8s constructs: server (+ controller manager), agent, CSI driver, the
 * identity custom resources, and the `Spire` component that composes them for one cluster.
 */
export * from './names';
export * from './choices';
export * from './config';
export * from './images';
export * from './validation';
export * from './upstream-authority';
export * from './server';
export * from './agent';
export * from './csi-driver';
export * from './cluster-spiffe-id';
export * from './cluster-federated-trust-domain';
export * from './cluster-static-entry';
export * from './spire';
