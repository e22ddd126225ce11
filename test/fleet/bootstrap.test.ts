// The fleet bootstrap `_fleet/`: Argo CD (in each cluster, and a hub) and Flux objects, schema-valid, written,
// indexed and pruned like a cluster directory, and built by a real `kubectl kustomize`.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { ArgoCdTopology, ChartDelivery, SchemaRegistry, resolveMeshProps, type MeshSpec } from '../../lib';
import { SPIRE_NAMES } from '../../lib/spire/names';
import {
  ARGOCD_APPLICATION_HEALTH_KEY,
  ARGOCD_APPLICATION_HEALTH_LUA,
  FLEET_DIRECTORY,
  fluxObjects,
  renderFleetBootstrap,
} from '../../lib/gitops/fleet';
import { exampleProps, readTree, synthMesh, tempDir } from '../helpers';

const REPO = 'https://github.com/example/fleet.git';
const SERVERS = ['https://192.0.2.100:6443', 'https://192.0.2.101:6443'];

function meshWith(gitops: MeshSpec['gitops'], extra: Partial<MeshSpec> = {}, hub = false): MeshSpec {
  const base = { ...exampleProps(), ...extra };
  return {
    ...base,
    gitops,
    clusters: base.clusters.map((c, i) => ({ ...c, ...(hub ? { argoCdDestination: { server: SERVERS[i] } } : {}) })),
  };
}

function fleetOf(out: string): Record<string, any> {
  const tree = readTree(out);
  const docs: Record<string, any> = {};
  for (const [rel, text] of Object.entries(tree))
    if (rel.startsWith(`${FLEET_DIRECTORY}/`)) docs[rel.slice(FLEET_DIRECTORY.length + 1)] = parse(text);
  return docs;
}

