// Multi-network objects: Solo peering (the east-west Gateway, one remote peer Gateway per link) and upstream Istio's
// multi-primary on different networks (the classic east-west gateway, the cross-network Gateway, remote secrets).
export { CrossNetworkGateway } from './cross-network-gateway';
export { EastWestGateway, type EastWestGatewayProps } from './east-west-gateway';
export { Multicluster, type MulticlusterProps } from './multicluster';
export {
  EASTWEST_GATEWAY_CLASS,
  EASTWEST_GATEWAY_NAME,
  REMOTE_GATEWAY_CLASS,
  REMOTE_PEER_GATEWAY_PREFIX,
  TRUST_DOMAIN_ANNOTATION,
  remotePeerGatewayName,
} from './names';
export { RemotePeerGateway, type RemotePeerGatewayProps } from './remote-peer-gateway';
export {
  RemoteSecret,
  createRemoteSecretCommand,
  remoteKubeconfigCommand,
  remoteSecretStoreKey,
  type RemoteSecretProps,
} from './remote-secret';
export {
  UPSTREAM_EASTWEST_GATEWAY_ORDER,
  UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID,
  UpstreamEastWestGateway,
  eastWestGatewayValues,
  type EastWestGatewayValues,
} from './upstream-east-west-gateway';
export {
  CROSS_NETWORK_GATEWAY_NAME,
  CROSS_NETWORK_SERVER,
  GATEWAY_CHART,
  MULTICLUSTER_SECRET_LABEL,
  NODE_SELECTOR_ANNOTATION,
  REMOTE_CLUSTER_ANNOTATION,
  REMOTE_SECRET_PREFIX,
  REMOTE_SECRET_STORE_PROPERTY,
  REMOTE_SECRET_STORE_SECRET,
  REQUESTED_NETWORK_VIEW_ENV,
  UPSTREAM_EASTWEST_GATEWAY_LABELS,
  UPSTREAM_EASTWEST_GATEWAY_NAME,
  UPSTREAM_EASTWEST_SERVICE_PORTS,
  remoteSecretName,
} from './upstream-names';
