// The choice lives with the mesh spec (clusters[].eastWestServiceType); re-exported here for the gateways.
export { EastWestServiceType } from '../spec/choices';
