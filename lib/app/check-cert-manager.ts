/**
 * The mesh check for cert-manager as the CA (`pki.delivery.mode: cert-manager`): every cluster
 * chains to one root. It reads what synthesis is about to write (istiod's CA Certificate, SPIRE's
 * server.conf, the ClusterIssuer and the ExternalSecret of the mesh root) and the mesh root that
 * spiremesh holds with `rootSecretStore`. In this mode it stands in for the intermediate-certificate
 * check of check.ts: the per-cluster CAs are issued in-cluster, so there are no intermediates on disk.
 *
 * This module does not import check.ts (check.ts calls it): its input and findings have the
 * shapes of `CheckInput` and `CheckFinding`.
 */
import { CheckFinding, CheckFindingInput, checkFinding } from './check-finding';
import { CertificateInfo, daysLeft } from '../pki';
import {
  CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE,
  CERT_MANAGER_LIMITS,
  CertManagerIssuerRef,
  ISTIOD_CA_CERTIFICATE_NAME,
  certManagerIssuerRef,
  meshRootIssuerDelivery,
  meshRootRemoteKey,
} from '../pki/cert-manager';
import { MESH_ROOT_CA_SECRET_NAME, SECRET_KEYS } from '../pki/material';
import {
  CertManagerCaDeliveryModel,
  ClusterModel,
  ISTIO_NAMESPACE,
  IssuerKind,
  MeshModel,
  goDurationProblem,
  goDurationSeconds,
} from '../spec';
import { CERT_MANAGER_API_GROUP, SPIRE_CONFIG_KEYS, SPIRE_NAMES } from '../spire/names';

/** Check names of the findings below. */
export const CERT_MANAGER_CHECKS = {
  /** The chain to the one mesh root (the name check.ts gives its intermediate-chain findings). */
  root: 'Intermediate Certs Compatibility Check',
  /** The issuer references and the Certificate settings cert-manager accepts. */
  issuer: 'cert-manager Issuer Check',
} as const;

/** What this check reads of one cluster (a subset of check.ts's `ClusterCheckInput`). */
export interface CertManagerClusterInput {
  readonly cluster: ClusterModel;
  /** Rendered objects of the cluster (JSON). */
  readonly manifests: readonly any[];
}

/** What this check reads (a subset of check.ts's `CheckInput`). */
export interface CertManagerCheckInput {
  readonly mesh: MeshModel;
  readonly clusters: readonly CertManagerClusterInput[];
  /**
   * The mesh certificates spiremesh holds: with `rootSecretStore`, the mesh root (there are no
   * per-cluster intermediates on disk in this mode).
   * @default - not known yet: a synth generates a missing root before it writes, and checks again
   * with it; a broken or unreadable root is reported by the PKI step itself
   */
  readonly certificates?: { readonly root: CertificateInfo };
  /** @default - now */
  readonly now?: Date;
  /** @default 30 */
  readonly expiryWarningDays?: number;
}

/** A finding of this check. */
export type CertManagerCheckFinding = CheckFinding;

type FindingInput = CheckFindingInput;

/** The remote source of the mesh root's Secret in one cluster, for the cross-cluster comparison. */
interface RootSource {
  readonly cluster: string;
  readonly store: string;
  /** `<remote key>#<property>` per Secret key, in Secret key order. */
  readonly entries: string;
}

/**
 * The cert-manager findings of a mesh; none when `pki.delivery.mode` is not cert-manager.
 * Errors: an istiod CA Certificate or SPIRE UpstreamAuthority that references another issuer
 * than the spec's, durations cert-manager's webhook refuses, and with `rootSecretStore` a cluster
 * whose ClusterIssuer is missing, reads another Secret, or builds it from another store or remote
 * key than the others (it would not chain to the mesh root), and an expired mesh root.
 * Warnings: a mesh root about to expire, and without `rootSecretStore` that spiremesh cannot
 * verify that the named issuer is backed by the same root everywhere.
 */
