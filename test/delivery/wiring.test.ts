/**
 * The real releases of a SpireMesh (registered by its SPIRE and Istio components) delivered
 * in each GitOps mode, through the whole synth and its gates.
 */
import { App } from 'cdk8s';
import { ChartDelivery, SpireMesh, synthesize } from '../../lib';
import { ChartDeliveryComponent, EXTRA_VALUES_ANNOTATION } from '../../lib/delivery';
import { TEST_PROJECT, exampleProps, tempDir } from '../helpers';
import { byKind, clusterObjects } from './fixtures';

/** The example mesh with a chart-delivery component in every cluster (created here unless SpireMesh already does). */
function synthExample(chartDelivery: ChartDelivery, outdir: string) {
  const app = new App({ outdir });
  const mesh = new SpireMesh(app, 'mesh', { ...exampleProps(), chartDelivery });
  for (const cluster of mesh.clusters) {
    if (!cluster.node.findAll().some((c) => c instanceof ChartDeliveryComponent)) new ChartDeliveryComponent(cluster, 'ChartDelivery');
  }
  const result = synthesize(app, { outdir, baseDir: TEST_PROJECT });
  return { mesh, result };
}

describe("delivery of a SpireMesh's own releases", () => {
  test('argocd: one Application per registered release and source, with the registered values, passing every gate', () => {
    const out = tempDir();
    const { mesh } = synthExample(ChartDelivery.argoCd(), out);
    for (const cluster of mesh.clusters) {
      const apps = byKind(clusterObjects(out, cluster.cluster.name), 'Application');
      const { releases, manifestSources } = cluster.deliveries;
      expect(Object.keys(apps).sort()).toEqual([...releases, ...manifestSources].map((d) => d.id).sort());
      for (const release of releases) {
        const helm = apps[release.id].spec.source.helm;
        expect(helm.valuesObject ?? {}).toEqual(JSON.parse(JSON.stringify(release.values)));
        expect(apps[release.id].metadata.annotations[EXTRA_VALUES_ANNOTATION]).toBe(
          (release.extraValueKeys ?? []).length > 0 ? release.extraValueKeys!.join(',') : undefined,
        );
      }
    }
  });

  test('flux: one HelmRelease per registered release, chained in registry order', () => {
    const out = tempDir();
    const { mesh, result } = synthExample(ChartDelivery.flux(), out);
    const cluster = mesh.clusters[0];
    const hr = byKind(clusterObjects(out, cluster.cluster.name), 'HelmRelease');
    const ids = cluster.deliveries.releases.map((r) => r.id);
    expect(Object.keys(hr).sort()).toEqual([...ids].sort());
    ids.slice(1).forEach((id, i) => expect(hr[id].spec.dependsOn).toEqual([{ name: ids[i] }]));
    expect(result.warnings.filter((w) => w.includes('is not delivered in flux mode'))).toHaveLength(mesh.clusters.length);
  });
});
