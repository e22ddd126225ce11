export * from './registry';
export * from './release';
