/**
 * Facts of the four delivery examples, read from their committed output (test/variants.test.ts proves each committed
 * output is what a synth writes, byte for byte, offline): Flux end to end (examples/flux-fleet), charts rendered by
 * helm template from the real archives (examples/helm-template), a hub Argo CD (examples/hub-argocd) and the Gloo
 * Operator from a YAML inventory (examples/gloo-operator). Every committed object is validated against its schema here
 * too (the Kubernetes 1.30 schemas and the imported CRDs, strict).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { SchemaRegistry } from '../../lib';

const ROOT = path.join(__dirname, '../..');

function reader(example: string) {
  const dir = path.join(ROOT, 'examples', example, 'dist');
  const files = (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((f) => f.endsWith('.yaml')).sort();
  return {
    dir,
    files,
    exists: (rel: string) => fs.existsSync(path.join(dir, rel)),
    yaml: (rel: string): any => parse(fs.readFileSync(path.join(dir, rel), 'utf8')),
    page: () => fs.readFileSync(path.join(dir, 'README.md'), 'utf8'),
    /** Every object of the output except kustomizations and indexes. */
    objects: (): { file: string; object: any }[] =>
      files
        .filter((f) => !f.endsWith('kustomization.yaml') && !f.endsWith('spiremesh-index.yaml'))
        .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => ({ file: f, object: d.toJS() }))),
  };
}

const EXAMPLES = ['flux-fleet', 'helm-template', 'hub-argocd', 'gloo-operator'];