/** A real kubectl: SPIREMESH_KUBECTL, else `kubectl` on PATH. Without one these tests FAIL: they never skip. */
function kubectl(): string {
  const bin = process.env.SPIREMESH_KUBECTL ?? 'kubectl';
  try {
    execFileSync(bin, ['version', '--client'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`no kubectl to run (${bin}: ${(e as Error).message}); install kubectl or set SPIREMESH_KUBECTL to one`);
  }
  return bin;
}

function kustomize(dir: string): any[] {
  const text = execFileSync(kubectl(), ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((d) => d !== null);
}

describe('fleet bootstrap: Argo CD in each cluster', () => {
  const out = tempDir();
  let result: ReturnType<typeof synthMesh>;
  beforeAll(() => {
    result = synthMesh(meshWith({ repository: REPO }), out);
  });

  test('one Application per cluster syncs <pathPrefix>/<cluster> into the cluster it runs in, with automated prune and self-heal', () => {
    const fleet = fleetOf(out);
    for (const cluster of ['cluster1', 'cluster2']) {
      const app = fleet[`${cluster}/application_argocd_spiremesh-example.yaml`];
      expect(app).toMatchObject({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'spiremesh-example', namespace: 'argocd' },
        spec: {
          project: 'default',
          source: { repoURL: REPO, targetRevision: 'main', path: `dist/${cluster}` },
          destination: { server: 'https://kubernetes.default.svc' },
          syncPolicy: {
            automated: { prune: true, selfHeal: true },
            syncOptions: ['ServerSideApply=true', 'RespectIgnoreDifferences=true'],
            retry: { limit: -1, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } },
          },
        },
      });
      // No cascading delete: removing the bootstrap must not uninstall the mesh.
      expect(app.metadata.finalizers).toBeUndefined();
      expect(app.spec.source.directory).toBeUndefined();
      expect(fleet[`${cluster}/kustomization.yaml`].resources).toEqual(['application_argocd_spiremesh-example.yaml']);
    }
    // Nothing in the top kustomization: each Argo CD gets only its own cluster's Application.
    expect(fleet['kustomization.yaml'].resources).toEqual([]);
  });

  test('ignoreDifferences name the fields the SPIRE controllers write at run time', () => {
    const app = fleetOf(out)['cluster1/application_argocd_spiremesh-example.yaml'];
    expect(app.spec.ignoreDifferences).toEqual([
      { group: '', kind: 'ConfigMap', name: SPIRE_NAMES.bundleConfigMap, namespace: SPIRE_NAMES.namespace, jsonPointers: ['/data'] },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'ValidatingWebhookConfiguration',
        name: SPIRE_NAMES.controllerManagerWebhook,
        jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
      },
    ]);
    // Both objects are in the cluster directory under exactly those names.
    const tree = readTree(out);
    expect(tree[`cluster1/spire/configmap_spire-server_${SPIRE_NAMES.bundleConfigMap}.yaml`]).toBeDefined();
    expect(tree[`cluster1/spire/validatingwebhookconfiguration_${SPIRE_NAMES.controllerManagerWebhook}.yaml`]).toBeDefined();
  });

  test('the Application health check is a documented argocd-cm patch that no kustomization applies', () => {
    const fleet = fleetOf(out);
    const patch = fleet['_argocd-cm/configmap_argocd_argocd-cm.yaml'];
    expect(patch).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'argocd-cm',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
      data: { [ARGOCD_APPLICATION_HEALTH_KEY]: ARGOCD_APPLICATION_HEALTH_LUA },
    });
    expect(ARGOCD_APPLICATION_HEALTH_KEY).toBe('resource.customizations.health.argoproj.io_Application');
    expect(ARGOCD_APPLICATION_HEALTH_LUA).toContain('hs.status = obj.status.health.status');
    const page = readTree(out)['README.md'];
    expect(page).toContain('## How it goes live');
    expect(page).toContain(
      'kubectl -n argocd patch configmap argocd-cm --type merge --patch-file dist/_fleet/_argocd-cm/configmap_argocd_argocd-cm.yaml',
    );
    expect(page).toContain('`kubectl --context cluster1 apply -k dist/_fleet/cluster1`');
  });

  test('indexed like a cluster directory, summarized, and up to date on a second run', () => {
    const index = fleetOf(out)['spiremesh-index.yaml'];
    expect(index).toMatchObject({
      mesh: 'example',
      fleet: { engine: 'argocd', argoCdTopology: 'in-cluster', repository: REPO, revision: 'main', pathPrefix: 'dist' },
    });
    expect(index.files.map((f: any) => f.path)).toEqual([
      '_argocd-cm/configmap_argocd_argocd-cm.yaml',
      'cluster1/application_argocd_spiremesh-example.yaml',
      'cluster1/kustomization.yaml',
      'cluster2/application_argocd_spiremesh-example.yaml',
      'cluster2/kustomization.yaml',
      'kustomization.yaml',
    ]);
    expect(result.clusters.find((c) => c.cluster === FLEET_DIRECTORY)).toMatchObject({ mesh: 'example', objects: 3, files: 7, created: 7 });
    expect(synthMesh(meshWith({ repository: REPO }), out, true).upToDate).toBe(true);
  });

  test('kubectl kustomize builds _fleet and each cluster folder', () => {
    expect(kustomize(path.join(out, FLEET_DIRECTORY))).toEqual([]);
    const built = kustomize(path.join(out, FLEET_DIRECTORY, 'cluster1'));
    expect(built).toEqual([fleetOf(out)['cluster1/application_argocd_spiremesh-example.yaml']]);
  });

  test('a cluster that leaves the spec loses its bootstrap folder; without gitops the whole _fleet goes', () => {
    const dir = tempDir();
    synthMesh(meshWith({ repository: REPO }), dir);
    const one = meshWith({ repository: REPO }, { clusters: [exampleProps().clusters[0]], links: [] });
    const r = synthMesh(one, dir);
    expect(r.directories.find((d) => d.dir === FLEET_DIRECTORY)?.pruned).toEqual([
      'cluster2/application_argocd_spiremesh-example.yaml',
      'cluster2/kustomization.yaml',
    ]);
    expect(fs.existsSync(path.join(dir, FLEET_DIRECTORY, 'cluster2'))).toBe(false);
    expect(r.warnings.filter((w) => w.includes(FLEET_DIRECTORY))).toEqual([]);
    const none = synthMesh({ ...exampleProps(), clusters: [exampleProps().clusters[0]], links: [] }, dir);
    expect(none.directories.find((d) => d.dir === FLEET_DIRECTORY)?.pruned).toContain('spiremesh-index.yaml');
    expect(fs.existsSync(path.join(dir, FLEET_DIRECTORY))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'cluster1', 'spiremesh-index.yaml'))).toBe(true);
  });
});

