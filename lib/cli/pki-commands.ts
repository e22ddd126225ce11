/** `pki init | status | rotate | export`: the CA lifecycle of a declared mesh. */
import * as path from 'path';
import {
  CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  CertificateStatus,
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
import { DEFAULT_SECRETS_DIRECTORY, MeshModel, SpiremeshError } from '../spec';
import { CliArgs, UsageError } from './args';

/*
 * Relative spec folders belong to the project folder (pkiStoreFor), whatever folder the command
 * runs from; `--out` and `--file` are command-line paths, relative to the working directory.
 */

function storeOf(mesh: MeshModel, args: CliArgs): PkiStore {
  // The output folder synth would write to from here: no key may land inside it.
  const store = pkiStoreFor(mesh, { outputDirectory: path.resolve(args.outdir) });
  if (!store)
    // The mesh, not the command line, is what makes the command impossible: a finding (exit 1), not a usage error.
    throw new SpiremeshError(
      `mesh '${mesh.name}' uses a cert-manager issuer the team runs as its CA (pki.delivery.mode: cert-manager, no rootSecretStore): ` +
        'there is no local CA material to manage; set pki.delivery.rootSecretStore to let spiremesh keep the mesh root and render the issuer from it',
      [],
    );
  return store;
}

function requireCluster(mesh: MeshModel, args: CliArgs): string {
  const names = mesh.clusters.map((c) => c.name).join(', ');
  if (!args.cluster) throw new UsageError(`pki ${args.subcommand} needs --cluster NAME (one of ${names})`);
  assertCluster(mesh, args.cluster);
  return args.cluster;
}

/** A --cluster that names no cluster of the mesh is a usage error. */
function assertCluster(mesh: MeshModel, cluster: string): void {
  if (!mesh.clusters.some((c) => c.name === cluster))
    throw new UsageError(
      `--cluster '${cluster}': no cluster '${cluster}' in mesh '${mesh.name}'; use one of ${mesh.clusters.map((c) => c.name).join(', ')}`,
    );
}

/** What a pki subcommand printed, its exit code, and (pki status) its rows for --json. */
export interface PkiCommandResult {
  readonly text: string;
  readonly exitCode: number;
  readonly rows?: readonly CertificateStatus[];
}

/**
 * Rows that make `pki status` exit 1: a key that does not match, and a current certificate whose chain fails
 * or that is missing, invalid, expired or not yet valid (a retired one only for a mismatch or an invalid file).
 */
export function failingStatusRows(rows: readonly CertificateStatus[]): CertificateStatus[] {
  return rows.filter(
    (r) =>
      r.keyMatches === false ||
      r.state === 'invalid' ||
      (!r.retired && (!r.chainVerified || r.state === 'missing' || r.state === 'expired' || r.state === 'not-yet-valid')),
  );
}

/** `pki status`: the table, exit 1 on a failing row; with `strict`, also on a certificate that expires soon. */
function pkiStatusCommand(store: PkiStore, strict: boolean): PkiCommandResult {
  const rows = pkiStatus(store);
  const failing = failingStatusRows(rows);
  const expiring = rows.filter((r) => !r.retired && r.state === 'expiring');
  const lines = [formatStatusTable(rows)];
  if (failing.length > 0) {
    lines.push(`${failing.length} certificate(s) need attention:`);
    for (const r of failing) lines.push(`  ${r.cluster ?? '(mesh)'} ${r.role}${r.retired ? ' (retired)' : ''}: ${r.problem ?? r.state}`);
  }
  if (strict && expiring.length > 0) lines.push(`--strict: ${expiring.length} certificate(s) expire within ${store.warnWithinDays} days`);
  const exitCode = failing.length > 0 || (strict && expiring.length > 0) ? 1 : 0;
  return { text: lines.join('\n'), exitCode, rows };
}

/** Runs a pki subcommand: the text to print (never a private key, except `export --stdout`) and the exit code. */
export function runPkiSubcommand(mesh: MeshModel, args: CliArgs): PkiCommandResult {
  if (args.json && args.subcommand !== 'status') throw new UsageError(`--json is for pki status only, not pki ${args.subcommand}`);
  const store = storeOf(mesh, args);
  if (args.subcommand === 'status') return pkiStatusCommand(store, args.strict);
  const text = runPkiCommand(mesh, args, store);
  return { text, exitCode: args.strict && args.subcommand === 'init' && text.includes('\n  ! ') ? 1 : 0 };
}

/** Runs a pki subcommand; returns the text to print (never a private key, except `export --stdout`). */
export function runPkiCommand(mesh: MeshModel, args: CliArgs, store: PkiStore = storeOf(mesh, args)): string {
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
  if (args.cluster !== undefined) assertCluster(mesh, args.cluster);
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
