/**
 * The upstream multi-network releases rendered by the real helm binary from the real charts of ../shared/charts
 * (istio/istio 1.29.1, see its SOURCES.md) with exactly the values spiremesh delivers: the east-west gateway renders
 * what samples/multicluster/gen-eastwest-gateway.sh describes, the cross-network Gateway selects its pods, and istiod
 * carries the mesh ID, cluster ID and meshNetworks. The tests fail, never skip, when an archive or helm is missing.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { ChartDelivery, EastWestServiceType, Istio, SpireMesh, synthesize } from '../../lib';
import { ChartRelease } from '../../lib/core';
import { HELM_TEMPLATE_KUBE_VERSION } from '../../lib/delivery/names';
import {
  CrossNetworkGateway,
  Multicluster,
  NODE_SELECTOR_ANNOTATION,
  REQUESTED_NETWORK_VIEW_ENV,
  UPSTREAM_EASTWEST_GATEWAY_LABELS,
  UPSTREAM_EASTWEST_GATEWAY_NAME,
  UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID,
  UPSTREAM_EASTWEST_SERVICE_PORTS,
} from '../../lib/multicluster';
import { NETWORK_LABEL } from '../../lib/spec';
import { TEST_PROJECT, readTree, tempDir } from '../helpers';
import { SHARED_CHARTS, helmBinary } from '../variants/harness';
import { sidecar, upstreamMesh } from './upstream-fixtures';

function archive(file: string): string {
  const full = path.join(SHARED_CHARTS, file);
  if (!fs.existsSync(full)) throw new Error(`chart archive ${full} is missing: these tests render the real chart from ../shared/charts`);
  return full;
}

let helm: string;
let scratch: string;
beforeAll(() => {
  helm = helmBinary();
  scratch = tempDir('spiremesh-upstream-charts-');
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface Rendered {
  readonly status: number | null;
  readonly stderr: string;
  readonly objects: any[];
}

/** `helm template` with the flags of lib/delivery/helm-template.ts and the release's values as a values file. */
function render(chartFile: string, release: Pick<ChartRelease, 'releaseName' | 'namespace' | 'values'>): Rendered {
  const values = path.join(scratch, `values-${release.releaseName}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(values, JSON.stringify(release.values));
  const run = spawnSync(
    helm,
    [
      'template',
      release.releaseName,
      archive(chartFile),
      '--namespace',
      release.namespace,
      '--values',
      values,
      '--include-crds',
      '--kube-version',
      HELM_TEMPLATE_KUBE_VERSION,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
  );
  const objects =
    run.status === 0
      ? parseAllDocuments(run.stdout)
          .map((d) => d.toJS())
          .filter((o) => o && typeof o === 'object')
      : [];
  return { status: run.status, stderr: run.stderr, objects };
}

function delivered(props = upstreamMesh()) {
  const app = new App();
  const mesh = new SpireMesh(app, 'mesh', props);
  return {
    mesh,
    gateway: (cluster: string) => mesh.clusterChart(cluster).delivery.release(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID)!,
    istiod: (cluster: string) => Istio.of(mesh.clusterChart(cluster))!.releases.istiod,
    crossNetwork: (cluster: string) =>
      (mesh.clusterChart(cluster).node.findChild('Multicluster') as Multicluster).crossNetworkGateway as CrossNetworkGateway,
  };
}

const find = (objects: any[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);

describe('east-west gateway: the real gateway chart 1.29.1 with the delivered values', () => {
  test('helm is there and the chart archive exists (a missing one fails the suite)', () => {
    expect(execFileSync(helm, ['version', '--short'], { encoding: 'utf8' })).toMatch(/^v\d+\./);
    expect(fs.existsSync(archive('gateway-1.29.1.tgz'))).toBe(true);
  });

  test('LoadBalancer: the Service, labels, ports, network view and SPIRE templates of gen-eastwest-gateway.sh', () => {
    const { gateway, crossNetwork } = delivered();
    const release = gateway('cluster1');
    const out = render('gateway-1.29.1.tgz', release);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);

    const service = find(out.objects, 'Service', UPSTREAM_EASTWEST_GATEWAY_NAME);
    expect(service.metadata.namespace).toBe('istio-system');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.metadata.labels).toMatchObject({ ...UPSTREAM_EASTWEST_GATEWAY_LABELS, [NETWORK_LABEL]: 'cluster1' });
    expect(service.metadata.labels).toMatchObject({ istio: 'eastwestgateway', app: 'istio-eastwestgateway' });
    expect(service.spec.ports).toEqual(UPSTREAM_EASTWEST_SERVICE_PORTS.map((p) => ({ ...p })));
    expect(service.spec.ports.map((p: any) => `${p.name}:${p.port}`)).toEqual([
      'status-port:15021',
      'tls:15443',
      'tls-istiod:15012',
      'tls-webhook:15017',
    ]);
    expect(service.spec.selector).toEqual(UPSTREAM_EASTWEST_GATEWAY_LABELS);
    expect(service.metadata.annotations ?? {}).not.toHaveProperty(NODE_SELECTOR_ANNOTATION);

    const deployment = find(out.objects, 'Deployment', UPSTREAM_EASTWEST_GATEWAY_NAME);
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toMatchObject({
      ...UPSTREAM_EASTWEST_GATEWAY_LABELS,
      [NETWORK_LABEL]: 'cluster1',
      'sidecar.istio.io/inject': 'true',
    });
    // The SPIRE gateway template next to Istio's; the chart's other default pod annotations stay (Helm merges maps).
    expect(pod.metadata.annotations).toMatchObject({
      'inject.istio.io/templates': 'gateway,spire-gateway',
      'sidecar.istio.io/inject': 'true',
      'prometheus.io/scrape': 'true',
    });
    const proxy = pod.spec.containers.find((c: any) => c.name === 'istio-proxy');
    expect(proxy.image).toBe('auto');
    expect(proxy.env).toContainEqual({ name: REQUESTED_NETWORK_VIEW_ENV, value: 'cluster1' });
    expect(pod.spec.serviceAccountName).toBe(UPSTREAM_EASTWEST_GATEWAY_NAME);
    // The SPIRE registration selects exactly these pods in this namespace.
    const registration = (delivered().mesh.clusterChart('cluster1').node.findChild('Multicluster') as Multicluster)
      .eastWestGatewayRegistration!;
    const spec = registration.resource.toJson().spec;
    for (const [k, v] of Object.entries(spec.podSelector.matchLabels as Record<string, string>)) expect(pod.metadata.labels[k]).toBe(v);
    expect(spec.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe(deployment.metadata.namespace);

    // The cross-network Gateway selects exactly these pods.
    const selector = crossNetwork('cluster1').resource.toJson().spec.selector as Record<string, string>;
    for (const [k, v] of Object.entries(selector)) expect(pod.metadata.labels[k]).toBe(v);
  });

  test('NodePort: Service type NodePort with the node-selector annotation, same fixed ports', () => {
    const { gateway } = delivered(
      upstreamMesh({
        clusters: [sidecar('cluster1', { eastWestServiceType: EastWestServiceType.NODE_PORT }), upstreamMesh().clusters[1]],
      }),
    );
    const out = render('gateway-1.29.1.tgz', gateway('cluster1'));
    expect(out.status).toBe(0);
    const service = find(out.objects, 'Service', UPSTREAM_EASTWEST_GATEWAY_NAME);
    expect(service.spec.type).toBe('NodePort');
    expect(service.metadata.annotations).toMatchObject({ [NODE_SELECTOR_ANNOTATION]: '{}' });
    expect(service.spec.ports.map((p: any) => p.port)).toEqual([15021, 15443, 15012, 15017]);
  });

  test('the chart validates the values against its schema: an unknown key is refused, so the delivered keys are all declared', () => {
    const { gateway } = delivered();
    const release = gateway('cluster1');
    const bogus = render('gateway-1.29.1.tgz', { ...release, values: { ...release.values, notAValue: true } });
    expect(bogus.status).not.toBe(0);
    expect(bogus.stderr).toContain('notAValue');
  });
});

describe('istiod: the real istiod chart 1.29.1 with the delivered multi-network values', () => {
  test('CLUSTER_ID, meshId in the mesh config, and meshNetworks in the istio ConfigMap', () => {
    const { istiod } = delivered();
    const release = istiod('cluster1');
    const out = render('istiod-1.29.1.tgz', release);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const deployment = find(out.objects, 'Deployment', 'istiod');
    const discovery = deployment.spec.template.spec.containers.find((c: any) => c.name === 'discovery');
    expect(discovery.env).toContainEqual({ name: 'CLUSTER_ID', value: 'cluster1' });
    const config = find(out.objects, 'ConfigMap', 'istio');
    expect(parse(config.data.meshNetworks)).toEqual({
      networks: {
        cluster2: { endpoints: [{ fromRegistry: 'cluster2' }], gateways: [{ address: 'eastwest.cluster2.example.org', port: 15443 }] },
      },
    });
    expect(parse(config.data.mesh).defaultConfig.meshId).toBe('community');
    expect(parse(config.data.mesh).trustDomain).toBe('mesh.example.org');
    // The injected proxies learn the network and the mesh ID from the injection templates.
    const injector = find(out.objects, 'ConfigMap', 'istio-sidecar-injector');
    const injectorValues = JSON.parse(injector.data.values);
    expect(injectorValues.global).toMatchObject({ meshID: 'community', network: 'cluster1', multiCluster: { clusterName: 'cluster1' } });
  });
});

describe('helm-template delivery of the two-cluster upstream mesh', () => {
  function synthHelmTemplate() {
    const cache = path.join(scratch, 'charts');
    fs.mkdirSync(cache, { recursive: true });
    // The file names `helm pull --version X -d <cache>` writes (lib/delivery/helm-template.ts reads them).
    for (const file of ['spire-crds-0.5.0.tgz', 'base-1.29.1.tgz', 'istiod-1.29.1.tgz', 'gateway-1.29.1.tgz']) {
      fs.copyFileSync(archive(file), path.join(cache, file));
    }
    const outdir = tempDir();
    const app = new App({ outdir });
    new SpireMesh(
      app,
      'mesh',
      upstreamMesh({ chartDelivery: ChartDelivery.helmTemplate({ helmExecutable: helm, chartCacheDirectory: cache }) }),
    );
    return () => synthesize(app, { outdir, baseDir: TEST_PROJECT });
  }

  // The gateway chart gives istio-proxy `image: auto`, a placeholder the injection webhook replaces with the pinned
  // proxy image (manifests/charts/gateway/templates/deployment.yaml, istio/istio 1.29.1): the policy gate accepts it on
  // injected pod templates only (test/gitops/gates.test.ts), so the whole mesh synthesizes in helm-template mode.
  test('every release renders from the real archives and the mesh passes every gate', () => {
    const result = synthHelmTemplate()();
    expect(result.clusters.map((c) => c.cluster)).toEqual(['cluster1', 'cluster2']);
    const tree = readTree(result.outdir);
    const gatewayFile = Object.keys(tree).find(
      (f) => f.startsWith('cluster1/') && f.endsWith('deployment_istio-system_istio-eastwestgateway.yaml'),
    );
    expect(gatewayFile).toBeDefined();
    expect(tree[gatewayFile!]).toContain('image: auto');
  }, 300_000);
});