describe('fleet bootstrap: a hub Argo CD', () => {
  const out = tempDir();
  beforeAll(() => {
    synthMesh(meshWith({ repository: REPO, argoCdTopology: ArgoCdTopology.HUB }, {}, true), out);
  });

  test('Application names are unique across the fleet and each cluster directory goes to its own destination', () => {
    const fleet = fleetOf(out);
    const apps = Object.values(fleet).filter((d) => d?.kind === 'Application');
    const names = apps.map((a) => a.metadata.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual([
      'cluster1-spiremesh-example',
      'cluster1-spiremesh-example-delivery',
      'cluster2-spiremesh-example',
      'cluster2-spiremesh-example-delivery',
    ]);
    ['cluster1', 'cluster2'].forEach((cluster, i) => {
      const app = fleet[`${cluster}/application_argocd_${cluster}-spiremesh-example.yaml`];
      expect(app.spec.destination).toEqual({ server: SERVERS[i] });
      // The directory without its delivery Applications, which are objects of the hub.
      expect(app.spec.source).toMatchObject({
        path: `dist/${cluster}`,
        directory: { recurse: true, exclude: '{kustomization.yaml,spiremesh-index.yaml,delivery/*}' },
      });
      const delivery = fleet[`${cluster}/application_argocd_${cluster}-spiremesh-example-delivery.yaml`];
      expect(delivery.spec.source).toMatchObject({ path: `dist/${cluster}/delivery`, directory: { recurse: false } });
      expect(delivery.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
      expect(delivery.spec.ignoreDifferences).toBeUndefined();
    });
    // One destination per cluster.
    const destinations = apps.filter((a) => !a.metadata.name.endsWith('-delivery')).map((a) => a.spec.destination.server);
    expect(destinations.sort()).toEqual([...SERVERS].sort());
  });

  test("each cluster's delivery Applications live in the hub: named <cluster>-<release>, deploying to that cluster", () => {
    const tree = readTree(out);
    const names: string[] = [];
    ['cluster1', 'cluster2'].forEach((cluster, i) => {
      const apps = Object.entries(tree)
        .filter(([rel]) => rel.startsWith(`${cluster}/delivery/application_`))
        .map(([, text]) => parse(text));
      expect(apps.length).toBeGreaterThan(0);
      for (const app of apps) {
        expect(app.metadata.name.startsWith(`${cluster}-`)).toBe(true);
        expect(app.spec.destination.server).toBe(SERVERS[i]);
        names.push(app.metadata.name);
      }
    });
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['cluster1-istiod', 'cluster2-istiod', 'cluster1-spire-crds']));
  });

  test('the top kustomization holds every cluster for the hub, and kubectl kustomize builds it', () => {
    const fleet = fleetOf(out);
    expect(fleet['kustomization.yaml'].resources).toEqual(['cluster1', 'cluster2']);
    const built = kustomize(path.join(out, FLEET_DIRECTORY));
    expect(built.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Application/argocd/cluster1-spiremesh-example',
      'Application/argocd/cluster1-spiremesh-example-delivery',
      'Application/argocd/cluster2-spiremesh-example',
      'Application/argocd/cluster2-spiremesh-example-delivery',
    ]);
  });

  test('an Argo CD cluster name as destination', () => {
    const spec = meshWith({ repository: REPO, argoCdTopology: ArgoCdTopology.HUB });
    const named = { ...spec, clusters: spec.clusters.map((c) => ({ ...c, argoCdDestination: { name: `${c.name}-prod` } })) };
    const fleet = renderFleetBootstrap(resolveMeshProps(named, 'test'), new Map());
    const app = fleet?.objects.find((o) => o.manifest.metadata.name === 'cluster2-spiremesh-example');
    expect(app?.manifest.spec.destination).toEqual({ name: 'cluster2-prod' });
  });
});

