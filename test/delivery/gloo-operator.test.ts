import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parse } from 'yaml';
import {
  ChartDelivery,
  DataplaneMode,
  GitOpsEngine,
  IstioLicense,
  MeshSpec,
  SpireMesh,
  checkMesh,
  collectObjects,
  resolveMeshProps,
  synthesize,
} from '../../lib';
import { PREREQUISITE_METADATA, Prerequisite, prerequisiteOf } from '../../lib/core/prerequisites';
import {
  ChartDeliveryComponent,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_ZTUNNEL_VALUES_KEY,
  GlooOperatorDelivery,
} from '../../lib/delivery';
import { SchemaRegistry } from '../../lib/validation';
import { TEST_PROJECT, errorOf, exampleProps, readTree, tempDir } from '../helpers';
import { deliveryMesh, seedReleases, synthDelivery } from './fixtures';

const LICENSE_VALUE = 'SOLO-LICENSE-VALUE-THAT-MUST-NOT-LEAK';

/** The prerequisites recorded under `scope`. */
function prerequisitesOf(scope: IConstruct): Prerequisite[] {
  return scope.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === PREREQUISITE_METADATA).map((m) => prerequisiteOf(m.data)))
    .filter((p): p is Prerequisite => p !== undefined);
}

/** The example mesh (two peered ambient clusters, SPIRE, license by Secret) in gloo-operator mode. */
function operatorProps(extra: Partial<MeshSpec> = {}): MeshSpec {
  return { ...exampleProps(), chartDelivery: ChartDelivery.glooOperator(), ...extra };
}

/** Synthesizes a full SpireMesh into a temp folder and returns every object of cluster1 by kind/namespace/name. */
function synthOperatorMesh(props: MeshSpec): { outdir: string; objects: any[]; text: string; app: App } {
  const outdir = tempDir('spiremesh-gloo-');
  const app = new App({ outdir });
  new SpireMesh(app, 'mesh', props);
  synthesize(app, { outdir, baseDir: TEST_PROJECT });
  const tree = readTree(path.join(outdir, 'cluster1'));
  const yamlFiles = Object.entries(tree).filter(([f]) => f.endsWith('.yaml') && !f.endsWith('kustomization.yaml'));
  const objects = yamlFiles.flatMap(([, t]) => [parse(t)]).filter((o) => o && o.kind);
  return { outdir, objects, text: Object.values(tree).join('\n'), app };
}

const find = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

/** Seed 000's ConfigMap, verbatim (indentation included), as applied with `kubectl apply -f -`. */
const SEED_CONFIG_MAP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  'name: gloo-extensions-config',
  'namespace: gloo-mesh',
  'data:',
  'values.istiod: |',
  '   gateways:',
  '      spire:',
  '      workloads: true',
  'values.istio-ztunnel: |',
  '   spire:',
  '      enabled: true',
  '',
].join('\n');

const glooDelivery = (app = new App()) => {
  const clusters = deliveryMesh(app, {
    chartDelivery: ChartDelivery.glooOperator(),
    props: { clusters: [{ name: 'east', network: 'net-east' }] },
  });
  return (clusters[0].node.findChild('ChartDelivery') as ChartDeliveryComponent).resource as GlooOperatorDelivery;
};