export function checkCertManager(input: CertManagerCheckInput): CertManagerCheckFinding[] {
  const { mesh } = input;
  const delivery = mesh.pki.delivery;
  if (delivery.kind !== 'cert-manager') return [];
  const findings: CertManagerCheckFinding[] = [];
  const add = (f: FindingInput) => findings.push(checkFinding(f));
  const expected = certManagerIssuerRef(delivery);
  const rootIssuer = meshRootIssuerDelivery(mesh);
  const sources: RootSource[] = [];

  for (const ci of input.clusters) {
    const cluster = ci.cluster.name;
    istiodCertificateFindings(ci, delivery, expected, add);
    spireUpstreamFindings(ci, expected, add);
    if (rootIssuer) {
      const source = meshRootIssuerFindings(ci, mesh, rootIssuer.rootSecretStore, expected, add);
      if (source) sources.push({ cluster, ...source });
    }
  }

  if (rootIssuer) {
    // One root: every cluster builds its issuer's Secret from the same store and remote key.
    const [first, ...rest] = sources;
    for (const other of rest.filter((s) => s.store !== first.store || s.entries !== first.entries)) {
      add({
        severity: 'error',
        check: CERT_MANAGER_CHECKS.root,
        cluster: other.cluster,
        subject: `ExternalSecret ${CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE}/${MESH_ROOT_CA_SECRET_NAME}`,
        message:
          `builds the issuer's Secret from ${describeSource(other)}, but cluster ${first.cluster} builds it from ${describeSource(first)}: ` +
          'the clusters would not chain to one root',
        fix: 'render the mesh root issuer from the spec in every cluster (pki.delivery.rootSecretStore); do not override its ExternalSecret',
      });
    }
    rootCertificateFindings(input, add);
  } else {
    unverifiedIssuerFindings(input, delivery, add);
  }
  return findings;
}

function istiodCertificateFindings(
  ci: CertManagerClusterInput,
  delivery: CertManagerCaDeliveryModel,
  expected: CertManagerIssuerRef,
  add: (f: FindingInput) => void,
): void {
  const cluster = ci.cluster.name;
  const subject = `Certificate ${ISTIO_NAMESPACE}/${ISTIOD_CA_CERTIFICATE_NAME}`;
  const certificate = ci.manifests.find(
    (m) =>
      m.kind === 'Certificate' &&
      apiGroupOf(m) === CERT_MANAGER_API_GROUP &&
      m.metadata?.name === ISTIOD_CA_CERTIFICATE_NAME &&
      m.metadata?.namespace === ISTIO_NAMESPACE,
  );
  if (!certificate) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.issuer,
      cluster,
      subject,
      message: `is not rendered: istiod gets no CA (Secret cacerts) from ${describeRef(expected)}`,
      fix: 'keep the CA delivery component (CaSecretDelivery) in every cluster',
    });
    return;
  }
  const ref = {
    name: certificate.spec?.issuerRef?.name,
    // A Certificate's issuerRef defaults to kind Issuer and group cert-manager.io (https://cert-manager.io/docs/concepts/certificate/).
    kind: certificate.spec?.issuerRef?.kind || IssuerKind.ISSUER.value,
    group: certificate.spec?.issuerRef?.group || CERT_MANAGER_API_GROUP,
  };
  if (!sameRef(ref, expected)) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.issuer,
      cluster,
      subject: `${subject}: spec.issuerRef`,
      message: `references ${describeRef(ref)}, but the mesh's issuer is ${describeRef(expected)}: istiod and SPIRE would chain to different CAs`,
      fix: 'set pki.delivery.issuerName / issuerKind once; the Certificate and SPIRE are both derived from it',
    });
  }
  durationFindings(cluster, subject, certificate.spec?.duration, certificate.spec?.renewBefore, delivery, add);
}

