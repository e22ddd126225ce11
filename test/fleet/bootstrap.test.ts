// The fleet bootstrap `_fleet/`: Argo CD (in each cluster, and a hub) and Flux objects, schema-valid, written,
// indexed and pruned like a cluster directory, and built by a real `kubectl kustomize`.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import {
  ArgoCdTopology,
  ChartDelivery,
  DataplaneMode,
  GitOpsEngine,
  IstioDistribution,
  SchemaRegistry,
  resolveMeshProps,
  type MeshSpec,
} from '../../lib';
import { AFTER_CRDS_STAGE, APPLY_STAGE_ANNOTATION } from '../../lib/delivery/names';
import { SPIRE_NAMES } from '../../lib/spire/names';
import {
  ARGOCD_APPLICATION_HEALTH_KEY,
  ARGOCD_APPLICATION_HEALTH_LUA,
  FLEET_DIRECTORY,
  clusterStages,
  firstStageHealthChecks,
  fluxObjects,
  renderFleetBootstrap,
} from '../../lib/gitops/fleet';
import { exampleProps, readTree, synthMesh, tempDir } from '../helpers';
import { chartCache, helmBinary, kubectlBinary } from '../variants/harness';

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

function kustomize(dir: string): any[] {
  const text = execFileSync(kubectlBinary(), ['kustomize', dir], { encoding: 'utf8' });
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
    // Synthesis passes the schema gate: every bootstrap and delivery object validates against the real Flux CRDs.
    synthMesh(meshWith({ repository: repo, secretName: 'spiremesh-git', revision: 'prod' }, { chartDelivery: ChartDelivery.flux() }), out);
  });

  test('per cluster a GitRepository and two Kustomizations in flux-system: the directory, then _after-crds after it', () => {
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
        timeout: '10m0s',
        interval: '10m0s',
        retryInterval: '1m0s',
      },
    });
    // Health checks instead of waiting for every object (an ExternalSecret is ready only once its store answers).
    expect(ks.spec.wait).toBeUndefined();
    expect(ks.spec.dependsOn).toBeUndefined();
    const after = fleet['cluster1/kustomization_flux-system_spiremesh-example-after-crds.yaml'];
    expect(after.spec).toEqual({
      sourceRef: { kind: 'GitRepository', name: 'spiremesh-example' },
      path: './dist/cluster1/_after-crds',
      prune: true,
      timeout: '10m0s',
      interval: '10m0s',
      retryInterval: '1m0s',
      dependsOn: [{ name: 'spiremesh-example' }],
    });
    // The folder exists in the cluster directory, with its own kustomization.
    expect(readTree(out)['cluster1/_after-crds/kustomization.yaml']).toBeDefined();
    // The source comes before the Kustomizations that read it; no argocd-cm patch with Flux.
    expect(fleet['cluster1/kustomization.yaml'].resources).toEqual([
      'gitrepository_flux-system_spiremesh-example.yaml',
      'kustomization_flux-system_spiremesh-example.yaml',
      'kustomization_flux-system_spiremesh-example-after-crds.yaml',
    ]);
    expect(Object.keys(fleet).some((k) => k.startsWith('_argocd-cm/'))).toBe(false);
  });

  test('the first Kustomization health-checks exactly what delivers CRDs and the workload of the SPIRE webhook', () => {
    const ks = fleetOf(out)['cluster1/kustomization_flux-system_spiremesh-example.yaml'];
    expect(ks.spec.healthChecks).toEqual([
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'istio-base', namespace: 'flux-system' },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'spire-crds', namespace: 'flux-system' },
      { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'gateway-api-crds', namespace: 'flux-system' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: SPIRE_NAMES.server, namespace: SPIRE_NAMES.namespace },
    ]);
    // Each is an object of the cluster directory, under exactly that name.
    const tree = readTree(out);
    for (const h of ks.spec.healthChecks) {
      const file = Object.keys(tree).find((f) => {
        if (!f.startsWith('cluster1/') || !f.endsWith('.yaml') || f.endsWith('kustomization.yaml')) return false;
        const o = parse(tree[f]);
        return o?.kind === h.kind && o.apiVersion === h.apiVersion && o.metadata?.name === h.name && o.metadata?.namespace === h.namespace;
      });
      // In the first stage's directory, never in _after-crds.
      expect({ check: h, inFirstStage: file !== undefined && !file.startsWith('cluster1/_after-crds/') }).toEqual({
        check: h,
        inFirstStage: true,
      });
    }
    // The SPIRE webhook covers spire.spiffe.io, its Service selects the spire-server pods, and registrations wait in _after-crds.
    const webhook = parse(tree[`cluster1/spire/validatingwebhookconfiguration_${SPIRE_NAMES.controllerManagerWebhook}.yaml`]);
    expect(webhook.webhooks.flatMap((w: any) => w.rules.flatMap((r: any) => r.apiGroups))).toContain('spire.spiffe.io');
    expect(Object.keys(tree).some((f) => f.startsWith('cluster1/_after-crds/clusterspiffeid_'))).toBe(true);
    // The Gateway API Gateways come after the Kustomization that delivers their CRDs.
    expect(Object.keys(tree).some((f) => /^cluster1\/_after-crds\/gateway_/.test(f))).toBe(true);
  });

  test('ignore rules: the fields SPIRE writes at run time, on the Kustomization that applies them', () => {
    const fleet = fleetOf(out);
    const ks = fleet['cluster1/kustomization_flux-system_spiremesh-example.yaml'];
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
    expect(fleet['cluster1/kustomization_flux-system_spiremesh-example-after-crds.yaml'].spec.ignore).toBeUndefined();
  });

  test('stages come from the apply-stage annotation; without a later stage there is one Kustomization and no health checks', () => {
    const mesh = resolveMeshProps(
      meshWith({ repository: repo, secretName: 'spiremesh-git' }, { chartDelivery: ChartDelivery.flux() }),
      'test',
    );
    const object = (manifest: any) => ({ cluster: 'cluster1', component: 'x', constructPath: 'x', manifest });
    const staged = object({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterSPIFFEID',
      metadata: { name: 'a', annotations: { [APPLY_STAGE_ANNOTATION]: AFTER_CRDS_STAGE } },
    });
    const plain = object({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } });
    const stages = clusterStages('cluster1', [plain, staged]);
    expect(stages.map((s) => [s.directory, s.stage, s.objects.length])).toEqual([
      ['cluster1', undefined, 1],
      ['cluster1/_after-crds', AFTER_CRDS_STAGE, 1],
    ]);
    const names = (st: ReturnType<typeof clusterStages>) =>
      fluxObjects(new Chart(new App(), 'x'), mesh, mesh.gitops!, mesh.clusters[0], st)
        .map((m) => m.object.toJson())
        .filter((o) => o.kind === 'Kustomization')
        .map((k) => [k.metadata.name, k.spec.path, k.spec.dependsOn, k.spec.healthChecks]);
    expect(names(stages)).toEqual([
      ['spiremesh-example', './dist/cluster1', undefined, undefined],
      ['spiremesh-example-after-crds', './dist/cluster1/_after-crds', [{ name: 'spiremesh-example' }], undefined],
    ]);
    expect(names(clusterStages('cluster1', [plain]))).toEqual([['spiremesh-example', './dist/cluster1', undefined, undefined]]);
    expect(firstStageHealthChecks(clusterStages('cluster1', [plain]))).toEqual([]);
  });

  test('every _fleet object validates against the real Flux CRDs (../shared/crds/flux)', () => {
    const registry = SchemaRegistry.default();
    const objects = Object.values(fleetOf(out)).filter((o) => o?.kind === 'GitRepository' || o?.kind === 'Kustomization');
    expect(objects.filter((o) => o.apiVersion !== 'kustomize.config.k8s.io/v1beta1')).toHaveLength(6);
    for (const o of objects.filter((x) => x.apiVersion !== 'kustomize.config.k8s.io/v1beta1')) expect(registry.validate(o)).toEqual([]);
    const ks = fleetOf(out)['cluster1/kustomization_flux-system_spiremesh-example.yaml'];
    expect(registry.validate({ ...ks, spec: { ...ks.spec, healthChecks: [{ name: 'x' }] } }).length).toBeGreaterThan(0);
  });

  test('kubectl kustomize builds each cluster folder', () => {
    const built = kustomize(path.join(out, FLEET_DIRECTORY, 'cluster2'));
    expect(built.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/spiremesh-example',
      'Kustomization/spiremesh-example',
      'Kustomization/spiremesh-example-after-crds',
    ]);
    expect(kustomize(path.join(out, FLEET_DIRECTORY))).toEqual([]);
    // And the two folders the Kustomizations apply.
    const cluster = kustomize(path.join(out, 'cluster2'));
    expect(cluster.filter((o) => o.kind === 'Kustomization').map((o) => o.metadata.name)).toEqual(['gateway-api-crds']);
    expect(kustomize(path.join(out, 'cluster2', '_after-crds')).map((o) => o.kind)).toContain('ClusterSPIFFEID');
  });
});

