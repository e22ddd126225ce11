/**
 * Istio values against seed 001: every key of the seed's values, with the seed's meaning, in
 * the Argo CD Applications the example mesh delivers (the values reviewers read in dist/).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as YAML from 'yaml';
import { IstioLicense, ModelOwnedValueError, SpecValidationError, SpireMesh, WebhookFailurePolicy, synthesize } from '../../lib';
import { leafPaths } from '../../lib/istio';
import { declareExampleMesh } from '../../main';
import { TEST_PROJECT, errorOf, exampleProps, readTree, synthMesh, tempDir } from '../helpers';

/**
 * Seed 001 "Multicluster" values for cluster `c` (transcribed from the seed: REPO and
 * ISTIO_IMAGE resolved for 1.29.1, the license written as the seed's commented-out secretRef).
 */
function seedValues(c: string): Record<string, Record<string, unknown>> {
  return {
    'istio-base': { defaultRevision: '', profile: 'ambient' },
    istiod: {
      env: { PILOT_ENABLE_IP_AUTOALLOCATE: 'true', PILOT_SKIP_VALIDATE_TRUST_DOMAIN: 'true', DISABLE_LEGACY_MULTICLUSTER: 'true' },
      global: {
        hub: 'us-docker.pkg.dev/soloio-img/istio',
        multiCluster: { clusterName: c },
        network: c,
        proxy: { clusterDomain: 'cluster.local' },
        tag: '1.29.1-solo',
      },
      meshConfig: {
        accessLogFile: '/dev/stdout',
        defaultConfig: { proxyMetadata: { ISTIO_META_DNS_AUTO_ALLOCATE: 'true', ISTIO_META_DNS_CAPTURE: 'true' } },
        trustDomain: c,
      },
      gateways: { spire: { workloads: true } },
      pilot: { cni: { namespace: 'istio-system', enabled: true } },
      platforms: { peering: { enabled: true } },
      profile: 'ambient',
      license: { secretRef: { name: 'solo-istio-license', namespace: 'istio-system' } },
    },
    'istio-cni': {
      ambient: { dnsCapture: true },
      excludeNamespaces: ['istio-system', 'kube-system'],
      global: { hub: 'us-docker.pkg.dev/soloio-img/istio', tag: '1.29.1-solo' },
      profile: 'ambient',
    },
    ztunnel: {
      configValidation: true,
      enabled: true,
      env: { L7_ENABLED: 'true', SKIP_VALIDATE_TRUST_DOMAIN: 'true' },
      hub: 'us-docker.pkg.dev/soloio-img/istio',
      istioNamespace: 'istio-system',
      multiCluster: { clusterName: c },
      namespace: 'istio-system',
      network: c,
      profile: 'ambient',
      proxy: { clusterDomain: 'cluster.local' },
      spire: { enabled: true },
      tag: '1.29.1-solo',
      terminationGracePeriodSeconds: 29,
      variant: 'distroless',
    },
  };
}

/** Seed keys spiremesh leaves out on purpose, with the reason (see lib/istio). */
const DROPPED = {
  istiod: ['meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE', 'pilot.cni.namespace'],
  // Neither declared in the ztunnel chart's values.yaml nor read by its templates (test/charts/real-charts.test.ts checks every delivered path).
  ztunnel: ['configValidation', 'enabled', 'namespace', 'proxy.clusterDomain'],
} as Record<string, string[]>;
/** Keys spiremesh adds to the seed's values: ztunnel finds the SPIRE admin socket from the same constant SPIRE mounts it at. */
const ADDED = { ztunnel: ['spire.adminSockHostPath'] } as Record<string, string[]>;

const get = (o: any, p: string) => p.split('.').reduce((v, k) => (v == null ? undefined : v[k]), o);