/** cert-manager's webhook refuses these durations, so the Certificate would never be admitted. */
function durationFindings(
  cluster: string,
  subject: string,
  duration: unknown,
  renewBefore: unknown,
  delivery: CertManagerCaDeliveryModel,
  add: (f: FindingInput) => void,
): void {
  const parse = (value: unknown): number | undefined =>
    typeof value === 'string' && goDurationProblem(value) === undefined ? goDurationSeconds(value) : undefined;
  const lifetime = parse(duration);
  const renew = parse(renewBefore);
  const error = (field: string, message: string, fix: string) =>
    add({ severity: 'error', check: CERT_MANAGER_CHECKS.issuer, cluster, subject: `${subject}: spec.${field}`, message, fix });
  if (lifetime !== undefined && lifetime < CERT_MANAGER_LIMITS.minimumDurationSeconds) {
    error(
      'duration',
      `is ${String(duration)}; cert-manager refuses a Certificate duration under 1h`,
      `set pki.delivery.istiodCaDuration to 1h or more (now ${delivery.istiodCaDuration})`,
    );
  }
  if (renew !== undefined && renew < CERT_MANAGER_LIMITS.minimumRenewBeforeSeconds) {
    error(
      'renewBefore',
      `is ${String(renewBefore)}; cert-manager refuses a renewBefore under 5m`,
      `set pki.delivery.istiodCaRenewBefore to 5m or more (now ${delivery.istiodCaRenewBefore})`,
    );
  }
  if (lifetime !== undefined && renew !== undefined && renew >= lifetime) {
    error(
      'renewBefore',
      `${String(renewBefore)} is not shorter than the duration ${String(duration)}; cert-manager refuses the Certificate`,
      'set pki.delivery.istiodCaRenewBefore to a fraction of istiodCaDuration (a third or less), or a longer istiodCaDuration',
    );
  }
}

/** SPIRE's UpstreamAuthority must be the cert-manager plugin with the mesh's issuer. */
function spireUpstreamFindings(ci: CertManagerClusterInput, expected: CertManagerIssuerRef, add: (f: FindingInput) => void): void {
  const config = ci.manifests.find(
    (m) => m.kind === 'ConfigMap' && m.metadata?.name === SPIRE_NAMES.server && m.metadata?.namespace === SPIRE_NAMES.namespace,
  );
  const text = config?.data?.[SPIRE_CONFIG_KEYS.server];
  if (typeof text !== 'string') return; // no SPIRE server in this cluster
  let plugins: Record<string, any>[] | undefined;
  try {
    plugins = JSON.parse(text)?.plugins?.UpstreamAuthority;
  } catch {
    return; // not JSON: SPIRE's own config validation reports it
  }
  const subject = `ConfigMap ${SPIRE_NAMES.namespace}/${SPIRE_NAMES.server} ${SPIRE_CONFIG_KEYS.server}: UpstreamAuthority`;
  const names = (plugins ?? []).flatMap((p) => Object.keys(p ?? {}));
  const plugin = (plugins ?? []).find((p) => p && 'cert-manager' in p)?.['cert-manager'];
  if (!plugin) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.issuer,
      cluster: ci.cluster.name,
      subject,
      message:
        `is ${names.length > 0 ? `'${names.join(', ')}'` : 'not set'}, but pki.delivery.mode is cert-manager: ` +
        `SPIRE would not chain to ${describeRef(expected)} (this mode delivers no spiffe-upstream-ca Secret)`,
      fix: 'remove the upstreamAuthority override of the SPIRE component: its default is the cert-manager plugin with the spec issuer',
    });
    return;
  }
  const data = plugin.plugin_data ?? {};
  const ref = {
    name: data.issuer_name,
    // Empty issuer_kind and issuer_group default to "Issuer" and "cert-manager.io"
    // (spiffe/spire doc/plugin_server_upstreamauthority_cert_manager.md, v1.11.2).
    kind: data.issuer_kind || IssuerKind.ISSUER.value,
    group: data.issuer_group || CERT_MANAGER_API_GROUP,
  };
  if (!sameRef(ref, expected)) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.issuer,
      cluster: ci.cluster.name,
      subject: `${subject} cert-manager plugin_data`,
      message: `references ${describeRef(ref)}, but istiod's CA Certificate uses ${describeRef(expected)}: SPIRE and istiod would chain to different CAs`,
      fix: 'remove the upstreamAuthority override of the SPIRE component, or give it pki.delivery.issuerName / issuerKind',
    });
  }
}