describe('Gloo Operator delivery', () => {
  test("the seed's ConfigMap is mis-indented: parsed, it does not say what it means", () => {
    const seed = parse(SEED_CONFIG_MAP);
    expect(seed.metadata).toBeNull();
    expect(seed.data).toBeNull();
    expect(seed.name).toBe('gloo-extensions-config');
    expect(parse(seed['values.istiod'])).toEqual({ gateways: { spire: null, workloads: true } });
  });

  test('the extensions ConfigMap embeds correctly nested YAML: gateways.spire.workloads and spire.enabled', () => {
    const cm = glooDelivery().extensionsConfig.toJson();
    expect(cm.metadata).toMatchObject({ name: GLOO_EXTENSIONS_CONFIG_NAME, namespace: 'gloo-mesh' });
    expect(Object.keys(cm.data).sort()).toEqual([GLOO_ZTUNNEL_VALUES_KEY, GLOO_ISTIOD_VALUES_KEY].sort());
    expect(parse(cm.data[GLOO_ISTIOD_VALUES_KEY])).toEqual({ gateways: { spire: { workloads: true } } });
    expect(parse(cm.data[GLOO_ZTUNNEL_VALUES_KEY])).toEqual({ spire: { enabled: true } });
    expect(cm.data[GLOO_ISTIOD_VALUES_KEY]).toBe('gateways:\n  spire:\n    workloads: true\n');
  });

  test('the SPIRE keys come from the istiod and ztunnel releases when they set more than the seed', () => {
    const releases = seedReleases().map((r) =>
      r.id === 'ztunnel' ? { ...r, values: { spire: { enabled: true, socketPath: '/run/x' }, hub: 'h' } } : r,
    );
    const [cluster] = deliveryMesh(new App(), { chartDelivery: ChartDelivery.glooOperator(), releases });
    const cm = (
      (cluster.node.findChild('ChartDelivery') as ChartDeliveryComponent).resource as GlooOperatorDelivery
    ).extensionsConfig.toJson();
    expect(parse(cm.data[GLOO_ZTUNNEL_VALUES_KEY])).toEqual({ spire: { enabled: true, socketPath: '/run/x' } });
  });

  test('the ServiceMeshController carries the cluster, network, trust domain and plain version from the cluster model', () => {
    expect(glooDelivery().resource.toJson()).toEqual({
      apiVersion: 'operator.gloo.solo.io/v1',
      kind: 'ServiceMeshController',
      metadata: {
        name: 'managed-istio',
        namespace: 'gloo-mesh',
        labels: { 'app.kubernetes.io/name': 'managed-istio', 'app.kubernetes.io/managed-by': 'spiremesh' },
      },
      spec: {
        cluster: 'east',
        network: 'net-east',
        trustDomain: 'east',
        dataplaneMode: 'Ambient',
        installNamespace: 'istio-system',
        version: '1.29.1',
      },
    });
  });

  test('the schema gate knows the ServiceMeshController from crds/gloo-operator/ and refuses unknown fields', () => {
    const registry = SchemaRegistry.default();
    expect(registry.has('operator.gloo.solo.io/v1', 'ServiceMeshController')).toBe(true);
    const smc = glooDelivery().resource.toJson();
    expect(registry.validate(smc)).toEqual([]);
    const bad = registry.validate({ ...smc, spec: { ...smc.spec, trafficCaptureMode: 'x' } });
    expect(bad.map((v) => v.message)).toEqual([expect.stringContaining("unknown field 'trafficCaptureMode'")]);
    expect(registry.validate({ ...smc, spec: { ...smc.spec, dataplaneMode: 'ambient' } })).not.toEqual([]);
    expect(registry.validate({ ...smc, spec: { ...smc.spec, version: '1.29.1-solo' } })).not.toEqual([]);
    const file = fs.readFileSync(
      path.join(__dirname, '../../crds/gloo-operator/operator.gloo.solo.io_servicemeshcontrollers.yaml'),
      'utf8',
    );
    expect(file).toContain('read 2026-12-01');
    expect(file).toContain('https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/');
  });

  test('a bare gloo-operator delivery synthesizes to a temp folder: every object passes the gates', () => {
    const outdir = tempDir();
    const result = synthDelivery({ chartDelivery: ChartDelivery.glooOperator() }, outdir);
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster1']);
    const tree = readTree(path.join(outdir, 'cluster1'));
    const files = Object.keys(tree).filter((f) => f.startsWith('delivery/'));
    expect(files.some((f) => /servicemeshcontroller/.test(f))).toBe(true);
    expect(files.some((f) => /configmap_gloo-mesh_gloo-extensions-config/.test(f))).toBe(true);
  });

  test('without a gitops section the operator install, the license Secret and the CRDs are prerequisites with their commands', () => {
    const app = new App();
    glooDelivery(app);
    const prereqs = prerequisitesOf(app);
    expect(prereqs.map((p) => p.key).sort()).toEqual(
      [
        'helm-release:gloo-mesh/gloo-operator',
        'helm-release:spire-server/spire-crds',
        'manifest-source:gateway-api-crds@v1.4.0',
        'secret:istio-system/solo-istio-license',
      ].sort(),
    );
    const byKey = new Map(prereqs.map((p) => [p.key, p]));
    expect(byKey.get('helm-release:gloo-mesh/gloo-operator')?.command).toBe(
      'helm upgrade --install gloo-operator oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator --version 0.2.4 ' +
        '--namespace gloo-mesh --create-namespace --set manager.env.SOLO_ISTIO_LICENSE_KEY_SECRET_REF=istio-system/solo-istio-license',
    );
    expect(byKey.get('secret:istio-system/solo-istio-license')?.command).toContain(
      'kubectl --context <context> -n istio-system create secret generic solo-istio-license --from-literal=license-key=<license>',
    );
    expect(byKey.get('helm-release:spire-server/spire-crds')?.command).toBe(
      'helm upgrade --install spire-crds spire-crds --repo https://spiffe.github.io/helm-charts-hardened/ --namespace spire-server --create-namespace --version 0.5.0',
    );
    expect(byKey.get('manifest-source:gateway-api-crds@v1.4.0')?.command).toBe(
      "kubectl apply --server-side -k 'https://github.com/kubernetes-sigs/gateway-api//config/crd/standard?ref=v1.4.0'",
    );
    // They are prerequisites now, not warnings.
    expect(collectObjects(app).warnings).toEqual([]);
  });

  test('a release that is not a CRD release and not Istio gets a warning with the command', () => {
    const releases = [
      ...seedReleases(),
      { ...seedReleases()[4], id: 'extra', chart: 'extra', releaseName: 'extra', order: 5, values: { a: 1 } },
    ];
    const app = new App();
    deliveryMesh(app, { chartDelivery: ChartDelivery.glooOperator(), releases });
    const warnings = collectObjects(app).warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      "chart release 'extra' (chart extra 0.5.0 from https://spiffe.github.io/helm-charts-hardened/) is not delivered",
    );
  });

  describe('a full gloo-operator mesh (the example mesh, SPIRE, peering, license Secret)', () => {
    const argo = synthOperatorMesh(operatorProps({ gitops: { repository: 'https://git.example.com/fleet.git' } }));

    test('the ServiceMeshController trust domain is SPIRE server.conf trust_domain; network and cluster from the model', () => {
      const smc = find(argo.objects, 'ServiceMeshController', 'managed-istio');
      const spire = argo.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'spire-server' && o.data?.['server.conf']);
      expect(JSON.parse(spire.data['server.conf']).server.trust_domain).toBe('cluster1');
      expect(smc.spec).toEqual({
        cluster: 'cluster1',
        network: 'cluster1',
        trustDomain: 'cluster1',
        dataplaneMode: 'Ambient',
        installNamespace: 'istio-system',
        version: '1.29.1',
      });
    });

    test('Argo CD engine: the operator is an Application of the gloo-operator chart with a Secret reference, and the controller waits for it', () => {
      const app = find(argo.objects, 'Application', 'gloo-operator');
      expect(app.spec.source).toEqual({
        repoURL: 'oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator',
        path: '.',
        targetRevision: '0.2.4',
        helm: {
          releaseName: 'gloo-operator',
          valuesObject: { manager: { env: { SOLO_ISTIO_LICENSE_KEY_SECRET_REF: 'istio-system/solo-istio-license' } } },
        },
      });
      expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'gloo-mesh' });
      expect(app.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
      const smc = find(argo.objects, 'ServiceMeshController', 'managed-istio');
      // Staged like every object of a staged mode; the bootstrap's second Application applies it (no Argo CD annotations).
      expect(smc.metadata.annotations).toEqual({ 'spiremesh.dev/apply-stage': 'after-crds' });
      expect(find(argo.objects, 'Namespace', 'gloo-mesh')).toBeDefined();
      expect(
        Object.keys(readTree(path.join(argo.outdir, 'cluster1'))).some(
          (f) => f.startsWith('_after-crds/') && /servicemeshcontroller/.test(f),
        ),
      ).toBe(true);
    });

    test('no istiod values or Istio Applications are rendered: the operator installs Istio', () => {
      const apps = argo.objects.filter((o) => o.kind === 'Application').map((o) => o.metadata.name);
      expect(apps).toEqual(['gloo-operator']);
      const cm = find(argo.objects, 'ConfigMap', GLOO_EXTENSIONS_CONFIG_NAME);
      expect(parse(cm.data[GLOO_ZTUNNEL_VALUES_KEY])).toEqual({ spire: expect.objectContaining({ enabled: true }) });
      expect(parse(cm.data[GLOO_ISTIOD_VALUES_KEY]).gateways.spire).toBeDefined();
    });

    test('Flux engine: an OCIRepository and a HelmRelease of the chart with the Secret reference', () => {
      const flux = synthOperatorMesh(
        operatorProps({ gitops: { repository: 'https://git.example.com/fleet.git', engine: GitOpsEngine.FLUX } }),
      );
      const repo = find(flux.objects, 'OCIRepository', 'gloo-operator');
      expect(repo.spec).toMatchObject({
        url: 'oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator',
        ref: { tag: '0.2.4' },
      });
      const hr = find(flux.objects, 'HelmRelease', 'gloo-operator');
      expect(hr.spec).toMatchObject({
        chartRef: { kind: 'OCIRepository', name: 'gloo-operator' },
        targetNamespace: 'gloo-mesh',
        values: { manager: { env: { SOLO_ISTIO_LICENSE_KEY_SECRET_REF: 'istio-system/solo-istio-license' } } },
      });
      expect(hr.spec.dependsOn).toBeUndefined();
      const smc = find(flux.objects, 'ServiceMeshController', 'managed-istio');
      expect(smc.metadata.annotations).toEqual({ 'spiremesh.dev/apply-stage': 'after-crds' });
    });

    test('Solo 1.26 needs no repo key in gloo-operator mode (the operator pulls the Solo build itself)', () => {
      const props = operatorProps();
      const r = synthOperatorMesh({ ...props, istio: { ...props.istio, version: '1.26.8' } });
      expect(find(r.objects, 'ServiceMeshController', 'managed-istio').spec.version).toBe('1.26.8');
      expect(() =>
        resolveMeshProps({ ...props, chartDelivery: ChartDelivery.argoCd(), istio: { ...props.istio, version: '1.26.8' } }, 't'),
      ).toThrow(/needs the 12-character repo key/);
    });

    test('no license value reaches the output', () => {
      expect(argo.text).not.toContain(LICENSE_VALUE);
      expect(argo.text).not.toMatch(/SOLO_ISTIO_LICENSE_KEY[^_]/);
      expect(argo.text).toContain('SOLO_ISTIO_LICENSE_KEY_SECRET_REF: istio-system/solo-istio-license');
    });

    test('the check validates what the operator receives and refuses a disagreeing trust domain', () => {
      const mesh = resolveMeshProps(operatorProps(), 't');
      const cluster = mesh.clusters[0];
      const smc = find(argo.objects, 'ServiceMeshController', 'managed-istio');
      const manifests = argo.objects.map((o) =>
        o === smc ? { ...smc, spec: { ...smc.spec, trustDomain: 'other.td', network: 'nope' } } : o,
      );
      const findings = checkMesh({ mesh, clusters: [{ cluster, manifests }] }).filter((f) => f.cluster === 'cluster1');
      expect(findings.map((f) => [f.check, f.subject])).toEqual(
        expect.arrayContaining([
          ['Trust Domain Check', 'cluster cluster1: ServiceMeshController gloo-mesh/managed-istio: spec.trustDomain'],
          ['ServiceMeshController Check', 'cluster cluster1: ServiceMeshController gloo-mesh/managed-istio: spec.network'],
        ]),
      );
      const td = findings.find((f) => f.check === 'Trust Domain Check');
      expect(td?.message).toBe(
        "is 'other.td' but SPIRE's server.conf trust_domain is 'cluster1': workloads would get identities istiod does not trust",
      );
      // No istiod-value findings: the operator never receives istiod values from the output.
      expect(findings.filter((f) => /istiod values/.test(f.subject ?? ''))).toEqual([]);
      const clean = checkMesh({
        mesh,
        clusters: [
          { cluster, manifests: argo.objects },
          { cluster: mesh.clusters[1], manifests: [] },
        ],
      }).filter((f) => f.cluster === 'cluster1' && f.severity === 'error');
      expect(clean).toEqual([]);
    });

    test('the check refuses extensions values without the SPIRE keys', () => {
      const mesh = resolveMeshProps(operatorProps(), 't');
      const manifests = argo.objects.map((o) =>
        o.kind === 'ConfigMap' && o.metadata.name === GLOO_EXTENSIONS_CONFIG_NAME
          ? { ...o, data: { [GLOO_ISTIOD_VALUES_KEY]: 'gateways: {}\n', [GLOO_ZTUNNEL_VALUES_KEY]: 'spire:\n  enabled: false\n' } }
          : o,
      );
      const findings = checkMesh({ mesh, clusters: [{ cluster: mesh.clusters[0], manifests }] }).filter(
        (f) => f.check === 'SPIRE Integration Check',
      );
      expect(findings.map((f) => f.message)).toEqual([
        'is missing: istiod would not inject the SPIRE socket into gateways',
        'is false: ztunnel would not get workload identities from the SPIRE agent',
      ]);
    });
  });

  test('an inline license is refused in gloo-operator mode', () => {
    const props = operatorProps();
    const e = errorOf(
      () =>
        new SpireMesh(new App(), 'mesh', {
          ...props,
          istio: { ...props.istio, license: IstioLicense.inline(LICENSE_VALUE, { acknowledgeCommitted: true }) },
        }),
    );
    expect(e.message).toContain(
      "uses chartDelivery gloo-operator with an inline Solo license: the operator's chart would carry the key into dist/",
    );
    expect(e.message).not.toContain(LICENSE_VALUE);
  });

  test('a gloo-operator chart version that is not pinned is refused', () => {
    const e = errorOf(() => deliveryMesh(new App(), { chartDelivery: ChartDelivery.glooOperator({ operatorChartVersion: 'latest' }) }));
    expect(e.message).toBe("chart release 'gloo-operator' has version 'latest', which is not an exact version: pin it, e.g. '1.2.3'");
  });

  test('a sidecar cluster is refused', () => {
    const e = errorOf(() =>
      deliveryMesh(new App(), {
        chartDelivery: ChartDelivery.glooOperator(),
        props: { clusters: [{ name: 'side', dataplaneMode: DataplaneMode.SIDECAR }] },
      }),
    );
    expect(e.message).toBe(
      "cluster 'side' uses dataplane mode 'sidecar', but gloo-operator delivery supports 'ambient' only (Solo documents the operator's SPIRE integration for dataplaneMode Ambient): use chartDelivery argocd, flux or helm-template for sidecar clusters",
    );
  });
});
