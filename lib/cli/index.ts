export * from './args';
export * from './main';
export * from './pki-commands';
