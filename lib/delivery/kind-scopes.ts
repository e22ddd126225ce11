/** Which kinds are cluster-scoped: rendered chart objects without a namespace get their release's namespace only when namespaced. */
import * as fs from 'fs';
import * as path from 'path';

/**
 * Cluster-scoped built-in kinds of Kubernetes 1.30 (`kubectl api-resources --namespaced=false`),
 * keyed `<group>/<kind>` with '' for the core group.
 */
export const CLUSTER_SCOPED_BUILTINS = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  '/ComponentStatus',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'authentication.k8s.io/TokenReview',
  'authentication.k8s.io/SelfSubjectReview',
  'authorization.k8s.io/SubjectAccessReview',
  'authorization.k8s.io/SelfSubjectAccessReview',
  'authorization.k8s.io/SelfSubjectRulesReview',
  'certificates.k8s.io/CertificateSigningRequest',
  'certificates.k8s.io/ClusterTrustBundle',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'internal.apiserver.k8s.io/StorageVersion',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'node.k8s.io/RuntimeClass',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'resource.k8s.io/ResourceClass',
  'resource.k8s.io/ResourceSlice',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/VolumeAttachment',
  'storage.k8s.io/VolumeAttributesClass',
  'storagemigration.k8s.io/StorageVersionMigration',
]);

let importedCrdScopes: Map<string, string> | undefined;

/** Scopes of the imported CRDs (imports/schemas/crds headers), keyed `<group>/<kind>`. */
export function importedCrdScope(): Map<string, string> {
  if (importedCrdScopes) return importedCrdScopes;
  importedCrdScopes = new Map();
  const dir = path.join(__dirname, '../../imports/schemas/crds');
  if (fs.existsSync(dir)) {
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const header = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).header ?? {};
      if (header.group && header.kind && header.scope) importedCrdScopes.set(`${header.group}/${header.kind}`, header.scope);
    }
  }
  return importedCrdScopes;
}

export function groupKind(apiVersion: string, kind: string): string {
  return `${apiVersion.includes('/') ? apiVersion.split('/')[0] : ''}/${kind}`;
}

let builtInKinds: Set<string> | undefined;

/**
 * The kinds Kubernetes 1.30 serves itself, keyed `<apiVersion>/<kind>`: the `kinds` table of the
 * built-in schemas the synth-time gate validates against (imports/schemas/kubernetes-1.30.json,
 * generated from the Kubernetes 1.30.1 OpenAPI). Every other kind needs a CRD.
 */
function builtIns(): Set<string> {
  if (builtInKinds) return builtInKinds;
  const file = path.join(__dirname, '../../imports/schemas', BUILT_IN_SCHEMA_FILE);
  const kinds: Record<string, Record<string, string>> = JSON.parse(fs.readFileSync(file, 'utf8')).kinds ?? {};
  builtInKinds = new Set(Object.entries(kinds).flatMap(([apiVersion, byKind]) => Object.keys(byKind).map((k) => `${apiVersion}/${k}`)));
  return builtInKinds;
}

/** Schema file of the built-in kinds (the Kubernetes version of HELM_TEMPLATE_KUBE_VERSION). */
const BUILT_IN_SCHEMA_FILE = 'kubernetes-1.30.json';

/** True when Kubernetes serves `apiVersion` `kind` itself (no CRD is needed). */
export function isBuiltInKind(apiVersion: string, kind: string): boolean {
  return builtIns().has(`${apiVersion}/${kind}`);
}
