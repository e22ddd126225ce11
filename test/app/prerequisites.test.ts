/**
 * Prerequisites (lib/core/prerequisites.ts): recorded by the constructs that rely on them, collected once per cluster and
 * key, listed in the synth summary and on the review page with their commands; the Solo license as an ExternalSecret
 * from the CA's store (IstioLicense.fromExternalSecret); the review page's "How it goes live" for every mesh.
 */
import { App } from 'cdk8s';
import {
  CaDelivery,
  ChartDelivery,
  DataplaneMode,
  IstioDistribution,
  IstioLicense,
  MeshSpec,
  SpireMesh,
  SpecValidationError,
  synthesize,
} from '../../lib';
import { PREREQUISITE_METADATA, prerequisiteOf } from '../../lib/core';
import { collectObjects } from '../../lib/gitops/collect';
import { formatSummary } from '../../lib/app/summary';
import { parseMeshSpecYaml } from '../../lib/spec/load';
import { SchemaRegistry } from '../../lib/validation';
import {
  DEFAULT_LICENSE_SECRET_NAME,
  ISTIO_NAMESPACE,
  SOLO_LICENSE_SECRET_KEY,
  meshPropsFromDocument,
  toMeshSpecDocument,
} from '../../lib/spec';
import { TEST_PROJECT, errorOf, exampleProps, readTree, tempDir } from '../helpers';
import { chartCache, helmBinary } from '../variants/harness';

const STORE = 'mesh-secrets';
const LICENSE_KEY = 'spiremesh/example/solo-istio-license';

/** The example mesh with External Secrets CA delivery and the license from the same store. */
function storeProps(overrides: Partial<MeshSpec> = {}): MeshSpec {
  const base = exampleProps();
  return {
    ...base,
    istio: { ...base.istio, license: IstioLicense.fromExternalSecret({ remoteKey: LICENSE_KEY }) },
    pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: STORE }) },
    ...overrides,
  };
}

function collect(props: MeshSpec, components = {}) {
  const app = new App({ outdir: tempDir() });
  const mesh = new SpireMesh(app, 'mesh', { ...props, components });
  return { app, mesh, collected: collectObjects(app) };
}

const keysOf = (collected: ReturnType<typeof collectObjects>, cluster: string) =>
  collected.prerequisites.find((p) => p.cluster === cluster)?.prerequisites.map((p) => p.key);

const manifestsOf = (collected: ReturnType<typeof collectObjects>, cluster: string, kind: string) =>
  collected.objects.filter((o) => o.cluster === cluster && o.manifest.kind === kind).map((o) => o.manifest);

