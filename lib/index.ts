export * from './versions';
export * from './spec';
export * from './core';
export * from './gitops';
export * from './cli';
