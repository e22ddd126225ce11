/**
 * Prerequisites of the CA delivery, each with the command that satisfies it: cert-manager and the issuer it signs with,
 * and the command that exports the values the CA ExternalSecrets read (External Secrets itself, its stores and entries:
 * lib/core/secret-store.ts). `<context>` in a command is the kube context of each cluster the prerequisite concerns.
 */
import { Prerequisite } from '../core/prerequisites';
import { CertManagerCaDeliveryModel, DEFAULT_SECRETS_DIRECTORY, MeshModel } from '../spec';

/**
 * cert-manager with its CRDs: the Helm install of https://cert-manager.io/docs/installation/helm/ (`crds.enabled=true`
 * installs the CRDs with the release).
 */
export const CERT_MANAGER_OPERATOR: Prerequisite = {
  key: 'operator:cert-manager',
  what: 'cert-manager with its CRDs (Certificate, CertificateRequest, Issuer, ClusterIssuer)',
  why: 'istiod\'s CA Certificate and SPIRE\'s cert-manager UpstreamAuthority are issued by it; without the CRDs the apply fails with "no matches for kind Certificate"',
  command:
    'helm repo add jetstack https://charts.jetstack.io --force-update && helm --kube-context <context> install cert-manager jetstack/cert-manager -n cert-manager --create-namespace --set crds.enabled=true',
};

/**
 * The `pki export` command of a mesh: it writes the values to upload, keyed by the remote keys the ExternalSecrets read
 * (lib/cli/pki-commands.ts), to `<secrets folder>/<mesh>/<cluster>-export.json` (mode 0600). The `spiremesh` command
 * runs the project's cdk8s.yaml app for a TypeScript mesh, and takes the file of a mesh from a YAML inventory.
 * @param cluster the cluster whose values are exported; none for the mesh root (cert-manager with `rootSecretStore`)
 */
export function pkiExportCommand(mesh: MeshModel, cluster?: string): string {
  const app = mesh.sourceDir !== undefined ? 'spiremesh pki export --inventory <inventory file>' : 'spiremesh pki export';
  const file = `${DEFAULT_SECRETS_DIRECTORY}/${mesh.name}/${cluster !== undefined ? `${cluster}-export.json` : 'root-ca-export.json'}`;
  return `${app}${cluster !== undefined ? ` --cluster ${cluster}` : ''}  # writes ${file} (mode 0600): upload each top-level key with its properties, then delete the file`;
}

/** The issuer cert-manager signs the mesh's CAs with, when the team runs it (no `rootSecretStore`). */
export function certManagerIssuerPrerequisite(delivery: CertManagerCaDeliveryModel, namespaces: readonly string[]): Prerequisite {
  const kind = delivery.issuerKind.value;
  const resource = kind.toLowerCase();
  const where = kind === 'ClusterIssuer' ? '' : ` in namespace${namespaces.length === 1 ? '' : 's'} ${namespaces.join(', ')}`;
  const wait =
    kind === 'ClusterIssuer'
      ? `kubectl --context <context> wait --for=condition=Ready ${resource}/${delivery.issuerName}`
      : namespaces
          .map((ns) => `kubectl --context <context> -n ${ns} wait --for=condition=Ready ${resource}/${delivery.issuerName}`)
          .join(' && ');
  return {
    key: `issuer:${kind}/${delivery.issuerName}`,
    what: `the cert-manager ${kind} '${delivery.issuerName}'${where}, Ready, signing with a CA that chains to the mesh root`,
    why: "istiod's CA Certificate and SPIRE's CertificateRequests reference it (pki.delivery.issuerName)",
    command: `kubectl --context <context> apply -f <${kind} manifest of ${delivery.issuerName}> && ${wait}`,
  };
}
