import { ChartDelivery } from '../../lib';
import { EXTRA_VALUES_ANNOTATION, FLUX_NAMESPACE, HELM_CHART_LAYER_MEDIA_TYPE } from '../../lib/delivery';
import { tempDir } from '../helpers';
import { ISTIO_OCI, SPIRE_HELM, byKind, clusterObjects, seedReleases, synthDelivery } from './fixtures';

/** The seed releases plus the spire chart, from the same https repository as spire-crds. */
const releases = () => [
  ...seedReleases(),
  {
    id: 'spire',
    chart: 'spire',
    repository: { url: SPIRE_HELM },
    version: '0.24.2',
    releaseName: 'spire',
    namespace: 'spire-server',
    values: { global: { spire: { trustDomain: 'cluster1' } } },
    order: 0,
  },
];

describe('Flux delivery', () => {
  const out = tempDir();
  let objects: Record<string, any>;
  let warnings: readonly string[];

  beforeAll(() => {
    warnings = synthDelivery({ chartDelivery: ChartDelivery.flux(), releases: releases() }, out).warnings;
    objects = clusterObjects(out);
  });

  test('every object is in flux-system, in the delivery folder; no GitRepository is emitted', () => {
    const delivery = Object.entries(objects).filter(([f]) => f.startsWith('delivery/'));
    expect(delivery.length).toBe(6 + 4 + 1); // HelmReleases, OCIRepositories, one shared HelmRepository
    for (const [, o] of delivery) expect(o.metadata.namespace).toBe(FLUX_NAMESPACE);
    expect(new Set(delivery.map(([, o]) => o.kind))).toEqual(new Set(['HelmRelease', 'OCIRepository', 'HelmRepository']));
  });

  test('one OCIRepository per OCI chart: the chart layer, pinned by tag', () => {
    const repos = byKind(objects, 'OCIRepository');
    expect(Object.keys(repos).sort()).toEqual(['istio-base', 'istio-cni', 'istiod', 'ztunnel']);
    expect(repos.istiod.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(repos.istiod.spec).toEqual({
      url: `${ISTIO_OCI}/istiod`,
      ref: { tag: '1.29.1-solo' },
      layerSelector: { mediaType: HELM_CHART_LAYER_MEDIA_TYPE, operation: 'copy' },
      interval: '10m',
    });
    expect(repos['istio-base'].spec.url).toBe(`${ISTIO_OCI}/base`);
  });

  test('one HelmRepository per https URL, shared by the releases from it', () => {
    const repos = byKind(objects, 'HelmRepository');
    expect(Object.keys(repos)).toEqual(['spiffe-github-io-helm-charts-hardened']);
    expect(repos['spiffe-github-io-helm-charts-hardened'].spec).toEqual({ url: SPIRE_HELM, interval: '10m' });
    const hr = byKind(objects, 'HelmRelease');
    for (const id of ['spire-crds', 'spire']) {
      expect(hr[id].spec.chart.spec.sourceRef).toEqual({ kind: 'HelmRepository', name: 'spiffe-github-io-helm-charts-hardened' });
    }
  });

  test('HelmReleases: pinned chart, release name, target namespace, values exactly as typed', () => {
    const hr = byKind(objects, 'HelmRelease');
    for (const release of releases()) {
      const spec = hr[release.id].spec;
      expect(hr[release.id].apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
      expect(spec.releaseName).toBe(release.releaseName);
      expect(spec.targetNamespace).toBe(release.namespace);
      expect(spec.storageNamespace).toBe(release.namespace);
      expect(spec.install.createNamespace).toBe(true);
      if (Object.keys(release.values).length > 0) expect(spec.values).toEqual(release.values);
      else expect(spec.values).toBeUndefined();
      if (release.repository.url.startsWith('oci://')) {
        expect(spec.chartRef).toEqual({ kind: 'OCIRepository', name: release.id });
        expect(spec.chart).toBeUndefined();
      } else {
        expect(spec.chart.spec).toMatchObject({ chart: release.chart, version: release.version });
        expect(spec.chartRef).toBeUndefined();
      }
    }
    expect(hr.istiod.metadata.annotations[EXTRA_VALUES_ANNOTATION]).toBe(
      'pilot.resources.requests.cpu,meshConfig.outboundTrafficPolicy.mode',
    );
  });

  test('dependsOn chains the releases in apply order (the Argo CD wave order)', () => {
    const hr = byKind(objects, 'HelmRelease');
    const first = Object.values(hr).filter((r) => !r.spec.dependsOn);
    expect(first.map((r) => r.metadata.name)).toEqual(['spire-crds']);
    const chain = ['spire-crds'];
    for (;;) {
      const next = Object.values(hr).find((r) => r.spec.dependsOn?.[0]?.name === chain[chain.length - 1]);
      if (!next) break;
      expect(next.spec.dependsOn).toHaveLength(1);
      chain.push(next.metadata.name);
    }
    expect(chain).toEqual(['spire-crds', 'spire', 'istio-base', 'istiod', 'istio-cni', 'ztunnel']);
  });

  test('the Gateway API manifest source is not emitted; a warning names the repository, path and tag to use', () => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("manifest source 'gateway-api-crds'");
    expect(warnings[0]).toContain('is not delivered in flux mode');
    expect(warnings[0]).toContain('url https://github.com/kubernetes-sigs/gateway-api, ref.tag v1.4.0, path ./config/crd/standard');
    expect(warnings[0]).toContain("before HelmRelease 'spire'");
    expect(warnings[0]).toContain(
      "kubectl apply --server-side -k 'https://github.com/kubernetes-sigs/gateway-api//config/crd/standard?ref=v1.4.0'",
    );
  });
});
