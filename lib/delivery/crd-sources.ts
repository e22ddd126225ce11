/**
 * Which API groups' CRDs a delivered chart or manifest source installs: what the first-sync order
 * (first-sync.ts) needs to know to apply a custom resource only after its CRD exists. Each row is
 * a fact about a pinned upstream artifact; test/gitops/first-sync-order.test.ts renders the real
 * charts from ../shared/charts with helm and compares the groups of the CRDs they install.
 */
import { ChartRelease, ManifestSource } from '../core/delivery';
import { GATEWAY_API_CRD_PATH, GATEWAY_API_REPOSITORY } from '../spec';

/** The CRDs of one chart (matched by chart name, `ChartRelease.chart`). */
export interface ChartCrdFact {
  /** The chart name in its repository. */
  readonly chart: string;
  /** API groups of the CRDs the chart installs (`spec.group`). */
  readonly groups: readonly string[];
  /** Where the fact comes from. */
  readonly source: string;
}

/** The CRDs of one git path delivered as a manifest source (matched by repository and path). */
export interface ManifestCrdFact {
  /** The repository, as host/owner/name (scheme and `.git` are ignored when matching). */
  readonly repository: string;
  /** Path inside the repository. */
  readonly path: string;
  readonly groups: readonly string[];
  readonly source: string;
}

export const CHART_CRD_FACTS: readonly ChartCrdFact[] = [
  {
    chart: 'spire-crds',
    groups: ['spire.spiffe.io'],
    source:
      'spiffe/helm-charts-hardened charts/spire-crds 0.5.0, templates/: ClusterFederatedTrustDomain, ClusterSPIFFEID, ClusterStaticEntry (helm template of ../shared/charts/spire-crds-0.5.0.tgz)',
  },
  {
    chart: 'base',
    // The Solo build adds admin.solo.io (Segment) to the upstream groups.
    groups: ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io', 'admin.solo.io'],
    source:
      'istio/istio manifests/charts/base 1.29.1, files/crd-all.gen.yaml rendered by templates/crds.yaml (14 CRDs of networking, security, telemetry and extensions.istio.io); the Solo base chart (1.29.0-solo-snapshot) adds segments.admin.solo.io',
  },
];

export const MANIFEST_CRD_FACTS: readonly ManifestCrdFact[] = [
  {
    repository: normalizeRepository(GATEWAY_API_REPOSITORY),
    path: GATEWAY_API_CRD_PATH,
    groups: ['gateway.networking.k8s.io'],
    source:
      'kubernetes-sigs/gateway-api v1.4.0 config/crd/standard: gateway.networking.k8s.io_<plural>.yaml, one CRD per file, all of group gateway.networking.k8s.io (../shared/crds/SOURCES.md)',
  },
];

/** `https://github.com/a/b.git` → `github.com/a/b`. */
function normalizeRepository(url: string): string {
  return url
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}

function normalizePath(p: string): string {
  return p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

/** API groups whose CRDs the chart named `chart` installs (none for a chart without a fact). */
export function crdGroupsOfChart(chart: string): readonly string[] {
  return CHART_CRD_FACTS.find((f) => f.chart === chart)?.groups ?? [];
}

/** API groups whose CRDs the manifests at `path` of the git repository `gitUrl` install (none without a fact). */
export function crdGroupsOfGitPath(gitUrl: string, path: string): readonly string[] {
  const repository = normalizeRepository(gitUrl);
  const p = normalizePath(path);
  return MANIFEST_CRD_FACTS.find((f) => f.repository === repository && normalizePath(f.path) === p)?.groups ?? [];
}

/** API groups whose CRDs `release` installs (none for a chart without a fact). */
export function crdGroupsOfRelease(release: ChartRelease): readonly string[] {
  return crdGroupsOfChart(release.chart);
}

/** API groups whose CRDs `source` installs (none for a source without a fact). */
export function crdGroupsOfSource(source: ManifestSource): readonly string[] {
  return crdGroupsOfGitPath(source.gitUrl, source.path);
}
