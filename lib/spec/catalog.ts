/**
 * The releases spiremesh knows exist: a pinned catalog of every Istio, SPIRE, SPIRE chart and
 * Gateway API version that upstream tagged as a release. The spec is checked against it, so a
 * version that was never released (a typo such as `1.29.99`) is refused at synth instead of
 * failing on the cluster with an image or chart that cannot be pulled.
 *
 * The lists are plain data copied from upstream release tags; each says which repository and
 * which tag range it came from. To add releases, list the tags again (`git tag -l`) and append
 * them. A release newer than this catalog can still be used with `allowUnlistedVersions: true`
 * at the top of the spec (the syntax checks stay).
 */

/** Products whose releases the catalog lists. */
export type CatalogProduct = 'istio' | 'spire' | 'spire-chart' | 'spire-crds-chart' | 'gateway-api';

/**
 * Istio: every released patch of 1.24 to 1.31 — the tags `1.X.Y` of github.com/istio/istio, without the
 * `-alpha.N`, `-beta.N` and `-rc.N` pre-release tags. Tags 1.24.0 (8825a6b7f8c9, 2024-11-05) to 1.30.3
 * (56df41f63e51, 2026-07-13). 1.31 has no release yet: its newest tag is 1.31.0-rc.0 (423f108b5459, 2026-08-19).
 *
 * The Solo distribution tags its builds `<version>-solo` and publishes the same patch versions
 * (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ installs `ISTIO_VERSION=1.29.1` as the
 * `1.29.1-solo` images), so this one list serves both distributions; spec versions are written without `-solo`.
 */
export const ISTIO_RELEASES: readonly string[] = [
  // 1.24: 1.24.0 to 1.24.6
  '1.24.0',
  '1.24.1',
  '1.24.2',
  '1.24.3',
  '1.24.4',
  '1.24.5',
  '1.24.6',
  // 1.25: 1.25.0 to 1.25.5
  '1.25.0',
  '1.25.1',
  '1.25.2',
  '1.25.3',
  '1.25.4',
  '1.25.5',
  // 1.26: 1.26.0 to 1.26.8
  '1.26.0',
  '1.26.1',
  '1.26.2',
  '1.26.3',
  '1.26.4',
  '1.26.5',
  '1.26.6',
  '1.26.7',
  '1.26.8',
  // 1.27: 1.27.0 to 1.27.9
  '1.27.0',
  '1.27.1',
  '1.27.2',
  '1.27.3',
  '1.27.4',
  '1.27.5',
  '1.27.6',
  '1.27.7',
  '1.27.8',
  '1.27.9',
  // 1.28: 1.28.0 to 1.28.10
  '1.28.0',
  '1.28.1',
  '1.28.2',
  '1.28.3',
  '1.28.4',
  '1.28.5',
  '1.28.6',
  '1.28.7',
  '1.28.8',
  '1.28.9',
  '1.28.10',
  // 1.29: 1.29.0 to 1.29.6
  '1.29.0',
  '1.29.1',
  '1.29.2',
  '1.29.3',
  '1.29.4',
  '1.29.5',
  '1.29.6',
  // 1.30: 1.30.0 to 1.30.3
  '1.30.0',
  '1.30.1',
  '1.30.2',
  '1.30.3',
  // 1.31: no release yet (pre-releases 1.31.0-alpha.0 to 1.31.0-rc.0 only)
];

/**
 * SPIRE server and agent (the `ghcr.io/spiffe/spire-server` and `spire-agent` image tags): the release tags
 * `v1.X.Y` of github.com/spiffe/spire from v1.9.0 on, written without the `v` as the images are tagged.
 * Tags v1.9.0 (9aaac5299332, 2024-02-22) to v1.15.3 (2f7861ae3923, 2026-08-21).
 */
