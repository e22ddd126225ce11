export * from './versions';
export * from './spec';
export * from './core';
export * from './gitops';
export * from './pki';
export * from './multicluster';
export * from './validation';
export * from './cli';
