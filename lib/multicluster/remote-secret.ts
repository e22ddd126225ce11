import { Construct } from 'constructs';
import {
  ExternalSecret,
  ExternalSecretSpecSecretStoreRefKind,
  ExternalSecretSpecTargetCreationPolicy,
} from '../../imports/eso-externalsecret-external-secrets.io';
import { MeshCluster } from '../core/cluster';
import { addPrerequisite } from '../core/prerequisites';
import { EXTERNAL_SECRETS_OPERATOR, clusterSecretStorePrerequisite, storeEntriesPrerequisite } from '../core/secret-store';
import { ClusterModel, ISTIO_NAMESPACE, RemoteSecretStoreModel } from '../spec';
import {
  MULTICLUSTER_SECRET_LABEL,
  REMOTE_CLUSTER_ANNOTATION,
  REMOTE_SECRET_STORE_PROPERTY,
  REMOTE_SECRET_STORE_SECRET,
  remoteSecretName,
} from './upstream-names';

/** Remote key, in the secret store, of the kubeconfig that lets other clusters' istiod read `remote`. */
export function remoteSecretStoreKey(store: RemoteSecretStoreModel, remote: ClusterModel): string {
  return `${store.remoteKeyPrefix}/${remote.name}/${REMOTE_SECRET_STORE_SECRET}`;
}

/**
 * The manual step when no secret store is configured: istioctl reads `remote` with its kubeconfig context and applies
 * the Secret in `reader` ("Enable Endpoint Discovery" in
 * https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/).
 */
export function createRemoteSecretCommand(reader: ClusterModel, remote: ClusterModel): string {
  return `istioctl create-remote-secret --context=${remote.context} --name=${remote.name} | kubectl apply --context=${reader.context} -f -`;
}

/**
 * The command that prints the kubeconfig to upload to the secret store for `remote`: istioctl writes it, base64-encoded,
 * under the Secret's `data.<remote>` (createRemoteServiceAccountSecret in istioctl/pkg/multicluster/remote_secret.go,
 * istio/istio 1.29.1; istioctl has no output flag, so kubectl's client-side dry run extracts the key).
 */
export function remoteKubeconfigCommand(remote: ClusterModel): string {
  return (
    `istioctl create-remote-secret --context=${remote.context} --name=${remote.name}` +
    ` | kubectl create --context=${remote.context} --dry-run=client -f - -o jsonpath='{.data.${remote.name}}' | base64 -d`
  );
}

export interface RemoteSecretProps {
  /** The cluster whose API server the Secret gives access to (the `to` of a link). */
  readonly remote: ClusterModel;
  /** Where its kubeconfig is kept. */
  readonly store: RemoteSecretStoreModel;
  /**
   * How often External Secrets re-reads the store.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * The GitOps form of `istioctl create-remote-secret --name=<remote> | kubectl apply -f -` in the reading cluster: an
 * ExternalSecret that builds the Secret `istio-remote-secret-<remote>` in istio-system, labelled `istio/multiCluster:
 * "true"` and annotated `networking.istio.io/cluster: <remote>`, whose key `<remote>` is the kubeconfig
 * (createRemoteServiceAccountSecret in istioctl/pkg/multicluster/remote_secret.go, istio/istio 1.29.1). istiod watches
 * Secrets with that label in its namespace and reads every key as a cluster ID with its kubeconfig
 * (pkg/kube/multicluster/secretcontroller.go). The credentials stay in the store: with `target.template.metadata` only,
 * External Secrets copies the data as read and adds the label and annotation (`applyTemplate` in
 * external-secrets/external-secrets pkg/controllers/externalsecret/externalsecret_controller_template.go). Create it
 * inside the `MeshCluster` that reads `remote`.
 */
export class RemoteSecret extends Construct {
  /** The ExternalSecret object. */
  public readonly resource: ExternalSecret;
  public readonly remote: ClusterModel;

  public constructor(scope: Construct, id: string, props: RemoteSecretProps) {
    super(scope, id);
    const { cluster } = MeshCluster.enclosing(this);
    const { remote, store } = props;
    if (remote.name === cluster.name) {
      throw new Error(
        `remote secret for cluster '${remote.name}' is created in cluster '${cluster.name}' itself: istiod reads its own cluster without one; create it in the clusters that link to '${remote.name}'`,
      );
    }
    this.remote = remote;
    const name = remoteSecretName(remote.name);
    this.resource = new ExternalSecret(this, 'Resource', {
      metadata: { name, namespace: ISTIO_NAMESPACE },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE, name: store.clusterSecretStore },
        target: {
          name,
          creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER,
          template: {
            metadata: {
              labels: { [MULTICLUSTER_SECRET_LABEL]: 'true' },
              annotations: { [REMOTE_CLUSTER_ANNOTATION]: remote.name },
            },
          },
        },
        data: [{ secretKey: remote.name, remoteRef: { key: remoteSecretStoreKey(store, remote), property: REMOTE_SECRET_STORE_PROPERTY } }],
      },
    });
    // The kubeconfig is uploaded once per remote cluster; every cluster that links to it reads the same entry.
    addPrerequisite(this, EXTERNAL_SECRETS_OPERATOR);
    addPrerequisite(this, clusterSecretStorePrerequisite(store.clusterSecretStore));
    addPrerequisite(
      this,
      storeEntriesPrerequisite(
        [{ store: store.clusterSecretStore, remoteKey: remoteSecretStoreKey(store, remote), properties: [REMOTE_SECRET_STORE_PROPERTY] }],
        `the ExternalSecret ${ISTIO_NAMESPACE}/${name} (istiod's remote secret for cluster ${remote.name})`,
        `${remoteKubeconfigCommand(remote)}  # prints the kubeconfig to store`,
      ),
    );
  }
}
