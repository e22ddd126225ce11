export * from './base';
export * from './cni';
export * from './common';
export * from './istiod';
export * from './ztunnel';
export * from './derive';
export * from './merge';