export const SPIRE_RELEASES: readonly string[] = [
  '1.9.0',
  '1.9.1',
  '1.9.2',
  '1.9.3',
  '1.9.4',
  '1.9.5',
  '1.9.6',
  '1.10.0',
  '1.10.1',
  '1.10.2',
  '1.10.3',
  '1.10.4',
  '1.11.0',
  '1.11.1',
  '1.11.2',
  '1.11.3',
  '1.12.0',
  '1.12.1',
  '1.12.2',
  '1.12.3',
  '1.12.4',
  '1.12.5',
  '1.12.6',
  '1.13.0',
  '1.13.1',
  '1.13.2',
  '1.13.3',
  '1.13.4',
  '1.13.5',
  '1.13.6',
  '1.14.0',
  '1.14.1',
  '1.14.2',
  '1.14.3',
  '1.14.4',
  '1.14.5',
  '1.14.6',
  '1.14.7',
  '1.15.0',
  '1.15.1',
  '1.15.2',
  '1.15.3',
];

/**
 * The `spire` Helm chart: the chart-releaser tags `spire-0.X.Y` of github.com/spiffe/helm-charts-hardened,
 * tags spire-0.1.0 (9dee09e38e25, 2023-02-20) to spire-0.30.0 (029f1985233e, 2026-08-02). They match the
 * `version:` values in the history of charts/spire/Chart.yaml on main (8a28a1b9).
 */
export const SPIRE_CHART_RELEASES: readonly string[] = [
  '0.1.0',
  '0.2.0',
  '0.3.0',
  '0.4.0',
  '0.5.0',
  '0.5.1',
  '0.6.0',
  '0.6.1',
  '0.6.2',
  '0.6.3',
  '0.7.0',
  '0.8.0',
  '0.8.1',
  '0.9.0',
  '0.9.1',
  '0.10.0',
  '0.10.1',
  '0.11.0',
  '0.11.1',
  '0.12.0',
  '0.13.0',
  '0.13.1',
  '0.13.2',
  '0.14.0',
  '0.15.0',
  '0.15.1',
  '0.16.0',
  '0.17.0',
  '0.17.1',
  '0.17.2',
  '0.18.0',
  '0.18.1',
  '0.18.2',
  '0.19.0',
  '0.19.1',
  '0.19.2',
  '0.20.0',
  '0.21.0',
  '0.21.1',
  '0.22.0',
  '0.23.0',
  '0.24.0',
  '0.24.1',
  '0.24.2',
  '0.24.3',
  '0.24.4',
  '0.24.5',
  '0.25.0',
  '0.26.0',
  '0.26.1',
  '0.27.0',
  '0.27.1',
  '0.28.0',
  '0.28.1',
  '0.28.2',
  '0.28.3',
  '0.28.4',
  '0.28.5',
  '0.29.0',
  '0.30.0',
];

/**
 * The `spire-crds` Helm chart: the tags `spire-crds-0.X.Y` of github.com/spiffe/helm-charts-hardened,
 * tags spire-crds-0.0.1 (e458ca371fad, 2023-10-18) to spire-crds-0.6.0 (029f1985233e, 2026-08-02). They
 * match the `version:` values in the history of charts/spire-crds/Chart.yaml on main (8a28a1b9), which never
 * had 0.1.0.
 */
export const SPIRE_CRDS_CHART_RELEASES: readonly string[] = ['0.0.1', '0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0'];

/**
 * Gateway API (standard channel): the release tags `v1.X.Y` of github.com/kubernetes-sigs/gateway-api, without
 * the `-rc` tags; tags v1.0.0 (a0684982edde, 2023-10-31) to v1.6.1 (8bb74df00e56, 2026-07-16).
 */
export const GATEWAY_API_RELEASES: readonly string[] = [
  'v1.0.0',
  'v1.1.0',
  'v1.1.1',
  'v1.2.0',
  'v1.2.1',
  'v1.3.0',
  'v1.4.0',
  'v1.4.1',
  'v1.5.0',
  'v1.5.1',
  'v1.6.0',
  'v1.6.1',
];

const RELEASES: Readonly<Record<CatalogProduct, readonly string[]>> = {
  istio: ISTIO_RELEASES,
  spire: SPIRE_RELEASES,
  'spire-chart': SPIRE_CHART_RELEASES,
  'spire-crds-chart': SPIRE_CRDS_CHART_RELEASES,
  'gateway-api': GATEWAY_API_RELEASES,
};

