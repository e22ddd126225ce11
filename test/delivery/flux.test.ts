import { Chart, Testing } from 'cdk8s';
import { ChartDelivery, SchemaRegistry } from '../../lib';
import { crdGroupsOfGitPath } from '../../lib/delivery/crd-sources';
import { EXTRA_VALUES_ANNOTATION, FLUX_NAMESPACE, FluxDelivery, HELM_CHART_LAYER_MEDIA_TYPE } from '../../lib/delivery';
import { WARNING_METADATA, warningText } from '../../lib/core';
import { tempDir } from '../helpers';
import { GATEWAY_API_CRDS, ISTIO_OCI, SPIRE_HELM, byKind, clusterObjects, seedReleases, synthDelivery } from './fixtures';

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

  test('every object is in flux-system, in the delivery folder', () => {
    const delivery = Object.entries(objects).filter(([f]) => f.startsWith('delivery/'));
    // HelmReleases, OCIRepositories, one shared HelmRepository, the Gateway API GitRepository and Kustomization
    expect(delivery.length).toBe(6 + 4 + 1 + 2);
    for (const [, o] of delivery) expect(o.metadata.namespace).toBe(FLUX_NAMESPACE);
    expect(new Set(delivery.map(([, o]) => o.kind))).toEqual(
      new Set(['HelmRelease', 'OCIRepository', 'HelmRepository', 'GitRepository', 'Kustomization']),
    );
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

  test('the Gateway API manifest source: a GitRepository at its tag and a Kustomization of its path, without prune, waiting', () => {
    const repo = objects['delivery/gitrepository_flux-system_gateway-api-crds.yaml'];
    expect(repo).toEqual({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: GATEWAY_API_CRDS.id, namespace: FLUX_NAMESPACE, labels: expect.any(Object) },
      spec: {
        url: GATEWAY_API_CRDS.gitUrl,
        // An exact tag is `ref.tag` (the CRD: "Tag to check out"), not `ref.semver`, a range expression.
        ref: { tag: 'v1.4.0' },
        sparseCheckout: ['config/crd/standard'],
        interval: '10m',
      },
    });
    const ks = objects['delivery/kustomization_flux-system_gateway-api-crds.yaml'];
    expect(ks).toEqual({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: GATEWAY_API_CRDS.id, namespace: FLUX_NAMESPACE, labels: expect.any(Object) },
      spec: {
        sourceRef: { kind: 'GitRepository', name: GATEWAY_API_CRDS.id },
        path: './config/crd/standard',
        // Pruning a CRD deletes every object of its kind in the cluster.
        prune: false,
        wait: true,
        interval: '10m',
      },
    });
    // The first-sync facts read this pair as what delivers the gateway.networking.k8s.io CRDs.
    expect(crdGroupsOfGitPath(repo.spec.url, ks.spec.path)).toEqual(['gateway.networking.k8s.io']);
    // Delivered, so no warning (synthesis passed the schema gate with both objects: the real Flux CRDs).
    expect(warnings).toEqual([]);
    const registry = SchemaRegistry.default();
    expect(registry.validate(repo)).toEqual([]);
    expect(registry.validate(ks)).toEqual([]);
    // The schemas are strict for these kinds: a wrong type or an unknown field is refused.
    expect(registry.validate({ ...ks, spec: { ...ks.spec, prune: 'no' } }).length).toBeGreaterThan(0);
    expect(registry.validate({ ...repo, spec: { ...repo.spec, ref: { version: 'v1.4.0' } } }).length).toBeGreaterThan(0);
  });

  test('a commit revision is ref.commit; a revision that is neither a tag nor a commit is not delivered, with one warning', () => {
    // The construct alone: the delivery component refuses such a source before it gets here.
    const flux = new FluxDelivery(new Chart(Testing.app(), 'c'), 'flux', { orderedReleases: () => [] });
    const sha = '5e5891a5adad272363de782eb02a042166f1913c';
    flux.addManifestSource({ ...GATEWAY_API_CRDS, id: 'pinned', revision: sha });
    flux.addManifestSource({ ...GATEWAY_API_CRDS, id: 'floating', revision: 'main' });
    expect(flux.gitRepositories.map((r) => [r.name, r.toJson().spec.ref])).toEqual([['pinned', { commit: sha }]]);
    expect(flux.kustomizations.map((k) => k.name)).toEqual(['pinned']);
    const texts = flux.node.metadata.filter((m) => m.type === WARNING_METADATA).map((m) => warningText(m.data));
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain("manifest source 'floating'");
    expect(texts[0]).toContain('is not delivered in flux mode');
    expect(texts[0]).toContain("revision 'main', which is not pinned");
    expect(texts[0]).toContain(
      "kubectl apply --server-side -k 'https://github.com/kubernetes-sigs/gateway-api//config/crd/standard?ref=main'",
    );
  });
});
