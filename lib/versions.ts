/**
 * Pinned versions: every chart, image and API version spiremesh renders comes from here
 * (or from the mesh spec, which defaults to these values).
 */

/**
 * Istio: the Solo distribution 1.29.1 is the default (`ISTIO_VERSION=1.29.1` in
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/).
 */
export const DEFAULT_ISTIO_VERSION = '1.29.1';

/**
 * Solo image and Helm repositories ("Set up tools" in https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/):
 * 1.29 and later use the public `soloio-img` repositories; 1.28 and earlier use per-minor repositories that end
 * in a 12-character repo key.
 */
export const SOLO_REPOSITORIES = {
  images: 'us-docker.pkg.dev/soloio-img/istio',
  helm: 'us-docker.pkg.dev/soloio-img/istio-helm',
  keyedImages: (repoKey: string) => `us-docker.pkg.dev/gloo-mesh/istio-${repoKey}`,
  keyedHelm: (repoKey: string) => `us-docker.pkg.dev/gloo-mesh/istio-helm-${repoKey}`,
  /** First minor served from the public soloio-img repositories. */
  firstPublicMinor: 29,
};

/** Community Istio repositories (upstream distribution). */
export const UPSTREAM_REPOSITORIES = {
  images: 'docker.io/istio',
  helm: 'https://istio-release.storage.googleapis.com/charts',
};

/**
 * SPIRE Helm charts that https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ installs (spire 0.24.2,
 * spire-crds 0.5.0), and the image tags chart 0.24.2 pins (spiffe/helm-charts-hardened charts/spire, chart 0.24.2:
 * appVersion 1.11.2; controller manager 0.6.0 in charts/spire-server/values.yaml; CSI driver appVersion 0.2.3 and
 * node-driver-registrar v2.9.4 in charts/spiffe-csi-driver).
 */
export const SPIRE_DEFAULTS = {
  chartRepository: 'https://spiffe.github.io/helm-charts-hardened/',
  chartVersion: '0.24.2',
  crdsChartVersion: '0.5.0',
  spireVersion: '1.11.2',
  controllerManagerVersion: '0.6.0',
  csiDriverVersion: '0.2.3',
  nodeDriverRegistrarVersion: 'v2.9.4',
};

/**
 * Gateway API release that each Istio minor was built against (`sigs.k8s.io/gateway-api` in
 * istio/istio go.mod at the release tags 1.24.0 to 1.30.0, and on release-1.31).
 */
const GATEWAY_API_BY_ISTIO_MINOR: ReadonlyArray<readonly [number, string]> = [
  [24, 'v1.2.0'],
  [25, 'v1.2.1'],
  // Istio 1.26.0 was built against a v1.3.0 release candidate; the matching GA release is v1.3.0.
  [26, 'v1.3.0'],
  [27, 'v1.3.0'],
  [28, 'v1.4.0'],
  [29, 'v1.4.0'],
  [30, 'v1.5.1'],
  [31, 'v1.6.0'],
];

/** Oldest and newest Istio minor whose facts spiremesh knows. */
export const SUPPORTED_ISTIO_MINORS = {
  min: GATEWAY_API_BY_ISTIO_MINOR[0][0],
  max: GATEWAY_API_BY_ISTIO_MINOR[GATEWAY_API_BY_ISTIO_MINOR.length - 1][0],
};

/** The Gateway API standard-channel version that matches an Istio 1.<minor> release. */
export function gatewayApiVersionForIstioMinor(minor: number): string {
  const row = GATEWAY_API_BY_ISTIO_MINOR.find(([m]) => m === minor);
  if (!row) {
    throw new Error(
      `no known Gateway API version for istio 1.${minor}: spiremesh supports istio 1.${SUPPORTED_ISTIO_MINORS.min} to 1.${SUPPORTED_ISTIO_MINORS.max}`,
    );
  }
  return row[1];
}