/** How messages name each product. */
const PRODUCT_NAMES: Readonly<Record<CatalogProduct, string>> = {
  istio: 'istio',
  spire: 'spire',
  'spire-chart': 'spire chart',
  'spire-crds-chart': 'spire-crds chart',
  'gateway-api': 'gateway api',
};

/** The releases of a product the catalog knows, oldest first. */
export function knownReleases(product: CatalogProduct): readonly string[] {
  return RELEASES[product];
}

/** True when the catalog lists `version` as a release of `product` (exact match: `1.29.1`, not `1.29.1-solo` or `v1.29.1`). */
export function isKnownRelease(product: CatalogProduct, version: string): boolean {
  return RELEASES[product].includes(version);
}

type Triple = readonly [number, number, number];

/** Major, minor and patch of `1.2.3`, `v1.2.3` or `1.2.3-rc.0` (the pre-release part is ignored). */
function triple(version: string): Triple | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

interface Release {
  readonly version: string;
  readonly parts: Triple;
}

/** The releases of a product with their parsed parts (every catalog entry is `X.Y.Z` or `vX.Y.Z`). */
function parsedReleases(product: CatalogProduct): Release[] {
  return RELEASES[product].flatMap((version) => {
    const parts = triple(version);
    return parts ? [{ version, parts }] : [];
  });
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

function sameMinor(a: Triple, b: Triple): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * The known release nearest to `version`: the nearest patch of the same minor (the newer one on a tie), else
 * the newest release before it, else the oldest release. Undefined only when `version` is not `X.Y.Z`.
 */
export function closestKnownRelease(product: CatalogProduct, version: string): string | undefined {
  const wanted = triple(version);
  if (!wanted) return undefined;
  const releases = parsedReleases(product);
  const peers = releases.filter(({ parts }) => sameMinor(parts, wanted));
  if (peers.length > 0) {
    const distance = (r: Release) => Math.abs(r.parts[2] - wanted[2]);
    return peers.reduce((best, cur) => (distance(cur) <= distance(best) ? cur : best)).version;
  }
  const older = releases.filter(({ parts }) => compare(parts, wanted) < 0);
  return older.length > 0 ? older[older.length - 1].version : releases[0]?.version;
}

/** `1.29.0 to 1.29.6` for consecutive patches of one minor, else the list. */
function describe(releases: readonly Release[]): string {
  const versions = releases.map((r) => r.version);
  if (versions.length === 1) return `only ${versions[0]}`;
  const consecutive = releases.every((r, i) => i === 0 || r.parts[2] === releases[i - 1].parts[2] + 1);
  return consecutive ? `${versions[0]} to ${versions[versions.length - 1]}` : versions.join(', ');
}

/**
 * Why `version` is not a release of `product` the catalog knows, and how to fix it; undefined when it is
 * known. Call it only on versions that passed the syntax check (`X.Y.Z`).
 */
export function unlistedReleaseProblem(product: CatalogProduct, version: string): { message: string; fix: string } | undefined {
  if (isKnownRelease(product, version)) return undefined;
  const releases = RELEASES[product];
  const range = `${releases[0]} to ${releases[releases.length - 1]}`;
  const wanted = triple(version);
  const peers = wanted ? parsedReleases(product).filter(({ parts }) => sameMinor(parts, wanted)) : [];
  const known = !wanted
    ? `it knows ${range}`
    : peers.length > 0
      ? `${wanted[0]}.${wanted[1]} has ${describe(peers)}`
      : `it knows no ${wanted[0]}.${wanted[1]} release, only ${range}`;
  const closest = closestKnownRelease(product, version);
  return {
    message: `${PRODUCT_NAMES[product]} ${version} is not a release spiremesh knows (${known})`,
    fix:
      `${closest ? `use ${closest}, the closest release spiremesh knows; ` : ''}` +
      `if ${version} is a newer release than spiremesh's catalog, set 'allowUnlistedVersions: true' at the top of the spec`,
  };
}