describe.each(EXAMPLES)('examples/%s/dist', (example) => {
  const out = reader(example);

  test('every committed object validates against its schema', () => {
    const registry = SchemaRegistry.default();
    const problems = out.objects().flatMap(({ file, object }) => registry.validate(object).map((v) => `${file}: ${JSON.stringify(v)}`));
    expect(problems).toEqual([]);
    expect(out.objects().length).toBeGreaterThan(20);
  });

  test('the review page says how it goes live: delivery mode, stages, the bootstrap and the prerequisites with commands', () => {
    const page = out.page();
    expect(page).toContain('## How it goes live');
    expect(page).toContain('### Fleet bootstrap');
    expect(page).toContain('### Prerequisites');
    expect(page).toContain('### Synth warnings');
    expect(page).toMatch(/```sh\n/);
  });
});

describe('examples/flux-fleet: Flux end to end', () => {
  const out = reader('flux-fleet');
  const clusters = ['eu-1', 'us-1'];

  test.each(clusters)('%s: the Gateway API CRDs come from a GitRepository at the pinned tag and a Kustomization that never prunes', (c) => {
    const source = out.yaml(`${c}/delivery/gitrepository_flux-system_gateway-api-crds.yaml`);
    expect(source.spec).toMatchObject({ url: 'https://github.com/kubernetes-sigs/gateway-api.git', ref: { tag: 'v1.4.0' } });
    const ks = out.yaml(`${c}/delivery/kustomization_flux-system_gateway-api-crds.yaml`);
    expect(ks.spec).toMatchObject({
      path: './config/crd/standard',
      prune: false,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'gateway-api-crds' },
    });
    // Gateways need those CRDs: they are in the second stage.
    const gateways = out.files.filter((f) => f.startsWith(`${c}/`) && /(^|\/)gateway_/.test(path.basename(f)));
    expect(gateways.length).toBeGreaterThan(0);
    for (const g of gateways) expect(g.startsWith(`${c}/_after-crds/`)).toBe(true);
  });

  test.each(clusters)('%s: the bootstrap reads the repository over ssh and applies the directory in two dependent stages', (c) => {
    const repo = out.yaml(`_fleet/${c}/gitrepository_flux-system_spiremesh-flux-fleet.yaml`);
    expect(repo.spec).toMatchObject({
      url: 'ssh://git@git.example.com/platform/mesh-gitops.git',
      ref: { branch: 'main' },
      secretRef: { name: 'mesh-gitops-auth' },
    });
    const first = out.yaml(`_fleet/${c}/kustomization_flux-system_spiremesh-flux-fleet.yaml`);
    const second = out.yaml(`_fleet/${c}/kustomization_flux-system_spiremesh-flux-fleet-after-crds.yaml`);
    expect(first.spec.path).toBe(`./examples/flux-fleet/dist/${c}`);
    expect(first.spec.wait).toBeUndefined();
    expect(first.spec.healthChecks.map((h: any) => `${h.kind}/${h.namespace}/${h.name}`)).toEqual([
      'HelmRelease/flux-system/istio-base',
      'HelmRelease/flux-system/spire-crds',
      'Kustomization/flux-system/gateway-api-crds',
      'StatefulSet/spire-server/spire-server',
    ]);
    expect(second.spec).toMatchObject({
      path: `./examples/flux-fleet/dist/${c}/_after-crds`,
      dependsOn: [{ name: 'spiremesh-flux-fleet' }],
    });
    // Every health-checked object is in the first stage.
    for (const h of first.spec.healthChecks) {
      expect(
        out.files.some((f) => f.startsWith(`${c}/`) && !f.includes('/_after-crds/') && f.endsWith(`_${h.namespace}_${h.name}.yaml`)),
      ).toBe(true);
    }
  });

  test('the CA is built from the secret store under the declared prefix; no Argo CD annotation anywhere', () => {
    const cacerts = out.yaml('eu-1/pki/externalsecret_istio-system_cacerts.yaml');
    expect(cacerts.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'platform-vault' });
    expect(cacerts.spec.data[0].remoteRef.key).toBe('mesh/flux-fleet/eu-1/cacerts');
    for (const { file, object } of out.objects()) {
      expect([file, Object.keys(object.metadata?.annotations ?? {}).filter((k) => k.startsWith('argocd.argoproj.io/'))]).toEqual([
        file,
        [],
      ]);
    }
  });
});

describe('examples/helm-template: community Istio sidecar + SPIRE rendered by helm template', () => {
  const out = reader('helm-template');

  test('the charts are rendered into the directory, CRDs first, with the community 1.29.1 images', () => {
    expect(out.files.some((f) => f.startsWith('edge/spire-crds/customresourcedefinition_clusterspiffeids.spire.spiffe.io'))).toBe(true);
    expect(out.files.some((f) => f.startsWith('edge/istio-base/customresourcedefinition_'))).toBe(true);
    const istiod = out.yaml('edge/istiod/deployment_istio-system_istiod.yaml');
    expect(istiod.spec.template.spec.containers[0].image).toBe('docker.io/istio/pilot:1.29.1');
    expect(out.files.filter((f) => f.includes('application_') && f.startsWith('edge/'))).toEqual([]);
    const kustomization = out.yaml('edge/kustomization.yaml').resources as string[];
    const firstCrd = kustomization.findIndex((r) => r.includes('customresourcedefinition_'));
    const lastCrd = kustomization.map((r) => r.includes('customresourcedefinition_')).lastIndexOf(true);
    expect(kustomization.slice(0, firstCrd).every((r) => r.includes('namespace_'))).toBe(true);
    expect(kustomization.slice(firstCrd, lastCrd + 1).every((r) => r.includes('customresourcedefinition_'))).toBe(true);
  });

  test('the registrations wait in _after-crds/, which a second Argo CD Application syncs', () => {
    expect(out.files.filter((f) => f.startsWith('edge/_after-crds/') && f.includes('clusterspiffeid_')).length).toBe(3);
    const first = out.yaml('_fleet/edge/application_argocd_spiremesh-helm-template.yaml');
    const second = out.yaml('_fleet/edge/application_argocd_spiremesh-helm-template-after-crds.yaml');
    expect(first.spec.source.path).toBe('examples/helm-template/dist/edge');
    expect(second.spec.source.path).toBe('examples/helm-template/dist/edge/_after-crds');
    expect(second.spec.destination).toEqual(first.spec.destination);
    expect(second.spec.syncPolicy.retry.limit).toBe(-1);
  });

  test('the Gateway API CRDs, which synth does not fetch, are a prerequisite with the command on the review page', () => {
    expect(out.page()).toContain(
      "kubectl apply --server-side -k 'https://github.com/kubernetes-sigs/gateway-api.git//config/crd/standard?ref=v1.4.0'",
    );
  });
});

describe('examples/hub-argocd: one hub Argo CD for three clusters', () => {
  const out = reader('hub-argocd');
  const destinations: Record<string, object> = {
    east: { server: 'https://east.k8s.example.com:6443' },
    west: { server: 'https://west.k8s.example.com:6443' },
    south: { name: 'south-prod' },
  };
  const applications = out.objects().filter(({ object }) => object.kind === 'Application');

  test('Application names are unique across the fleet, every one prefixed with its cluster', () => {
    const names = applications.map(({ object }) => `${object.metadata.namespace}/${object.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const { file, object } of applications) {
      const cluster = file.startsWith('_fleet/') ? file.split('/')[1] : file.split('/')[0];
      expect(object.metadata.name.startsWith(`${cluster}-`)).toBe(true);
    }
  });

  test('one destination per cluster: the cluster directory and every delivery Application go to it', () => {
    for (const [cluster, destination] of Object.entries(destinations)) {
      const dir = out.yaml(`_fleet/${cluster}/application_argocd_${cluster}-spiremesh-hub-argocd.yaml`);
      expect(dir.spec.destination).toEqual(destination);
      const delivery = applications.filter(({ file }) => file.startsWith(`${cluster}/delivery/`));
      expect(delivery.length).toBe(6);
      for (const { object } of delivery) expect(object.spec.destination).toMatchObject(destination);
      // The delivery Applications themselves are synced into the hub.
      const hubApp = out.yaml(`_fleet/${cluster}/application_argocd_${cluster}-spiremesh-hub-argocd-delivery.yaml`);
      expect(hubApp.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'argocd' });
    }
  });

  test('the top kustomization lists every cluster folder for the hub', () => {
    expect(out.yaml('_fleet/kustomization.yaml').resources).toEqual(['east', 'west', 'south']);
  });
});

