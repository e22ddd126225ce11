export * from './argo-cd';
export * from './chart-delivery';
export * from './component';
export * from './flux';
export * from './gloo-operator';
export * from './helm-template';
export * from './names';
