/** `pki init | status | rotate | export`: the CA lifecycle of a declared mesh. */
import * as path from 'path';
import {
  CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  ISTIO_CACERTS_SECRET_NAME,
  IntermediateKind,
  MESH_ROOT_CA_SECRET_NAME,
  PkiStore,
  SPIRE_UPSTREAM_CA_SECRET_NAME,
  assertKeyCustody,
  ensurePrivateTree,
  formatStatusTable,
  meshRootIssuerDelivery,
  meshRootRemoteKey,
  pkiStatus,
  pkiStoreFor,
  remoteSecretKey,
  rotateIntermediate,
  writePrivateExport,
} from '../pki';
import { DEFAULT_SECRETS_DIRECTORY, MeshModel } from '../spec';
import { CliArgs, UsageError } from './args';

/*
 * Relative spec folders belong to the project folder (pkiStoreFor), whatever folder the command
 * runs from; `--out` and `--file` are command-line paths, relative to the working directory.
 */

function storeOf(mesh: MeshModel, args: CliArgs): PkiStore {
  // The output folder synth would write to from here: no key may land inside it.
  const store = pkiStoreFor(mesh, { outputDirectory: path.resolve(args.outdir) });
  if (!store)
    throw new UsageError(
      `mesh '${mesh.name}' uses a cert-manager issuer the team runs as its CA (pki.delivery.mode: cert-manager, no rootSecretStore): ` +
        'there is no local CA material to manage; set pki.delivery.rootSecretStore to let spiremesh keep the mesh root and render the issuer from it',
    );
  return store;
}

function requireCluster(mesh: MeshModel, args: CliArgs): string {
  if (!args.cluster)
    throw new UsageError(`pki ${args.subcommand} needs --cluster NAME (one of ${mesh.clusters.map((c) => c.name).join(', ')})`);
  mesh.cluster(args.cluster); // throws with the list of clusters when unknown
  return args.cluster;
}

/** Runs a pki subcommand; returns the text to print (never a private key, except `export --stdout`). */
export function runPkiCommand(mesh: MeshModel, args: CliArgs): string {
  const store = storeOf(mesh, args);
  switch (args.subcommand) {
    case 'init': {
      const r = store.ensure();
      return [
        `mesh ${mesh.name}: ${r.created.length} file(s) generated, ${r.reused.length} certificate(s) reused`,
        ...r.created.map((f) => `  + ${path.relative(process.cwd(), f)}`),
        ...r.warnings.map((w) => `  ! ${w.message}`),
      ].join('\n');
    }
    case 'status':
      return formatStatusTable(pkiStatus(store));
    case 'rotate': {
      const cluster = requireCluster(mesh, args);
      const which = args.which ?? 'both';
      const kinds = which === 'both' ? IntermediateKind.ALL : IntermediateKind.ALL.filter((k) => k.id === which);
      if (kinds.length === 0) throw new UsageError(`--which must be spire, istio or both, not '${which}'`);
      return (
        kinds
          .map((k) => {
            const r = rotateIntermediate(store, cluster, k);
            return (
              `cluster ${cluster}: new ${k.description} ${r.serial} (valid until ${r.notAfter.toISOString().slice(0, 10)}); ` +
              `the previous one (${r.retiredSerial}) is kept in ${path.relative(process.cwd(), r.retiredCertFile)} and stays valid until it expires`
            );
          })
          .join('\n') + `\nnext: synthesize, then deliver the new secret values (${mesh.pki.delivery.mode.value})`
      );
    }
    case 'export': {
      if (store.rootOnly) return exportMeshRoot(mesh, store, args);
      const cluster = requireCluster(mesh, args);
      const secrets = store.export(cluster);
      const clusterModel = mesh.cluster(cluster);
      // Keyed by the remote keys the ExternalSecrets read, so the file can be uploaded as is.
      const values: Record<string, Record<string, string>> = {};
      const delivery = mesh.pki.delivery;
      for (const s of [secrets.spireUpstreamCa, secrets.istioCacerts]) {
        const key = delivery.kind === 'external-secrets' ? remoteSecretKey(delivery, clusterModel, s.name) : `${cluster}/${s.name}`;
        values[key] = s.stringData();
      }
      const json = `${JSON.stringify(values, null, 2)}\n`;
      if (args.stdout) return json.trimEnd();
      const file = writeExport(mesh, store, args, json, `${cluster}-export.json`, cluster);
      return [
        `wrote the CA secret values of ${cluster} to ${path.relative(process.cwd(), file)} (mode 0600; holds private keys: never commit it, delete it after the upload)`,
        ...Object.keys(values).map((k) => `  ${k}: ${Object.keys(values[k]).join(', ')}`),
        `secrets: ${SPIRE_UPSTREAM_CA_SECRET_NAME} (namespace spire-server), ${ISTIO_CACERTS_SECRET_NAME} (namespace istio-system)`,
      ].join('\n');
    }
    default:
      throw new UsageError(`pki needs a subcommand: init, status, rotate or export (got '${args.subcommand ?? ''}')`);
  }
}

/** Writes export values to `--file`, else to `<secrets folder>/<mesh>/<defaultName>` (mode 0600); returns the file. */
function writeExport(mesh: MeshModel, store: PkiStore, args: CliArgs, json: string, defaultName: string, cluster?: string): string {
  if (args.file !== undefined) {
    // Only that file is written: its folder must exist and is never created or chmod-ed.
    return writePrivateExport(args.file, json, { ...store.custody, cluster });
  }
  const delivery = mesh.pki.delivery;
  const root = path.resolve(store.layout.baseDir, delivery.kind === 'kubectl' ? delivery.outputDirectory : DEFAULT_SECRETS_DIRECTORY);
  const target = path.join(root, mesh.name, defaultName);
  assertKeyCustody({ ...store.custody, secretsDirectory: root });
  ensurePrivateTree(root, path.dirname(target));
  return writePrivateExport(target, json, { ...store.custody, cluster });
}

/**
 * cert-manager with `rootSecretStore`: one value set for the whole mesh, the root that every
 * cluster's CA ClusterIssuer signs with, keyed by the remote key its ExternalSecret reads
 * (properties tls.crt and tls.key). `--cluster` is optional: every cluster reads the same key.
 */
function exportMeshRoot(mesh: MeshModel, store: PkiStore, args: CliArgs): string {
  if (args.cluster !== undefined) mesh.cluster(args.cluster); // throws with the list of clusters when unknown
  const material = store.exportRoot();
  const values = { [meshRootRemoteKey(mesh)]: material.stringData() };
  const json = `${JSON.stringify(values, null, 2)}\n`;
  if (args.stdout) return json.trimEnd();
  const file = writeExport(mesh, store, args, json, 'root-ca-export.json');
  const delivery = meshRootIssuerDelivery(mesh);
  return [
    `wrote the mesh root of ${mesh.name} to ${path.relative(process.cwd(), file)} (mode 0600; holds the root private key: never commit it, delete it after the upload)`,
    ...Object.keys(values).map((k) => `  ${k}: ${material.keys.join(', ')}`),
    `upload it to ClusterSecretStore ${delivery?.rootSecretStore}: every cluster's ExternalSecret ${CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE}/${MESH_ROOT_CA_SECRET_NAME} ` +
      `builds the kubernetes.io/tls Secret of ClusterIssuer ${delivery?.issuerName} from it`,
  ].join('\n');
}
