export * from './cluster';
export * from './component';
export * from './mesh';
export * from './namespaces';