describe('examples/gloo-operator: the Gloo Operator installs Istio (YAML inventory)', () => {
  const out = reader('gloo-operator');

  test('the ServiceMeshController agrees with SPIRE: trust domain, cluster, network, plain version', () => {
    const smc = out.yaml('retail/_after-crds/servicemeshcontroller_gloo-mesh_managed-istio.yaml');
    const server = parse(out.yaml('retail/spire/configmap_spire-server_spire-server.yaml').data['server.conf']);
    expect(smc.spec).toEqual({
      cluster: 'retail',
      dataplaneMode: 'Ambient',
      installNamespace: 'istio-system',
      network: 'retail',
      trustDomain: server.server.trust_domain,
      version: '1.29.1',
    });
    expect(server.server.trust_domain).toBe('retail.example.com');
  });

  test('the operator is installed by an Argo CD Application of its chart, reading the license by Secret reference', () => {
    const app = out.yaml('retail/delivery/application_argocd_gloo-operator.yaml');
    expect(app.spec.source).toMatchObject({
      repoURL: 'oci://us-docker.pkg.dev/solo-public/gloo-operator-helm/gloo-operator',
      targetRevision: '0.2.4',
    });
    expect(app.spec.source.helm.valuesObject).toEqual({
      manager: { env: { SOLO_ISTIO_LICENSE_KEY_SECRET_REF: 'istio-system/solo-istio-license' } },
    });
    // No Istio chart is delivered: the operator installs it.
    expect(out.files.filter((f) => /application_argocd_(istiod|ztunnel|istio-base|istio-cni)\.yaml$/.test(f))).toEqual([]);
    expect(out.yaml('retail/spiremesh-index.yaml').versions.istio).toMatchObject({ installedBy: 'gloo-operator' });
  });

  test('the license and the CA come from the one declared ClusterSecretStore', () => {
    const license = out.yaml('retail/pki/externalsecret_istio-system_solo-istio-license.yaml');
    expect(license.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'platform-vault' });
    expect(license.spec.data).toEqual([
      { secretKey: 'license-key', remoteRef: { key: 'platform/mesh/solo-license', property: 'license-key' } },
    ]);
    expect(license.spec.target.name).toBe('solo-istio-license');
    const cacerts = out.yaml('retail/pki/externalsecret_istio-system_cacerts.yaml');
    expect(cacerts.spec.secretStoreRef).toEqual(license.spec.secretStoreRef);
    // The license is not a hand-made Secret any more: the store entry is the prerequisite.
    const page = out.page();
    expect(page).toContain('platform/mesh/solo-license');
    expect(page).not.toContain('create secret generic solo-istio-license');
  });

  test('the staged objects wait for the operator and the SPIRE webhook; the bootstrap applies them second', () => {
    const staged = out.files.filter((f) => f.startsWith('retail/_after-crds/') && !f.endsWith('kustomization.yaml'));
    expect(staged.some((f) => f.includes('servicemeshcontroller_'))).toBe(true);
    expect(staged.some((f) => f.includes('clusterspiffeid_'))).toBe(true);
    const second = out.yaml('_fleet/retail/application_argocd_spiremesh-operated-after-crds.yaml');
    expect(second.spec.source.path).toBe('examples/gloo-operator/dist/retail/_after-crds');
  });
});
