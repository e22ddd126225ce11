// The composition root and what runs on it: SpireMesh, synthesis, the multicluster check, the review page.
export {
  TRUST_DOMAIN_ISSUES,
  checkMesh,
  formatCheckFinding,
  type CheckCertificates,
  type CheckFinding,
  type CheckInput,
  type ClusterCheckInput,
} from './check';
export { SpireMesh, type MeshComponentsProps, type SpireMeshProps } from './mesh';
export { REVIEW_PAGE_FILE, REVIEW_PAGE_MARKER, renderReviewPage, type ReviewPageMesh } from './review-page';
export { clusterList, groupPrerequisites, type ClusterPrerequisiteList, type GroupedPrerequisite } from './prerequisites';
export { formatSummary } from './summary';
export { SynthesisError, defaultOutdir, synthesize, type ClusterSummary, type SynthesisResult, type SynthesizeOptions } from './synthesize';
