/** Small helpers for the RBAC objects of the SPIRE constructs (Kubernetes L1 classes). */
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';

/** A ServiceAccount subject. */
export function serviceAccountSubject(name: string, namespace: string): k8s.Subject {
  return { kind: 'ServiceAccount', name, namespace };
}

/** A namespaced Role and its RoleBinding to one ServiceAccount, both named `name`. */
export function roleWithBinding(
  scope: Construct,
  id: string,
  props: { name: string; namespace: string; rules: k8s.PolicyRule[]; subject: k8s.Subject },
): void {
  new k8s.KubeRole(scope, `${id}Role`, { metadata: { name: props.name, namespace: props.namespace }, rules: props.rules });
  new k8s.KubeRoleBinding(scope, `${id}RoleBinding`, {
    metadata: { name: props.name, namespace: props.namespace },
    subjects: [props.subject],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: props.name },
  });
}

/** A ClusterRole and its ClusterRoleBinding to one ServiceAccount, both named `name`. */
export function clusterRoleWithBinding(
  scope: Construct,
  id: string,
  props: { name: string; rules: k8s.PolicyRule[]; subject: k8s.Subject },
): void {
  new k8s.KubeClusterRole(scope, `${id}ClusterRole`, { metadata: { name: props.name }, rules: props.rules });
  new k8s.KubeClusterRoleBinding(scope, `${id}ClusterRoleBinding`, {
    metadata: { name: props.name },
    subjects: [props.subject],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: props.name },
  });
}
