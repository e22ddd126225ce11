// The output machinery: collect objects from the tree, lay them out and order them, render
// manifests, kustomization and index, run the trust gates, and write atomically with scoped pruning.
export { collectObjects, type Collected } from './collect';
export {
  fileTextHasPrivateKey,
  gateFinding,
  imagePinProblem,
  policyGate,
  schemaGate,
  secretsGate,
  type GateFinding,
  type PolicyGateOptions,
} from './gates';
export { compareForApply, describeObject, kindRank, objectFilePath, type RenderedObject } from './layout';
export { generatorInfo, pinnedVersions, sha256, specDigest } from './provenance';
export {
  KUSTOMIZATION_FILE,
  renderClusterFiles,
  renderIndex,
  renderKustomization,
  renderManifests,
  type ClusterFiles,
  type RenderedFile,
  type TrustFacts,
} from './render';
export {
  INDEX_FILE,
  OutputConflictError,
  applyOutput,
  planHasChanges,
  planOutput,
  planOwnedFile,
  recordedOutputFiles,
  type DirectoryOutput,
  type DirectoryReport,
  type RecordedMeshOutput,
  type WritePlan,
} from './writer';
export { commitChanges, hasInterruptedWrite, recoverOutput, type CommitOptions } from './journal';
export { OutputLock, withOutputLock, type LockedRunOptions, type OutputLockOptions } from './lock';
export { OutputLockedError, OutputRecoveryError, OutputWriteError } from './output-errors';
export {
  HookedOutputFs,
  NODE_OUTPUT_FS,
  SimulatedKill,
  failWith,
  killAfter,
  type OutputFs,
  type OutputFsHook,
  type OutputFsStep,
} from './output-fs';
