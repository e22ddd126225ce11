/**
 * Private helpers of the delivery constructs: input checks and the texts that name a release
 * or source in messages.
 */
import * as crypto from 'crypto';
import { ChartRelease, ChartRepository, ManifestSource, isOciRepository } from '../core/delivery';
import { Prerequisite } from '../core/prerequisites';
import { isDns1123Label } from '../spec';

// An exact chart version: X.Y.Z with optional pre-release/build (e.g. '1.29.1-solo', '0.5.0').
const EXACT_VERSION = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/;
// A pinned git revision: a version tag or a full commit SHA.
const PINNED_REVISION = /^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?|[0-9a-f]{40})$/;

/** Throws when a release cannot be delivered as declared (names, pinning, repository URL). */
export function checkRelease(release: ChartRelease): void {
  checkId('chart release', release.id);
  if (!EXACT_VERSION.test(release.version)) {
    throw new Error(`chart release '${release.id}' has version '${release.version}', which is not an exact version: pin it, e.g. '1.2.3'`);
  }
  if (!/^(oci|https):\/\/[^/\s]+/.test(release.repository.url)) {
    throw new Error(
      `chart release '${release.id}' has repository '${release.repository.url}': use an oci:// registry path or an https:// helm repository`,
    );
  }
  if (!isDns1123Label(release.namespace)) {
    throw new Error(
      `chart release '${release.id}' has namespace '${release.namespace}', which is not a DNS-1123 label: use lowercase letters, digits and '-'`,
    );
  }
  if (!release.releaseName || release.releaseName.length > 53 || !isDns1123Label(release.releaseName)) {
    throw new Error(
      `chart release '${release.id}' has release name '${release.releaseName}': helm release names are DNS-1123 labels of at most 53 characters`,
    );
  }
}

/** Throws when a manifest source is not pinned or has a bad id. */
export function checkManifestSource(source: ManifestSource): void {
  checkId('manifest source', source.id);
  if (!PINNED_REVISION.test(source.revision)) {
    throw new Error(
      `manifest source '${source.id}' has revision '${source.revision}', which is not pinned: use a version tag (e.g. 'v1.4.0') or a full commit sha`,
    );
  }
  if (!/^https:\/\//.test(source.gitUrl)) {
    throw new Error(`manifest source '${source.id}' has git url '${source.gitUrl}': use an https:// url`);
  }
}

function checkId(what: string, id: string): void {
  // Ids become object names and, in helm-template mode, output folders.
  if (!isDns1123Label(id)) {
    throw new Error(`${what} id '${id}' is not a DNS-1123 label: use at most 63 lowercase letters, digits and '-'`);
  }
}

/** `oci://host/path/<chart>`: the OCI reference of a chart (Argo CD repoURL, Flux OCIRepository url). */
export function ociChartUrl(release: ChartRelease): string {
  return `${release.repository.url.replace(/\/+$/, '')}/${release.chart}`;
}

/** The `helm pull` command that puts a release's archive into `directory`. */
export function helmPullCommand(release: ChartRelease, directory: string): string {
  return isOciRepository(release.repository)
    ? `helm pull ${ociChartUrl(release)} --version ${release.version} -d ${directory}`
    : `helm pull ${release.chart} --repo ${release.repository.url} --version ${release.version} -d ${directory}`;
}

/** The `helm upgrade --install` command for a release, as https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ runs it. */
export function helmInstallCommand(release: ChartRelease): string {
  const chart = isOciRepository(release.repository) ? ociChartUrl(release) : `${release.chart} --repo ${release.repository.url}`;
  return `helm upgrade --install ${release.releaseName} ${chart} --namespace ${release.namespace} --create-namespace --version ${release.version} -f <values>`;
}

/** How a release is named in warnings: `'istiod' (chart istiod 1.29.1-solo from oci://...)`. */
export function describeRelease(release: ChartRelease): string {
  return `'${release.id}' (chart ${release.chart} ${release.version} from ${release.repository.url})`;
}

/** How a source is named in warnings, with the kustomize remote reference that applies it. */
export function describeSource(source: ManifestSource): string {
  return `'${source.id}' (${source.gitUrl}, path ${source.path}, revision ${source.revision})`;
}

/** A kustomize remote target for a source: `kubectl apply --server-side -k <this>`. */
export function kustomizeRemote(source: ManifestSource): string {
  return `${source.gitUrl.replace(/\/+$/, '')}//${source.path.replace(/^\/+/, '')}?ref=${source.revision}`;
}

/**
 * The prerequisite of a manifest source that a delivery mode does not apply itself: the source's
 * manifests, applied server-side (CRDs such as the Gateway API's exceed the 256 KiB
 * `last-applied-configuration` annotation of client-side apply) before the cluster directory.
 */
export function manifestSourcePrerequisite(source: ManifestSource, mode: string): Prerequisite {
  return {
    key: `manifest-source:${source.id}@${source.revision}`,
    what: `the manifests of ${describeSource(source)} applied to the cluster`,
    why: `${mode} delivery does not apply git manifest sources (synth never fetches from the network); the objects in _after-crds/ need them`,
    command: `kubectl apply --server-side -k '${kustomizeRemote(source)}'`,
  };
}

/**
 * A DNS-1123 name for a helm repository URL, e.g. 'spiffe-github-io-helm-charts-hardened':
 * stable, readable, and unique per URL (long URLs are shortened with a hash suffix).
 */
export function repositoryName(repo: ChartRepository): string {
  const base = repo.url
    .replace(/^[a-z]+:\/\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (base.length <= 63) return base;
  const hash = crypto.createHash('sha256').update(repo.url).digest('hex').slice(0, 8);
  return `${base.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** Drops empty values objects, so that "no values" renders as no field rather than `{}`. */
export function nonEmpty(values: object): Record<string, unknown> | undefined {
  return Object.keys(values).length > 0 ? (values as Record<string, unknown>) : undefined;
}
