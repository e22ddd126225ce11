export * from './cluster';
export * from './component';
export * from './namespaces';
export * from './delivery';
export * from './warnings';
