// The fleet bootstrap (`<out>/_fleet/`): what makes Argo CD or Flux sync every cluster directory.
export { fluxObjects, renderFleetBootstrap, runtimePatchedFields, type FleetBootstrap, type RuntimePatchedField } from './bootstrap';
export { clusterStages, firstStageHealthChecks, type FleetStage, type HealthCheck } from './stages';
export {
  ARGOCD_APPLICATION_HEALTH_KEY,
  ARGOCD_APPLICATION_HEALTH_LUA,
  ARGOCD_CM_NAME,
  ARGOCD_CM_PATCH_FOLDER,
  FLEET_DIRECTORY,
  bootstrapName,
} from './names';