/** A community Istio sidecar cluster rendered by the real helm from ../shared/charts (helm-template stages). */
function helmTemplateMesh(gitops: MeshSpec['gitops'], hub = false): MeshSpec {
  return {
    name: 'rendered',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    spire: { chartVersion: '0.24.2', crdsChartVersion: '0.5.0' },
    clusters: [
      {
        name: 'edge',
        trustDomain: 'edge.example.org',
        dataplaneMode: DataplaneMode.SIDECAR,
        ...(hub ? { argoCdDestination: { server: SERVERS[0] } } : {}),
      },
    ],
    chartDelivery: ChartDelivery.helmTemplate({ helmExecutable: helmBinary(), chartCacheDirectory: chartCache(tempDir()) }),
    gitops,
  };
}

describe('fleet bootstrap: helm-template (rendered CRDs, staged directory)', () => {
  const flux = tempDir();
  const argo = tempDir();
  const hub = tempDir();
  beforeAll(() => {
    synthMesh(helmTemplateMesh({ repository: REPO, engine: GitOpsEngine.FLUX }), flux);
    synthMesh(helmTemplateMesh({ repository: REPO }), argo);
    synthMesh(helmTemplateMesh({ repository: REPO, argoCdTopology: ArgoCdTopology.HUB }, true), hub);
  }, 300_000);

  test('Flux: no HelmRelease health checks (kustomize-controller applies the rendered CRDs first); the SPIRE webhook workload', () => {
    const fleet = fleetOf(flux);
    const tree = readTree(flux);
    expect(Object.keys(tree).some((f) => f.startsWith('edge/spire-crds/customresourcedefinition_'))).toBe(true);
    const ks = fleet['edge/kustomization_flux-system_spiremesh-rendered.yaml'];
    expect(ks.spec.healthChecks).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: SPIRE_NAMES.server, namespace: SPIRE_NAMES.namespace },
    ]);
    expect(fleet['edge/kustomization_flux-system_spiremesh-rendered-after-crds.yaml'].spec).toMatchObject({
      path: './dist/edge/_after-crds',
      dependsOn: [{ name: 'spiremesh-rendered' }],
    });
    expect(kustomize(path.join(flux, FLEET_DIRECTORY, 'edge')).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'GitRepository/spiremesh-rendered',
      'Kustomization/spiremesh-rendered',
      'Kustomization/spiremesh-rendered-after-crds',
    ]);
  });

  test('Argo CD in the cluster: a second Application for _after-crds, same destination and retry', () => {
    const fleet = fleetOf(argo);
    const first = fleet['edge/application_argocd_spiremesh-rendered.yaml'];
    const second = fleet['edge/application_argocd_spiremesh-rendered-after-crds.yaml'];
    expect(second.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/edge/_after-crds' });
    expect(second.spec.destination).toEqual(first.spec.destination);
    expect(second.spec.destination).toEqual({ server: 'https://kubernetes.default.svc' });
    expect(second.spec.syncPolicy).toEqual(first.spec.syncPolicy);
    expect(second.spec.syncPolicy.retry).toEqual({ limit: -1, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } });
    // The runtime-patched objects are all in the first stage.
    expect(second.spec.ignoreDifferences).toBeUndefined();
    expect(first.spec.ignoreDifferences.length).toBeGreaterThan(0);
    // istiod's validator is rendered fail-open by the real istiod chart, and istiod itself sets Fail and the caBundle.
    const validator = readTree(argo);
    const rendered = Object.entries(validator).find(([f]) => f.startsWith('edge/istiod/validatingwebhookconfiguration_istio-validator'));
    expect(rendered).toBeDefined();
    expect(parse(rendered![1]).webhooks.map((w: any) => w.failurePolicy)).toEqual(['Ignore']);
    expect(first.spec.ignoreDifferences).toContainEqual({
      group: 'admissionregistration.k8s.io',
      kind: 'ValidatingWebhookConfiguration',
      name: parse(rendered![1]).metadata.name,
      jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle', '.webhooks[]?.failurePolicy'],
    });
    expect(kustomize(path.join(argo, FLEET_DIRECTORY, 'edge')).map((o) => o.metadata.name)).toEqual([
      'spiremesh-rendered',
      'spiremesh-rendered-after-crds',
    ]);
    // Both folders build.
    expect(kustomize(path.join(argo, 'edge')).length).toBeGreaterThan(0);
    expect(kustomize(path.join(argo, 'edge', '_after-crds')).map((o) => o.kind)).toContain('ClusterSPIFFEID');
  });

  test('a hub Argo CD: the second Application is named <cluster>-<name>-after-crds and goes to the cluster', () => {
    const apps = Object.values(fleetOf(hub)).filter((d) => d?.kind === 'Application');
    expect(apps.map((a) => a.metadata.name).sort()).toEqual(['edge-spiremesh-rendered', 'edge-spiremesh-rendered-after-crds']);
    for (const a of apps) expect(a.spec.destination).toEqual({ server: SERVERS[0] });
    expect(kustomize(path.join(hub, FLEET_DIRECTORY)).map((o) => o.metadata.name)).toEqual([
      'edge-spiremesh-rendered',
      'edge-spiremesh-rendered-after-crds',
    ]);
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

  test('without a gitops section there is no _fleet', () => {
    const out = tempDir();
    synthMesh(exampleProps(), out);
    expect(fs.existsSync(path.join(out, FLEET_DIRECTORY))).toBe(false);
  });
});
