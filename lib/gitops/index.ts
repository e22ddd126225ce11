export * from './collect';
export * from './gates';
export * from './layout';
export * from './provenance';
export * from './render';
export * from './writer';
