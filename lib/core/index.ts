// The core layer: the per-cluster chart, the component base class, the delivery contract that
// components hand their charts to, and the warnings and prerequisites synthesis prints.
export { MeshCluster, type ClusterDeliveryFactory, type MeshClusterProps } from './cluster';
export { MeshComponent, type MeshComponentProps } from './component';
export {
  DELIVERY_ORDER,
  isOciRepository,
  type ChartRelease,
  type ChartRepository,
  type ChartValues,
  type IClusterDelivery,
  type ManifestSource,
} from './delivery';
export { externalInputsOf, recordExternalInput } from './external-inputs';
export { MeshNamespaces } from './namespaces';
export {
  PREREQUISITE_METADATA,
  addPrerequisite,
  comparePrerequisites,
  createNamespaceCommand,
  prerequisiteOf,
  type Prerequisite,
} from './prerequisites';
export { meshTrustMaterial, setMeshTrustMaterial, type MeshTrustMaterial } from './trust-material';
export { WARNING_METADATA, addSynthWarning, warningText } from './warnings';