/**
 * With `rootSecretStore`: the ClusterIssuer `issuerName` signs with the Secret that the
 * ExternalSecret builds from the mesh root. Returns the remote source of that Secret.
 */
function meshRootIssuerFindings(
  ci: CertManagerClusterInput,
  mesh: MeshModel,
  rootSecretStore: string,
  expected: CertManagerIssuerRef,
  add: (f: FindingInput) => void,
): Omit<RootSource, 'cluster'> | undefined {
  const cluster = ci.cluster.name;
  const error = (subject: string, message: string, fix: string) =>
    add({ severity: 'error', check: CERT_MANAGER_CHECKS.root, cluster, subject, message, fix });
  const issuer = ci.manifests.find(
    (m) => m.kind === expected.kind && apiGroupOf(m) === expected.group && m.metadata?.name === expected.name,
  );
  if (!issuer) {
    error(
      `${expected.kind} ${expected.name}`,
      'is not rendered, although pki.delivery.rootSecretStore says spiremesh runs the issuer from the mesh root',
      'keep the CA delivery component (CaSecretDelivery) in every cluster',
    );
    return undefined;
  }
  const secretName = issuer.spec?.ca?.secretName;
  if (typeof secretName !== 'string') {
    error(
      `${expected.kind} ${expected.name}: spec.ca`,
      'is not a CA issuer: it does not sign with the mesh root',
      `give it spec.ca.secretName: ${MESH_ROOT_CA_SECRET_NAME}`,
    );
    return undefined;
  }
  const namespace = CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE;
  const externalSecret = ci.manifests.find(
    (m) => m.kind === 'ExternalSecret' && m.metadata?.namespace === namespace && (m.spec?.target?.name ?? m.metadata?.name) === secretName,
  );
  if (!externalSecret) {
    error(
      `${expected.kind} ${expected.name}: spec.ca.secretName`,
      `reads Secret ${namespace}/${secretName}, which no ExternalSecret in this cluster builds from the mesh root`,
      `use Secret ${MESH_ROOT_CA_SECRET_NAME}, built from ClusterSecretStore ${rootSecretStore}`,
    );
    return undefined;
  }
  const subject = `ExternalSecret ${namespace}/${externalSecret.metadata?.name}`;
  const storeRef = externalSecret.spec?.secretStoreRef ?? {};
  const store = `${storeRef.kind ?? 'SecretStore'} ${storeRef.name}`;
  if (storeRef.kind !== 'ClusterSecretStore' || storeRef.name !== rootSecretStore) {
    error(
      `${subject}: spec.secretStoreRef`,
      `reads ${store}, not the mesh root store ClusterSecretStore ${rootSecretStore}`,
      `read ClusterSecretStore ${rootSecretStore} (pki.delivery.rootSecretStore)`,
    );
  }
  const remoteKey = meshRootRemoteKey(mesh);
  const data: any[] = Array.isArray(externalSecret.spec?.data) ? externalSecret.spec.data : [];
  const entries = SECRET_KEYS[MESH_ROOT_CA_SECRET_NAME].map((key) => {
    const entry = data.find((d) => d?.secretKey === key);
    if (!entry) {
      error(
        `${subject}: spec.data`,
        `has no entry for ${key}: cert-manager's CA issuer needs tls.crt and tls.key`,
        `add {secretKey: ${key}, remoteRef: {key: ${remoteKey}, property: ${key}}}`,
      );
      return `${key}: missing`;
    }
    const { key: from, property } = entry.remoteRef ?? {};
    if (from !== remoteKey || property !== key) {
      error(
        `${subject}: spec.data ${key}`,
        `reads ${from}#${property}, but \`spiremesh pki export\` gives the mesh root as ${remoteKey}#${key}`,
        `read remote key ${remoteKey}, property ${key}`,
      );
    }
    return `${from}#${property}`;
  });
  return { store, entries: entries.join(', ') };
}

