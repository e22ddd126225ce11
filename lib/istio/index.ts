export * from './istio';
export * from './values';
export * from './escape-hatch';