describe('prerequisites collected from the construct tree', () => {
  test('External Secrets CA delivery with the license from the same store: each prerequisite once per cluster, in order', () => {
    const { app, collected } = collect(storeProps());
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(keysOf(collected, cluster)).toEqual([
        'operator:external-secrets',
        `cluster-secret-store:${STORE}`,
        `store-entry:${STORE}/spiremesh/example/${cluster}/spiffe-upstream-ca`,
        `store-entry:${STORE}/${LICENSE_KEY}`,
      ]);
    }
    // Three ExternalSecrets per cluster each recorded the operator and the store: deduplicated by (cluster, key).
    const recorded = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === PREREQUISITE_METADATA).map((m) => prerequisiteOf(m.data)!.key));
    expect(recorded.filter((k) => k === 'operator:external-secrets')).toHaveLength(6);
    expect(recorded.filter((k) => k === `cluster-secret-store:${STORE}`)).toHaveLength(6);
    // The license is no hand-made Secret any more: only its store entry is.
    expect(recorded.filter((k) => k.startsWith('secret:'))).toEqual([]);
    const ca = collected.prerequisites[0].prerequisites.find((p) => p.key.endsWith('/spiffe-upstream-ca'))!;
    expect(ca.what).toBe(
      `in the secret store behind ClusterSecretStore '${STORE}': remote key \`spiremesh/example/cluster1/spiffe-upstream-ca\` (properties \`tls.crt\`, \`tls.key\`, \`bundle.crt\`) and remote key \`spiremesh/example/cluster1/cacerts\` (properties \`ca-cert.pem\`, \`ca-key.pem\`, \`root-cert.pem\`, \`cert-chain.pem\`)`,
    );
    expect(ca.command).toMatch(/^spiremesh pki export --cluster cluster1 {2}# writes \.spiremesh\/secrets\/example\/cluster1-export\.json/);
    const license = collected.prerequisites[0].prerequisites.find((p) => p.key === `store-entry:${STORE}/${LICENSE_KEY}`)!;
    expect(license.command).toContain(`vault kv put -mount=<mount> ${LICENSE_KEY} ${SOLO_LICENSE_SECRET_KEY}=<license>`);
    expect(license.command).toContain(
      `aws secretsmanager create-secret --name ${LICENSE_KEY} --secret-string '{"license-key":"<license>"}'`,
    );
  });

  test('IstioLicense.fromSecret with kubectl CA delivery: the license Secret and the CA Secret manifests, with their commands', () => {
    const { collected } = collect(exampleProps());
    const list = collected.prerequisites.find((p) => p.cluster === 'cluster1')!.prerequisites;
    expect(list.map((p) => p.key)).toEqual(['secret:istio-system/solo-istio-license', 'ca-secrets:.spiremesh/secrets/example/cluster1']);
    expect(list[0]).toEqual({
      key: 'secret:istio-system/solo-istio-license',
      what: 'the Secret istio-system/solo-istio-license with key `license-key`: the Solo license',
      why: 'istiod reads it (SOLO_LICENSE_SECRET=istio-system/solo-istio-license) and does not start without a valid license; it is not rendered, since dist/ is committed',
      command:
        '(kubectl --context <context> create namespace istio-system --dry-run=client -o yaml | kubectl --context <context> apply -f -) && ' +
        'kubectl --context <context> -n istio-system create secret generic solo-istio-license --from-literal=license-key=<license>',
    });
    expect(list[1].command).toBe(
      '(kubectl --context <context> create namespace spire-server --dry-run=client -o yaml | kubectl --context <context> apply -f -) && ' +
        '(kubectl --context <context> create namespace istio-system --dry-run=client -o yaml | kubectl --context <context> apply -f -) && ' +
        'kubectl --context <context> apply -f .spiremesh/secrets/example/cluster1/',
    );
  });

  test('cert-manager: the operator and the issuer the team runs; with rootSecretStore the root entry shared by every cluster', () => {
    const own = collect({ ...exampleProps(), pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-ca' }) } }).collected;
    const ownList = own.prerequisites[0].prerequisites;
    expect(ownList.map((p) => p.key)).toEqual([
      'operator:cert-manager',
      'issuer:ClusterIssuer/mesh-ca',
      'secret:istio-system/solo-istio-license',
    ]);
    expect(ownList[0].command).toBe(
      'helm repo add jetstack https://charts.jetstack.io --force-update && helm --kube-context <context> install cert-manager jetstack/cert-manager -n cert-manager --create-namespace --set crds.enabled=true',
    );
    expect(ownList[1].command).toBe(
      'kubectl --context <context> apply -f <ClusterIssuer manifest of mesh-ca> && kubectl --context <context> wait --for=condition=Ready clusterissuer/mesh-ca',
    );
    const rooted = collect({
      ...exampleProps(),
      pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-ca', rootSecretStore: 'root-store' }) },
    }).collected;
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(keysOf(rooted, cluster)).toEqual([
        'operator:cert-manager',
        'operator:external-secrets',
        'cluster-secret-store:root-store',
        'store-entry:root-store/spiremesh/example/spiremesh-root-ca',
        'secret:istio-system/solo-istio-license',
      ]);
    }
    const root = rooted.prerequisites[1].prerequisites.find((p) => p.key.startsWith('store-entry:'))!;
    expect(root.command).toMatch(/^spiremesh pki export {2}# writes \.spiremesh\/secrets\/example\/root-ca-export\.json/);
  });

  test('community multi-network sidecars with a remote-secret store: one store entry per remote cluster, with the istioctl command', () => {
    const props: MeshSpec = {
      name: 'up',
      istio: { distribution: IstioDistribution.UPSTREAM },
      clusters: [
        { name: 'one', context: 'ctx-one', dataplaneMode: DataplaneMode.SIDECAR, eastWestAddress: '192.0.2.1' },
        { name: 'two', context: 'ctx-two', dataplaneMode: DataplaneMode.SIDECAR, eastWestAddress: '192.0.2.2' },
      ],
      remoteSecretStore: 'kubeconfigs',
    };
    const { collected } = collect(props);
    const list = collected.prerequisites.find((p) => p.cluster === 'one')!.prerequisites;
    expect(list.map((p) => p.key)).toEqual([
      'operator:external-secrets',
      'cluster-secret-store:kubeconfigs',
      'store-entry:kubeconfigs/spiremesh/up/two/istio-remote-secret',
      'ca-secrets:.spiremesh/secrets/up/one',
    ]);
    expect(list[2].command).toBe(
      "istioctl create-remote-secret --context=ctx-two --name=two | kubectl create --context=ctx-two --dry-run=client -f - -o jsonpath='{.data.two}' | base64 -d  # prints the kubeconfig to store",
    );
  });
});