/** The mesh root that every cluster's issuer signs with: a CA, valid, not about to expire. */
function rootCertificateFindings(input: CertManagerCheckInput, add: (f: FindingInput) => void): void {
  const root = input.certificates?.root;
  if (!root) return; // generated by the synth before it writes (see CertManagerCheckInput.certificates)
  const now = input.now ?? new Date();
  const warnDays = input.expiryWarningDays ?? 30;
  const subject = `mesh root CA ${root.subject}`;
  const replace =
    'a new mesh root replaces the trust anchor of every cluster: plan a root migration, then upload it (`spiremesh pki export`)';
  if (!root.isCa) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.root,
      subject,
      message: 'is not a CA certificate: cert-manager cannot issue from it',
      fix: replace,
    });
  }
  const days = daysLeft(root.notAfter, now);
  if (days < 0) {
    add({
      severity: 'error',
      check: CERT_MANAGER_CHECKS.root,
      subject,
      message: `expired on ${root.notAfter.toISOString().slice(0, 10)}: cert-manager issues nothing from it that verifies`,
      fix: replace,
    });
  } else if (days < warnDays) {
    add({
      severity: 'warning',
      check: CERT_MANAGER_CHECKS.root,
      subject,
      message: `expires on ${root.notAfter.toISOString().slice(0, 10)}, within ${warnDays} days`,
      fix: replace,
    });
  }
}

/** Without `rootSecretStore` the issuer is the team's: spiremesh can name it, not check its root. */
function unverifiedIssuerFindings(
  input: CertManagerCheckInput,
  delivery: CertManagerCaDeliveryModel,
  add: (f: FindingInput) => void,
): void {
  const names = input.clusters.map((c) => c.cluster.name);
  const namespaced = delivery.issuerKind === IssuerKind.ISSUER;
  if (names.length < 2 && !namespaced) return; // one ClusterIssuer serves SPIRE and istiod of the one cluster
  const where = [
    names.length > 1 ? `in every cluster (${names.join(', ')})` : `in cluster ${names[0]}`,
    // An Issuer only serves requests in its own namespace (https://cert-manager.io/docs/concepts/issuer/#namespaces).
    namespaced
      ? `and in both namespaces that use it (${SPIRE_NAMES.namespace} for SPIRE's CertificateRequests, ${ISTIO_NAMESPACE} for istiod's Certificate)`
      : '',
  ]
    .filter((s) => s !== '')
    .join(' ');
  add({
    severity: 'warning',
    check: CERT_MANAGER_CHECKS.root,
    subject: `pki.delivery.issuerName ${delivery.issuerKind.value} ${delivery.issuerName}`,
    message:
      `spiremesh cannot verify that the ${delivery.issuerKind.value} '${delivery.issuerName}' ${where} is backed by the same root: ` +
      'istiod and SPIRE chain to whatever each issuer signs with, and cross-cluster mTLS needs one shared root',
    fix:
      `${namespaced ? 'remove issuerKind (a ClusterIssuer) and ' : ''}set pki.delivery.rootSecretStore to a ClusterSecretStore: ` +
      'spiremesh then keeps the mesh root in pki/ (key in the git-ignored key folder) and renders the CA ClusterIssuer from it in every cluster; ' +
      'upload the values of `spiremesh pki export`',
  });
}

function apiGroupOf(manifest: any): string {
  const apiVersion = String(manifest?.apiVersion ?? '');
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function sameRef(a: { name?: unknown; kind?: unknown; group?: unknown }, b: CertManagerIssuerRef): boolean {
  return a.name === b.name && a.kind === b.kind && a.group === b.group;
}

function describeRef(ref: { name?: unknown; kind?: unknown; group?: unknown }): string {
  return `${String(ref.kind)} '${String(ref.name)}' (group ${String(ref.group)})`;
}

function describeSource(source: RootSource): string {
  return `${source.store} (${source.entries})`;
}