describe('Istio values of the example mesh (seed 001 multicluster)', () => {
  const out = tempDir();
  const app = new App({ outdir: out });
  const mesh = declareExampleMesh(app);
  synthesize(app, { outdir: out });
  const tree = readTree(out);
  const app_ = (cluster: string, release: string) => YAML.parse(tree[`${cluster}/delivery/application_argocd_${release}.yaml`]);

  for (const cluster of ['cluster1', 'cluster2']) {
    test.each(['istio-base', 'istiod', 'istio-cni', 'ztunnel'])(
      `${cluster}: %s carries every seed key with the seed's value`,
      (release) => {
        const emitted = app_(cluster, release).spec.source.helm.valuesObject;
        const seed = seedValues(cluster)[release];
        const seedPaths = leafPaths(seed).filter((p) => !(DROPPED[release] ?? []).includes(p));
        for (const p of seedPaths) expect([p, get(emitted, p)]).toEqual([p, get(seed, p)]);
        expect(leafPaths(emitted).sort()).toEqual([...seedPaths, ...(ADDED[release] ?? [])].sort());
      },
    );
  }

  test('charts are pinned to the Solo OCI repository and the seed release names and order', () => {
    const apps = ['istio-base', 'istiod', 'istio-cni', 'ztunnel'].map((r) => app_('cluster1', r));
    expect(apps.map((a) => a.spec.source.repoURL)).toEqual(
      ['base', 'istiod', 'cni', 'ztunnel'].map((c) => `oci://us-docker.pkg.dev/soloio-img/istio-helm/${c}`),
    );
    expect(apps.map((a) => a.spec.source.targetRevision)).toEqual(Array(4).fill('1.29.1-solo'));
    expect(apps.map((a) => a.spec.source.helm.releaseName)).toEqual(['istio-base', 'istiod', 'istio-cni', 'ztunnel']);
    const waves = apps.map((a) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']));
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
    const crds = Number(app_('cluster1', 'spire-crds').metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(crds).toBeLessThan(waves[0]);
    expect(app_('cluster1', 'gateway-api-crds').spec.source).toMatchObject({
      repoURL: 'https://github.com/kubernetes-sigs/gateway-api.git',
      targetRevision: 'v1.4.0',
    });
  });

  test("a cluster's trust domain appears identically in the SPIRE server config, the agent's authorized_delegates and meshConfig.trustDomain", () => {
    for (const c of mesh.model.clusters) {
      const server = JSON.parse(YAML.parse(tree[`${c.name}/spire/configmap_spire-server_spire-server.yaml`]).data['server.conf']);
      const agent = JSON.parse(YAML.parse(tree[`${c.name}/spire/configmap_spire-server_spire-agent.yaml`]).data['agent.conf']);
      const istiod = app_(c.name, 'istiod').spec.source.helm.valuesObject;
      expect(server.server.trust_domain).toBe(c.trustDomain);
      expect(agent.agent.trust_domain).toBe(c.trustDomain);
      expect(agent.agent.authorized_delegates).toEqual([`spiffe://${c.trustDomain}/ns/istio-system/sa/ztunnel`]);
      expect(istiod.meshConfig.trustDomain).toBe(c.trustDomain);
      // ztunnel reads the admin socket where the SPIRE agent mounts it on the host.
      const agentDs = YAML.parse(tree[`${c.name}/spire/daemonset_spire-server_spire-agent.yaml`]);
      const hostPaths = agentDs.spec.template.spec.volumes.map((v: any) => v.hostPath?.path).filter(Boolean);
      expect(hostPaths).toContain(app_(c.name, 'ztunnel').spec.source.helm.valuesObject.spire.adminSockHostPath);
    }
  });
});

describe('Istio values for other shapes', () => {
  test('single cluster: no multicluster keys, no peering, trust-domain validation still skipped as in the seed', () => {
    const out = tempDir();
    synthMesh(
      {
        name: 'single',
        istio: { license: IstioLicense.fromSecret('lic', 'istio-system') },
        clusters: [{ name: 'only', trustDomain: 'prod.example.com' }],
      },
      out,
    );
    const istiod = YAML.parse(fs.readFileSync(path.join(out, 'only/delivery/application_argocd_istiod.yaml'), 'utf8')).spec.source.helm
      .valuesObject;
    const ztunnel = YAML.parse(fs.readFileSync(path.join(out, 'only/delivery/application_argocd_ztunnel.yaml'), 'utf8')).spec.source.helm
      .valuesObject;
    expect(istiod.meshConfig.trustDomain).toBe('prod.example.com');
    expect(istiod.global.multiCluster).toBeUndefined();
    expect(istiod.global.network).toBeUndefined();
    expect(istiod.platforms).toBeUndefined();
    expect(istiod.env).toEqual({ PILOT_ENABLE_IP_AUTOALLOCATE: 'true', PILOT_SKIP_VALIDATE_TRUST_DOMAIN: 'true' });
    expect(ztunnel.env).toEqual({ L7_ENABLED: 'true' });
    expect(ztunnel.network).toBeUndefined();
  });

  test('one shared trust domain: ztunnel keeps validating trust domains and no warning is given', () => {
    const out = tempDir();
    const props = exampleProps();
    const result = synthMesh({ ...props, clusters: props.clusters.map((c) => ({ ...c, trustDomain: 'mesh.example.com' })) }, out);
    const ztunnel = YAML.parse(fs.readFileSync(path.join(out, 'cluster1/delivery/application_argocd_ztunnel.yaml'), 'utf8')).spec.source
      .helm.valuesObject;
    expect(ztunnel.env).toEqual({ L7_ENABLED: 'true' });
    expect(result.warnings).toEqual([]);
  });

  test('an inline license without the opt-in fails synth and says how to use secretRef', () => {
    const e = errorOf(() =>
      synthMesh({ ...exampleProps(), istio: { license: IstioLicense.inline('LICENSE-KEY', { acknowledgeCommitted: false }) } }, tempDir()),
    ) as SpecValidationError;
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.message).toContain('istio.license.value: an inline license key would be committed to git in dist/');
    expect(e.message).toContain('IstioLicense.fromSecret(name, namespace)');
  });

  test('an acknowledged inline license is rendered, and the multicluster check still asks for a Secret', () => {
    const e = errorOf(() =>
      synthMesh({ ...exampleProps(), istio: { license: IstioLicense.inline('LICENSE-KEY', { acknowledgeCommitted: true }) } }, tempDir()),
    );
    expect(e.message).toContain(
      '[License Check] cluster cluster1: istiod values of cluster1: license.secretRef: the license is inline in committed values, not a Secret reference',
    );
  });

  test('extra values are merged, listed for review, and ineffective values are dropped with a warning', () => {
    const out = tempDir();
    const app = new App({ outdir: out });
    new SpireMesh(app, 'mesh', {
      ...exampleProps(),
      components: {
        istio: { extraValues: { istiod: { pilot: { resources: { requests: { cpu: '500m' } }, cni: { namespace: 'istio-system' } } } } },
      },
    });
    const result = synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
    const istiod = YAML.parse(fs.readFileSync(path.join(out, 'cluster1/delivery/application_argocd_istiod.yaml'), 'utf8'));
    expect(istiod.spec.source.helm.valuesObject.pilot).toEqual({ cni: { enabled: true }, resources: { requests: { cpu: '500m' } } });
    expect(istiod.metadata.annotations['spiremesh.dev/extra-values']).toBe('pilot.resources.requests.cpu');
    expect(result.warnings).toContain(
      "mesh/cluster1/Istio: cluster cluster1: istiod value 'pilot.cni.namespace' was dropped: no istiod template reads it (istio/istio manifests/charts/istio-control/istio-discovery, 1.29)",
    );
  });

  test.each([
    ['istiod', { meshConfig: { trustDomain: 'other.example.com' } }, 'meshConfig.trustDomain', 'clusters[].trustDomain'],
    ['istiod', { global: { network: 'net-x' } }, 'global.network', 'clusters[].network'],
    ['istiod', { license: { value: 'LICENSE-KEY' } }, 'license.value', 'istio.license'],
    ['istiod', { global: { multiCluster: { clusterName: 'x' } } }, 'global.multiCluster.clusterName', 'clusters[].name'],
    ['istiod', { platforms: { peering: { enabled: false } } }, 'platforms.peering.enabled', 'links[]'],
    ['istiod', { pilot: { env: { ENABLE_PEERING_DISCOVERY: 'false' } } }, 'pilot.env.ENABLE_PEERING_DISCOVERY', 'links[]'],
    ['istiod', { hub: 'registry.example.com/istio' }, 'hub', 'istio.distribution and istio.version'],
    ['ztunnel', { network: 'net-x' }, 'network', 'clusters[].network'],
    ['ztunnel', { spire: { adminSockHostPath: '/tmp/x' } }, 'spire.adminSockHostPath', 'Spire component'],
    ['ztunnel', { env: { SKIP_VALIDATE_TRUST_DOMAIN: 'false' } }, 'env.SKIP_VALIDATE_TRUST_DOMAIN', 'clusters[].trustDomain'],
    ['cni', { global: { tag: '1.0.0' } }, 'global.tag', 'istio.distribution and istio.version'],
  ] as const)('extraValues.%s %j is refused with the spec field to set instead', (chart, extra, leaf, field) => {
    const out = tempDir();
    const e = errorOf(() => synthMesh({ ...exampleProps(), components: { istio: { extraValues: { [chart]: extra } } } }, out));
    expect(e).toBeInstanceOf(ModelOwnedValueError);
    expect(e.message).toContain('the Istio escape hatch sets values that the mesh spec derives; nothing was written');
    expect(e.message).toContain(`error [istio] components.istio.extraValues.${chart}.${leaf}:`);
    expect(e.message).toContain(field);
    expect(e.message).not.toContain('LICENSE-KEY');
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('component props reach every cluster through SpireMesh (TypeScript props and inventory files)', () => {
    const out = tempDir();
    const result = synthMesh(
      { ...exampleProps(), components: { istio: { extraValues: { ztunnel: { resources: { requests: { cpu: '200m' } } } } } } },
      out,
    );
    expect(result.warnings.filter((w) => w.includes('dropped'))).toEqual([]);
    for (const c of ['cluster1', 'cluster2']) {
      const ztunnel = YAML.parse(fs.readFileSync(path.join(out, `${c}/delivery/application_argocd_ztunnel.yaml`), 'utf8'));
      expect(ztunnel.metadata.annotations['spiremesh.dev/extra-values']).toBe('resources.requests.cpu');
      expect(ztunnel.spec.source.helm.valuesObject.resources).toEqual({ requests: { cpu: '200m' } });
    }
    const app = new App();
    const mesh = SpireMesh.fromInventoryFile(app, 'm', path.join(__dirname, '../../examples/three-clusters.yaml'), {
      spire: { webhookFailurePolicy: WebhookFailurePolicy.FAIL },
    });
    const webhook = mesh
      .clusterChart('east')
      .node.findAll()
      .find((c) => ApiObject.isApiObject(c) && c.kind === 'ValidatingWebhookConfiguration') as ApiObject;
    expect(webhook.toJson().webhooks.map((w: any) => w.failurePolicy)).toEqual(['Fail', 'Fail']);
  });
});
