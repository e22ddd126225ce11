export * from './east-west-gateway';
export * from './multicluster';
export * from './names';
export * from './remote-peer-gateway';
export * from './service-type';
