// Peering between clusters: the east-west Gateway, one remote peer Gateway per link, and the names both use.
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
