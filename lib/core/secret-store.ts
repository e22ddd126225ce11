/**
 * Prerequisites of External Secrets, shared by every component that renders an ExternalSecret (the CA secrets, the Solo
 * license, the remote secrets): the operator with its CRDs, the ClusterSecretStore and the entries read from it. The same
 * key recorded in several components or clusters is one prerequisite; `<context>` in a command is the kube context of
 * each cluster it concerns.
 */
import { Prerequisite } from './prerequisites';

/** API version of the ExternalSecrets rendered (the imported CRD, external-secrets v2.9.0 serves only v1). */
const EXTERNAL_SECRETS_API = 'external-secrets.io/v1';

/**
 * External Secrets Operator with its CRDs: the Helm install of https://external-secrets.io/latest/introduction/getting-started/
 * (the chart installs and manages the CRDs by default, `installCRDs: true`).
 */
export const EXTERNAL_SECRETS_OPERATOR: Prerequisite = {
  key: 'operator:external-secrets',
  what: `External Secrets Operator with its CRDs (ExternalSecret and ClusterSecretStore, ${EXTERNAL_SECRETS_API})`,
  why: 'the ExternalSecrets of the cluster directory build their Secrets through it; without the CRDs the apply fails with "no matches for kind ExternalSecret"',
  command:
    'helm repo add external-secrets https://charts.external-secrets.io && helm --kube-context <context> install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace',
};

/** A ClusterSecretStore the ExternalSecrets read from: its backend and credentials are the team's. */
export function clusterSecretStorePrerequisite(store: string): Prerequisite {
  return {
    key: `cluster-secret-store:${store}`,
    what: `the ClusterSecretStore '${store}' (External Secrets), Ready and connected to the secret store backend`,
    why: `every ExternalSecret of the cluster directory with secretStoreRef ClusterSecretStore/${store} reads from it`,
    command: `kubectl --context <context> apply -f <ClusterSecretStore manifest of ${store}> && kubectl --context <context> wait --for=condition=Ready clustersecretstore/${store}`,
  };
}

/** One entry of a secret store: a remote key with the properties an ExternalSecret reads. */
export interface StoreEntry {
  readonly store: string;
  readonly remoteKey: string;
  readonly properties: readonly string[];
}

/** The key of a store entry's prerequisite: the same entry read by several clusters is one prerequisite. */
export function storeEntryKey(entry: Pick<StoreEntry, 'store' | 'remoteKey'>): string {
  return `store-entry:${entry.store}/${entry.remoteKey}`;
}

/** "remote key `k` (properties a, b)" */
function describeEntry(entry: Pick<StoreEntry, 'remoteKey' | 'properties'>): string {
  return `remote key \`${entry.remoteKey}\` (propert${entry.properties.length === 1 ? 'y' : 'ies'} ${entry.properties.map((p) => `\`${p}\``).join(', ')})`;
}

/**
 * Store entries someone uploads: what they hold, who reads them, and the command that prints or stores the value.
 * Several entries uploaded together (one `pki export`) are one prerequisite, keyed by the first.
 */
export function storeEntriesPrerequisite(entries: readonly StoreEntry[], readBy: string, command: string): Prerequisite {
  const store = entries[0].store;
  return {
    key: storeEntryKey(entries[0]),
    what: `in the secret store behind ClusterSecretStore '${store}': ${entries.map(describeEntry).join(' and ')}`,
    why: `${readBy} read${entries.length === 1 ? 's it' : ' them'}`,
    command,
  };
}

/**
 * Commands that store one value under a remote key with one property, for the two most common backends of External
 * Secrets: HashiCorp Vault KV (the key is the path below the store's mount) and AWS Secrets Manager (the property is a
 * JSON field of the secret string): https://external-secrets.io/latest/provider/hashicorp-vault/ and
 * https://external-secrets.io/latest/provider/aws-secrets-manager/.
 */
export function storeValueCommand(remoteKey: string, property: string, value: string): string {
  return (
    `vault kv put -mount=<mount> ${remoteKey} ${property}=${value}` +
    `  # or, AWS Secrets Manager: aws secretsmanager create-secret --name ${remoteKey} --secret-string '{"${property}":"${value}"}'`
  );
}
