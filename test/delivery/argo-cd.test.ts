import { App } from 'cdk8s';
import { ChartDelivery, synthesize } from '../../lib';
import { ARGO_RESOURCES_FINALIZER, ARGO_SYNC_WAVE_ANNOTATION, ChartDeliveryComponent, EXTRA_VALUES_ANNOTATION } from '../../lib/delivery';
import { TEST_PROJECT, errorOf, tempDir } from '../helpers';
import { GATEWAY_API_CRDS, ISTIO_OCI, SPIRE_HELM, byKind, clusterObjects, deliveryMesh, seedReleases, synthDelivery } from './fixtures';

describe('Argo CD delivery', () => {
  const out = tempDir();
  let apps: Record<string, any>;
  let files: string[];

  beforeAll(() => {
    synthDelivery({ chartDelivery: ChartDelivery.argoCd() }, out);
    const objects = clusterObjects(out);
    files = Object.keys(objects).filter((f) => f.startsWith('delivery/'));
    apps = byKind(objects, 'Application');
  });

  test('one Application per release and manifest source, in argocd, named after the id, in the delivery folder', () => {
    expect(Object.keys(apps).sort()).toEqual(['gateway-api-crds', 'istio-base', 'istio-cni', 'istiod', 'spire-crds', 'ztunnel']);
    expect(files.sort()).toEqual(
      Object.keys(apps)
        .sort()
        .map((n) => `delivery/application_argocd_${n}.yaml`),
    );
    for (const app of Object.values(apps)) {
      expect(app.apiVersion).toBe('argoproj.io/v1alpha1');
      expect(app.metadata.namespace).toBe('argocd');
      expect(app.spec.project).toBe('default');
      expect(app.spec.destination.server).toBe('https://kubernetes.default.svc');
      // CRD Applications never prune or cascade-delete: removing a CRD deletes every resource of its kind.
      const crds = ['gateway-api-crds', 'spire-crds'].includes(app.metadata.name);
      expect(app.metadata.finalizers).toEqual(crds ? undefined : [ARGO_RESOURCES_FINALIZER]);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: !crds, selfHeal: true });
      expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    }
  });

  test('sync waves equal the release orders, revisions are pinned, values are the typed values exactly', () => {
    for (const release of seedReleases()) {
      const app = apps[release.id];
      expect(app.metadata.annotations[ARGO_SYNC_WAVE_ANNOTATION]).toBe(String(release.order));
      expect(app.spec.source.targetRevision).toBe(release.version);
      expect(app.spec.source.helm.releaseName).toBe(release.releaseName);
      expect(app.spec.destination.namespace).toBe(release.namespace);
      expect(app.spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'ServerSideApply=true']);
      if (Object.keys(release.values).length > 0) expect(app.spec.source.helm.valuesObject).toEqual(release.values);
      else expect(app.spec.source.helm.valuesObject).toBeUndefined();
    }
    expect(apps['gateway-api-crds'].metadata.annotations[ARGO_SYNC_WAVE_ANNOTATION]).toBe('-1');
  });

  test('OCI charts use the native OCI source, https repositories repoURL + chart', () => {
    expect(apps.istiod.spec.source).toEqual({
      repoURL: `${ISTIO_OCI}/istiod`,
      path: '.',
      targetRevision: '1.29.1-solo',
      helm: { releaseName: 'istiod', valuesObject: seedReleases()[1].values },
    });
    expect(apps['istio-base'].spec.source.repoURL).toBe(`${ISTIO_OCI}/base`);
    expect(apps['spire-crds'].spec.source).toEqual({
      repoURL: SPIRE_HELM,
      chart: 'spire-crds',
      targetRevision: '0.5.0',
      helm: { releaseName: 'spire-crds' },
    });
  });

  test('a manifest source becomes a git source Application without a destination namespace', () => {
    const app = apps['gateway-api-crds'];
    expect(app.spec.source).toEqual({ repoURL: GATEWAY_API_CRDS.gitUrl, path: 'config/crd/standard', targetRevision: 'v1.4.0' });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
    expect(app.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
  });

  test('values that came through the escape hatch are listed in an annotation', () => {
    expect(apps.istiod.metadata.annotations[EXTRA_VALUES_ANNOTATION]).toBe(
      'pilot.resources.requests.cpu,meshConfig.outboundTrafficPolicy.mode',
    );
    expect(apps.ztunnel.metadata.annotations[EXTRA_VALUES_ANNOTATION]).toBeUndefined();
  });

  test('namespace and project come from ChartDelivery.argoCd options', () => {
    const dir = tempDir();
    synthDelivery({ chartDelivery: ChartDelivery.argoCd({ namespace: 'gitops', project: 'mesh' }) }, dir);
    const app = byKind(clusterObjects(dir), 'Application').istiod;
    expect(app.metadata.namespace).toBe('gitops');
    expect(app.spec.project).toBe('mesh');
  });

  test('every cluster gets its own Applications', () => {
    const dir = tempDir();
    synthDelivery({ chartDelivery: ChartDelivery.argoCd(), props: { clusters: [{ name: 'east' }, { name: 'west' }], links: [] } }, dir);
    for (const cluster of ['east', 'west']) expect(Object.keys(byKind(clusterObjects(dir, cluster), 'Application'))).toHaveLength(6);
  });
});

describe('chart delivery component', () => {
  test('a release that is not pinned to an exact version is refused, naming it and the fix', () => {
    const releases = seedReleases().map((r) => (r.id === 'istiod' ? { ...r, version: '1.29.x' } : r));
    const e = errorOf(() => deliveryMesh(new App(), { chartDelivery: ChartDelivery.argoCd(), releases }));
    expect(e.message).toBe("chart release 'istiod' has version '1.29.x', which is not an exact version: pin it, e.g. '1.2.3'");
  });

  test('a manifest source on a branch is refused', () => {
    const e = errorOf(() =>
      deliveryMesh(new App(), { chartDelivery: ChartDelivery.argoCd(), manifestSources: [{ ...GATEWAY_API_CRDS, revision: 'main' }] }),
    );
    expect(e.message).toContain("manifest source 'gateway-api-crds' has revision 'main', which is not pinned");
  });

  test('a release id that is not a DNS-1123 label is refused', () => {
    const releases = [{ ...seedReleases()[0], id: 'Istio_Base' }];
    const e = errorOf(() => deliveryMesh(new App(), { chartDelivery: ChartDelivery.argoCd(), releases }));
    expect(e.message).toContain("chart release id 'Istio_Base' is not a DNS-1123 label");
  });

  test('a release added at any time is delivered, and an id used twice is refused', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    const [cluster] = deliveryMesh(app, { chartDelivery: ChartDelivery.argoCd() });
    cluster.delivery.addRelease({ ...seedReleases()[0], id: 'late', releaseName: 'late' });
    synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    expect(byKind(clusterObjects(out), 'Application').late.spec.source.helm.releaseName).toBe('late');
    const e = errorOf(() => cluster.delivery.addRelease({ ...seedReleases()[0], id: 'late', releaseName: 'late' }));
    expect(e.message).toContain("chart release 'late' is declared twice in cluster cluster1");
  });

  test('the component exposes the mode and its delivery construct', () => {
    const [cluster] = deliveryMesh(new App(), { chartDelivery: ChartDelivery.argoCd() });
    const component = cluster.node.findChild('ChartDelivery') as ChartDeliveryComponent;
    expect(component.mode.value).toBe('argocd');
    expect(component.componentName).toBe('delivery');
    expect(component.resource.node.id).toBe('Resource');
    expect(cluster.delivery).toBe(component);
  });
});
