export * from './istio';
export * from './values';