describe('the Solo license as an ExternalSecret (IstioLicense.fromExternalSecret)', () => {
  const registry = SchemaRegistry.default();

  test('rendered from the CA delivery store into the namespace istiod reads, key license-key, gate-valid, before istiod', () => {
    const { collected } = collect(storeProps());
    for (const cluster of ['cluster1', 'cluster2']) {
      const secrets = manifestsOf(collected, cluster, 'ExternalSecret');
      const license = secrets.find((m) => m.metadata.name === DEFAULT_LICENSE_SECRET_NAME)!;
      expect(license).toEqual({
        apiVersion: 'external-secrets.io/v1',
        kind: 'ExternalSecret',
        metadata: {
          name: 'solo-istio-license',
          namespace: 'istio-system',
          labels: { 'app.kubernetes.io/managed-by': 'spiremesh' },
          annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
        },
        spec: {
          refreshInterval: '1h',
          secretStoreRef: { kind: 'ClusterSecretStore', name: STORE },
          target: { name: 'solo-istio-license', creationPolicy: 'Owner' },
          data: [{ secretKey: 'license-key', remoteRef: { key: LICENSE_KEY, property: 'license-key' } }],
        },
      });
      expect(registry.validate(license)).toEqual([]);
      // istiod reads that very Secret (SOLO_LICENSE_SECRET=<ns>/<name> from license.secretRef).
      const istiod = manifestsOf(collected, cluster, 'Application').find((m) => m.metadata.name === 'istiod')!;
      expect(istiod.spec.source.helm.valuesObject.license).toEqual({
        secretRef: { name: 'solo-istio-license', namespace: ISTIO_NAMESPACE },
      });
      // Same wave as the CA ExternalSecrets (none: wave 0), before the istiod Application.
      const cacerts = secrets.find((m) => m.metadata.name === 'cacerts')!;
      expect(license.metadata.annotations['argocd.argoproj.io/sync-wave']).toBeUndefined();
      expect(cacerts.metadata.annotations['argocd.argoproj.io/sync-wave']).toBeUndefined();
      expect(Number(istiod.metadata.annotations['argocd.argoproj.io/sync-wave'])).toBeGreaterThan(0);
      // Same folder as the CA ExternalSecrets.
      const entry = collected.objects.find((o) => o.cluster === cluster && o.manifest === license);
      expect(entry?.component).toBe('pki');
    }
  });

  test('flux: in the first stage with the CA ExternalSecrets (not _after-crds/)', () => {
    const { collected } = collect(storeProps({ chartDelivery: ChartDelivery.flux() }));
    const secrets = manifestsOf(collected, 'cluster1', 'ExternalSecret');
    expect(secrets.map((m) => m.metadata.name).sort()).toEqual(['cacerts', 'solo-istio-license', 'spiffe-upstream-ca']);
    for (const m of secrets) expect(m.metadata.annotations?.['spiremesh.dev/apply-stage']).toBeUndefined();
  });

  test('the YAML inventory form renders the same ExternalSecret and round-trips through the typed props', () => {
    const yaml = [
      'name: example',
      'istio:',
      '  distribution: solo',
      '  license:',
      '    externalSecret:',
      `      remoteKey: ${LICENSE_KEY}`,
      'pki:',
      '  delivery:',
      '    mode: external-secrets',
      `    clusterSecretStore: ${STORE}`,
      'clusters:',
      '  - { name: cluster1, eastWestAddress: 192.0.2.10 }',
      '  - { name: cluster2, eastWestAddress: 198.51.100.10 }',
      '',
    ].join('\n');
    const model = parseMeshSpecYaml(yaml, 'mesh.yaml');
    expect(model.license).toEqual({
      kind: 'secret',
      secretRef: { name: 'solo-istio-license', namespace: 'istio-system' },
      externalSecret: { clusterSecretStore: STORE, remoteKey: LICENSE_KEY, property: 'license-key' },
    });
    const app = new App({ outdir: tempDir() });
    SpireMesh.fromModel(app, 'mesh', model);
    const fromYaml = manifestsOf(collectObjects(app), 'cluster1', 'ExternalSecret').find((m) => m.metadata.name === 'solo-istio-license');
    const fromTs = manifestsOf(collect(storeProps()).collected, 'cluster1', 'ExternalSecret').find(
      (m) => m.metadata.name === 'solo-istio-license',
    );
    expect(fromYaml).toEqual(fromTs);
    // TypeScript → document → TypeScript keeps the spec (and its digest input).
    const doc = toMeshSpecDocument(storeProps());
    expect(doc.istio?.license).toEqual({ externalSecret: { remoteKey: LICENSE_KEY } });
    expect(toMeshSpecDocument(meshPropsFromDocument(doc))).toEqual(doc);
  });

  test('a named store, Secret and namespace: the namespace is declared, the store is the named one, with any CA delivery', () => {
    const base = exampleProps();
    const { collected } = collect({
      ...base,
      istio: {
        ...base.istio,
        license: IstioLicense.fromExternalSecret({
          remoteKey: 'licenses/solo',
          property: 'key',
          clusterSecretStore: 'licenses',
          secretName: 'solo-license',
          secretNamespace: 'licensing',
        }),
      },
    });
    const license = manifestsOf(collected, 'cluster1', 'ExternalSecret').find((m) => m.metadata.name === 'solo-license')!;
    expect(license.metadata.namespace).toBe('licensing');
    expect(license.spec.secretStoreRef.name).toBe('licenses');
    expect(license.spec.data).toEqual([{ secretKey: 'license-key', remoteRef: { key: 'licenses/solo', property: 'key' } }]);
    expect(manifestsOf(collected, 'cluster1', 'Namespace').map((m) => m.metadata.name)).toContain('licensing');
    expect(keysOf(collected, 'cluster1')).toContain('store-entry:licenses/licenses/solo');
    expect(keysOf(collected, 'cluster1')).not.toContain('secret:licensing/solo-license');
  });

  test('refused: no store to read from, an inline value beside it, bad names', () => {
    const base = exampleProps();
    const noStore = errorOf(
      () =>
        new SpireMesh(new App(), 'mesh', {
          ...base,
          istio: { ...base.istio, license: IstioLicense.fromExternalSecret({ remoteKey: 'k' }) },
        }),
    );
    expect(noStore).toBeInstanceOf(SpecValidationError);
    expect(noStore.message).toContain('istio.license.externalSecret.clusterSecretStore');
    expect(noStore.message).toContain(
      'the license ExternalSecret names no ClusterSecretStore, and the CA delivery (kubectl) has none to default to',
    );
    const doc = toMeshSpecDocument(storeProps());
    const bad = errorOf(() =>
      parseMeshSpecYaml(
        JSON.stringify({
          ...doc,
          istio: {
            ...doc.istio,
            license: { value: 'x', allowInlineValue: true, secretNamespace: 'Bad_NS', externalSecret: { remoteKey: 'k' } },
          },
        }),
        'mesh.yaml',
      ),
    );
    expect(bad.message).toContain('a license read by an ExternalSecret has no inline value');
    expect(bad.message).toContain("license secretNamespace 'Bad_NS' is not a DNS-1123 label");
  });
});