describe('fleet bootstrap: Flux', () => {
  const out = tempDir();
  const repo = 'ssh://git@github.com/example/fleet.git';
  beforeAll(() => {
    synthMesh(meshWith({ repository: repo, secretName: 'spiremesh-git', revision: 'prod' }, { chartDelivery: ChartDelivery.flux() }), out);
  });

  test('per cluster a GitRepository and a Kustomization in flux-system: path, prune, wait, ignore rules', () => {
    const fleet = fleetOf(out);
    expect(fleet['cluster1/gitrepository_flux-system_spiremesh-example.yaml']).toMatchObject({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'spiremesh-example', namespace: 'flux-system' },
      spec: { url: repo, ref: { branch: 'prod' }, interval: '1m0s', secretRef: { name: 'spiremesh-git' } },
    });
    const ks = fleet['cluster1/kustomization_flux-system_spiremesh-example.yaml'];
    expect(ks).toMatchObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'spiremesh-example', namespace: 'flux-system' },
      spec: {
        sourceRef: { kind: 'GitRepository', name: 'spiremesh-example' },
        path: './dist/cluster1',
        prune: true,
        wait: true,
        timeout: '10m0s',
        interval: '10m0s',
        retryInterval: '1m0s',
      },
    });
    expect(ks.spec.dependsOn).toBeUndefined();
    // One JSON pointer per webhook of the rendered configuration (JSON pointers have no wildcard).
    const webhook = parse(readTree(out)[`cluster1/spire/validatingwebhookconfiguration_${SPIRE_NAMES.controllerManagerWebhook}.yaml`]);
    expect(webhook.webhooks.length).toBeGreaterThan(0);
    expect(ks.spec.ignore).toEqual([
      { paths: ['/data'], target: { kind: 'ConfigMap', name: SPIRE_NAMES.bundleConfigMap, namespace: SPIRE_NAMES.namespace } },
      {
        paths: webhook.webhooks.map((_: unknown, i: number) => `/webhooks/${i}/clientConfig/caBundle`),
        target: {
          group: 'admissionregistration.k8s.io',
          kind: 'ValidatingWebhookConfiguration',
          name: SPIRE_NAMES.controllerManagerWebhook,
        },
      },
    ]);
    // The source comes before the Kustomization that reads it; no argocd-cm patch with Flux.
    expect(fleet['cluster1/kustomization.yaml'].resources).toEqual([
      'gitrepository_flux-system_spiremesh-example.yaml',
      'kustomization_flux-system_spiremesh-example.yaml',
    ]);
    expect(Object.keys(fleet).some((k) => k.startsWith('_argocd-cm/'))).toBe(false);
  });

  test('ordered stages depend on the stage before them', () => {
    const mesh = resolveMeshProps(
      meshWith({ repository: repo, secretName: 'spiremesh-git' }, { chartDelivery: ChartDelivery.flux() }),
      'test',
    );
    const made = fluxObjects(
      new Chart(new App(), 'x'),
      mesh,
      mesh.gitops!,
      mesh.clusters[0],
      [{ directory: 'cluster1/crds' }, { directory: 'cluster1' }],
      [],
    );
    const kustomizations = made.map((m) => m.object.toJson()).filter((o) => o.kind === 'Kustomization');
    expect(kustomizations.map((k) => [k.metadata.name, k.spec.path, k.spec.dependsOn])).toEqual([
      ['spiremesh-example-0', './dist/cluster1/crds', undefined],
      ['spiremesh-example-1', './dist/cluster1', [{ name: 'spiremesh-example-0' }]],
    ]);
  });

  test('kubectl kustomize builds each cluster folder', () => {
    const built = kustomize(path.join(out, FLEET_DIRECTORY, 'cluster2'));
    expect(built.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/spiremesh-example',
      'Kustomization/spiremesh-example',
    ]);
    expect(kustomize(path.join(out, FLEET_DIRECTORY))).toEqual([]);
  });
});

describe('fleet bootstrap: schemas and the example', () => {
  test('every bootstrap object validates against its CRD (and the schemas are strict for these kinds)', () => {
    const registry = SchemaRegistry.default();
    const cases: MeshSpec[] = [
      meshWith({ repository: REPO }),
      meshWith({ repository: REPO, argoCdTopology: ArgoCdTopology.HUB }, {}, true),
      meshWith({ repository: 'ssh://git@github.com/example/fleet.git', secretName: 'git' }, { chartDelivery: ChartDelivery.flux() }),
    ];
    for (const spec of cases) {
      const fleet = renderFleetBootstrap(resolveMeshProps(spec, 'test'), new Map())!;
      for (const o of fleet.objects) expect(registry.validate(o.manifest)).toEqual([]);
      const app = fleet.objects.find((o) => o.manifest.kind !== 'ConfigMap')!.manifest;
      expect(registry.validate({ ...app, spec: { ...app.spec, syncPolicy: { automated: { prune: 'yes' } } } }).length).toBeGreaterThan(0);
    }
  });

  test('without a gitops section there is no _fleet and no "How it goes live" section', () => {
    const out = tempDir();
    synthMesh(exampleProps(), out);
    expect(fs.existsSync(path.join(out, FLEET_DIRECTORY))).toBe(false);
    expect(readTree(out)['README.md']).not.toContain('How it goes live');
  });
});
