export * from './check';
export * from './mesh';
export * from './review-page';
export * from './summary';
export * from './synthesize';