describe('synth summary and review page', () => {
  const LICENSE_SENTINEL = /SOLO_LICENSE_KEY|license:\s*\n\s*value:/;

  test('argocd with External Secrets: each distinct prerequisite once with its clusters and command; no license value anywhere', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    new SpireMesh(app, 'mesh', storeProps());
    const result = synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    expect(result.prerequisites.map((p) => [p.mesh, p.cluster, p.context, p.prerequisites.length])).toEqual([
      ['example', 'cluster1', 'cluster1', 4],
      ['example', 'cluster2', 'cluster2', 4],
    ]);
    const summary = formatSummary(result, { cwd: out });
    expect(summary).toContain(
      "prerequisites (5): what must exist before the directories converge; <context> is each cluster's kube context",
    );
    const operator = summary.split('\n').findIndex((l) => l.startsWith('  * External Secrets Operator'));
    expect(summary.split('\n').slice(operator, operator + 4)).toEqual([
      '  * External Secrets Operator with its CRDs (ExternalSecret and ClusterSecretStore, external-secrets.io/v1)',
      '      clusters: cluster1, cluster2',
      '      why: the ExternalSecrets of the cluster directory build their Secrets through it; without the CRDs the apply fails with "no matches for kind ExternalSecret"',
      '      run: helm repo add external-secrets https://charts.external-secrets.io && helm --kube-context <context> install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace',
    ]);
    expect(summary.match(/^ {2}\* /gm)).toHaveLength(5);
    expect(summary).toContain('      clusters: cluster1\n');
    expect(summary).toContain(`      run: vault kv put -mount=<mount> ${LICENSE_KEY} license-key=<license>`);

    const tree = readTree(out);
    const page = tree['README.md'];
    expect(page).toContain('## How it goes live');
    expect(page).toContain('Charts are delivered by `argocd`');
    expect(page).toContain('| cluster1 | `cluster1/` (');
    expect(page).toContain('### Prerequisites');
    expect(page).toContain(
      '1. External Secrets Operator with its CRDs (ExternalSecret and ClusterSecretStore, external-secrets.io/v1) — clusters cluster1, cluster2.',
    );
    expect(page).toContain(
      '   helm repo add external-secrets https://charts.external-secrets.io && helm --kube-context <context> install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace',
    );
    expect(page).toContain(`remote key \`${LICENSE_KEY}\` (property \`license-key\`) — clusters cluster1, cluster2.`);
    expect(page).toContain('### Synth warnings');
    for (const [file, text] of Object.entries(tree)) expect([file, LICENSE_SENTINEL.test(text)]).toEqual([file, false]);
    expect(LICENSE_SENTINEL.test(summary)).toBe(false);
    // Deterministic: a second synth changes nothing, the page included.
    const again = new App({ outdir: out });
    new SpireMesh(again, 'mesh', storeProps());
    expect(synthesize(again, { outdir: out, baseDir: TEST_PROJECT, check: true }).upToDate).toBe(true);
  });

  test('flux: stages dist/<cluster>/ then _after-crds/, who applies them, and every construct warning on the page', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    // A dropped escape-hatch value: a warning recorded by the Istio component of each cluster.
    new SpireMesh(app, 'mesh', {
      ...exampleProps(),
      chartDelivery: ChartDelivery.flux(),
      components: { istio: { extraValues: { istiod: { pilot: { cni: { namespace: 'kube-system' } } } } } },
    });
    const result = synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    const page = readTree(out)['README.md'];
    expect(page).toContain('Charts are delivered by `flux`');
    expect(page).toMatch(
      /\| cluster1 \| `cluster1\/` \(\d+ objects\), then `cluster1\/_after-crds\/` \(\d+ objects\) \| Flux Kustomizations you create for `cluster1` and `cluster1\/_after-crds`/,
    );
    const constructWarnings = collectObjects(app).clusterWarnings;
    expect(constructWarnings.length).toBeGreaterThanOrEqual(2);
    for (const w of constructWarnings) {
      expect(result.warnings).toContain(`${w.constructPath}: ${w.text}`);
      expect(page).toContain(`- \`${w.cluster}\`: ${w.text}`);
    }
    expect(page).toContain("istiod value 'pilot.cni.namespace' was dropped");
    expect(page).toContain(
      '1. the Secret istio-system/solo-istio-license with key `license-key`: the Solo license — clusters cluster1, cluster2.',
    );
  });

  test('helm-template (real helm, the shared chart archives): rendered charts, kubectl apply -k per stage', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    const cache = chartCache(tempDir('spiremesh-prereq-charts-'));
    new SpireMesh(app, 'mesh', {
      ...exampleProps(),
      chartDelivery: ChartDelivery.helmTemplate({ helmExecutable: helmBinary(), chartCacheDirectory: cache }),
    });
    synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    const page = readTree(out)['README.md'];
    expect(page).toContain('Charts are delivered by `helm-template`: every chart was rendered into the cluster directory at synth');
    expect(page).toContain(
      '`kubectl --context cluster1 apply -k cluster1`, then `kubectl --context cluster1 apply -k cluster1/_after-crds` (no `gitops` section)',
    );
    expect(page).toContain('### Prerequisites');
    expect(page).toContain('### Synth warnings');
  });
});
