/**
 * The delivery seam of a SpireMesh: the releases of its own SPIRE and Istio components and a
 * user's component with its own chart, delivered in each GitOps mode through the whole synth
 * and its gates; helm-template mode renders them with the real helm binary and the real chart
 * archives of ../shared/charts.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { ChartDelivery, MeshCluster, MeshComponent, SpireMesh, synthesize } from '../../lib';
import { EXTRA_VALUES_ANNOTATION } from '../../lib/delivery';
import { TEST_PROJECT, exampleProps, tempDir } from '../helpers';
import { chartCache, helmBinary } from '../variants/harness';
import { byKind, clusterObjects } from './fixtures';

/** A team's own component: a ConfigMap of its own and a chart release handed to the cluster's delivery. */
class TeamDashboard extends MeshComponent {
  public constructor(scope: Construct, id: string) {
    super(scope, id, { componentName: 'dashboards' });
    const cluster = MeshCluster.enclosing(this);
    cluster.namespaces.addNamespace('dashboards');
    new k8s.KubeConfigMap(this, 'Settings', { metadata: { name: 'dashboard-settings', namespace: 'dashboards' }, data: { theme: 'dark' } });
    cluster.delivery.addRelease({
      id: 'team-dashboard',
      chart: 'tiny',
      repository: { url: 'oci://registry.example.com/charts' },
      version: '0.1.0',
      releaseName: 'team-dashboard',
      namespace: 'dashboards',
      values: { greeting: `hello from ${cluster.cluster.name}` },
      order: 10,
    });
  }
}

/** The example mesh with the user's component in every cluster, added after SpireMesh built its own. */
function synthExample(chartDelivery: ChartDelivery, outdir: string) {
  const app = new App({ outdir });
  const mesh = new SpireMesh(app, 'mesh', { ...exampleProps(), chartDelivery });
  for (const cluster of mesh.clusters) new TeamDashboard(cluster, 'TeamDashboard');
  const result = synthesize(app, { outdir, baseDir: TEST_PROJECT });
  return { mesh, result };
}

/** A one-file chart `tiny` 0.1.0 that renders a ConfigMap from `.Values.greeting`, packaged into `dir`. */
function packageTinyChart(helm: string, dir: string): void {
  const source = path.join(tempDir('spiremesh-tiny-chart-'), 'tiny');
  fs.mkdirSync(path.join(source, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(source, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
  fs.writeFileSync(
    path.join(source, 'templates/configmap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
  );
  execFileSync(helm, ['package', source, '-d', dir], { encoding: 'utf8' });
}

describe("delivery of a SpireMesh's releases and a user's chart release", () => {
  test('argocd: one Application per release and source, with the delivered values, passing every gate', () => {
    const out = tempDir();
    const { mesh } = synthExample(ChartDelivery.argoCd(), out);
    for (const cluster of mesh.clusters) {
      const objects = clusterObjects(out, cluster.cluster.name);
      const apps = byKind(objects, 'Application');
      const { releases, manifestSources } = cluster.delivery;
      expect(Object.keys(apps).sort()).toEqual([...releases, ...manifestSources].map((d) => d.id).sort());
      expect(Object.keys(apps)).toContain('team-dashboard');
      for (const release of releases) {
        const helm = apps[release.id].spec.source.helm;
        expect(helm.valuesObject ?? {}).toEqual(JSON.parse(JSON.stringify(release.values)));
        expect(apps[release.id].metadata.annotations[EXTRA_VALUES_ANNOTATION]).toBe(
          (release.extraValueKeys ?? []).length > 0 ? (release.extraValueKeys ?? []).join(',') : undefined,
        );
      }
      expect(apps['team-dashboard'].metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('10');
      expect(apps['team-dashboard'].spec.source.repoURL).toBe('oci://registry.example.com/charts/tiny');
      expect(objects['dashboards/configmap_dashboards_dashboard-settings.yaml'].data).toEqual({ theme: 'dark' });
    }
  });

  test('flux: one HelmRelease per release, chained in apply order, the user release last', () => {
    const out = tempDir();
    const { mesh, result } = synthExample(ChartDelivery.flux(), out);
    const cluster = mesh.clusters[0];
    const hr = byKind(clusterObjects(out, cluster.cluster.name), 'HelmRelease');
    const ids = cluster.delivery.releases.map((r) => r.id);
    expect(ids[ids.length - 1]).toBe('team-dashboard');
    expect(Object.keys(hr).sort()).toEqual([...ids].sort());
    expect(hr[ids[0]].spec.dependsOn).toBeUndefined();
    ids.slice(1).forEach((id, i) => expect(hr[id].spec.dependsOn).toEqual([{ name: ids[i] }]));
    expect(byKind(clusterObjects(out, cluster.cluster.name), 'OCIRepository')['team-dashboard'].spec.url).toBe(
      'oci://registry.example.com/charts/tiny',
    );
    // The Gateway API CRDs are delivered by a GitRepository and a Kustomization of the same name: no warning.
    expect(result.warnings.filter((w) => w.includes('is not delivered in flux mode'))).toEqual([]);
    const source = cluster.delivery.manifestSources[0];
    expect(Object.keys(byKind(clusterObjects(out, cluster.cluster.name), 'GitRepository'))).toEqual([source.id]);
    const fluxKustomizations = Object.values(clusterObjects(out, cluster.cluster.name)).filter(
      (o) => o?.kind === 'Kustomization' && o.apiVersion === 'kustomize.toolkit.fluxcd.io/v1',
    );
    expect(fluxKustomizations.map((k) => k.metadata.name)).toEqual([source.id]);
  });

  test('helm-template: every release rendered by the real helm from the real chart archives, the user chart too', () => {
    const helm = helmBinary();
    const cache = chartCache(tempDir('spiremesh-wiring-charts-'));
    packageTinyChart(helm, cache);
    const out = tempDir();
    const { mesh } = synthExample(ChartDelivery.helmTemplate({ helmExecutable: helm, chartCacheDirectory: cache }), out);
    for (const cluster of mesh.clusters) {
      const objects = clusterObjects(out, cluster.cluster.name);
      const folders = new Set(Object.keys(objects).map((f) => f.split('/')[0]));
      for (const release of cluster.delivery.releases) expect(folders).toContain(release.id);
      expect(objects['team-dashboard/configmap_dashboards_team-dashboard.yaml'].data).toEqual({
        greeting: `hello from ${cluster.cluster.name}`,
      });
      // The real istiod chart rendered the trust domain that SPIRE uses.
      const istiodConfig = objects['istiod/configmap_istio-system_istio.yaml'];
      expect(istiodConfig.data.mesh).toContain(`trustDomain: ${cluster.cluster.trustDomain}`);
      expect(Object.keys(objects).some((f) => f.startsWith('delivery/'))).toBe(false);
    }
  });
});
