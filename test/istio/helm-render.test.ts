/**
 * The Istio releases of sidecar clusters and of ingress gateways, rendered by the REAL helm binary (SPIREMESH_HELM or
 * scripts/fetch-helm.sh) from the REAL chart archives of ../shared/charts (upstream Istio 1.29.1 and the Solo
 * 1.29.0-solo snapshot, see its SOURCES.md) with exactly the values spiremesh delivers (`Istio.of(cluster).releases`).
 * A missing binary or archive FAILS these tests; they never skip.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { ChartRelease } from '../../lib/core';
import { DataplaneMode, GatewayServiceType, IstioDistribution, IstioLicense, SpireMesh, SpireMeshProps } from '../../lib';
import {
  GATEWAY_SPIRE_TEMPLATE,
  IngressGatewayRelease,
  Istio,
  IstioReleases,
  NATIVE_SIDECAR_EXPRESSION,
  SIDECAR_SPIRE_TEMPLATE,
  ingressGatewaySelectorLabels,
} from '../../lib/istio';
import { tempDir } from '../helpers';
import { SHARED_CHARTS, helmBinary } from '../variants/harness';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

/** The archive of each chart per distribution: the upstream release, or the Solo snapshot standing in for 1.29.1-solo. */
const ARCHIVES: Record<'upstream' | 'solo', Record<string, string>> = {
  upstream: { base: 'base-1.29.1.tgz', istiod: 'istiod-1.29.1.tgz', cni: 'cni-1.29.1.tgz', gateway: 'gateway-1.29.1.tgz' },
  solo: {
    base: 'solo-snapshot/base-1.29.0-solo-snapshot.tgz',
    istiod: 'solo-snapshot/istiod-1.29.0-solo-snapshot.tgz',
    cni: 'solo-snapshot/cni-1.29.0-solo-snapshot.tgz',
    gateway: 'solo-snapshot/gateway-1.29.0-solo-snapshot.tgz',
  },
};

function archive(distribution: 'upstream' | 'solo', chart: string): string {
  const file = path.join(SHARED_CHARTS, ARCHIVES[distribution][chart]);
  if (!fs.existsSync(file)) throw new Error(`chart archive ${file} is missing: these tests render the real charts of ../shared/charts`);
  return file;
}

const helm = helmBinary();
const scratch = tempDir('spiremesh-istio-render-');

/** `helm template` of one delivered release: its release name, namespace and values, as the delivery hands them to helm. */
function render(distribution: 'upstream' | 'solo', release: ChartRelease, values: object = release.values): Manifest[] {
  const valuesFile = path.join(scratch, `${distribution}-${release.id}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(valuesFile, JSON.stringify(values));
  const out = execFileSync(
    helm,
    ['template', release.releaseName, archive(distribution, release.chart), '--namespace', release.namespace, '--values', valuesFile],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  return YAML.parseAllDocuments(out)
    .map((d) => d.toJS() as Manifest)
    .filter((m) => m && typeof m === 'object');
}

/** The helm error of a render that must fail. */
function renderError(distribution: 'upstream' | 'solo', release: ChartRelease, values: object): string {
  try {
    render(distribution, release, values);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error(`helm template of ${release.id} succeeded, but it must fail`);
}

function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const GATEWAYS = [
  { name: 'istio-ingressgateway' },
  {
    name: 'public',
    namespace: 'edge-gateways',
    serviceType: GatewayServiceType.NODE_PORT,
    ports: [{ name: 'https', port: 443, targetPort: 8443 }],
  },
];

function releasesOf(props: SpireMeshProps): IstioReleases {
  const mesh = new SpireMesh(new App(), 'mesh', props);
  return Istio.of(mesh.clusters[0])!.releases;
}

function sidecarCluster(distribution: IstioDistribution, istioCni: boolean): IstioReleases {
  return releasesOf({
    name: 'render',
    istio: {
      distribution,
      version: '1.29.1',
      ...(distribution === IstioDistribution.SOLO ? { license: IstioLicense.fromSecret('solo-istio-license', 'istio-system') } : {}),
    },
    clusters: [{ name: 'edge', trustDomain: 'example.org', dataplaneMode: DataplaneMode.SIDECAR, istioCni, ingressGateways: GATEWAYS }],
  });
}

/** The `istio-sidecar-injector` ConfigMap: `config` (the injector's Config) and `values` (what its templates read). */
function injector(objects: Manifest[]): { config: any; values: any } {
  const cm = find(objects, 'ConfigMap', 'istio-sidecar-injector');
  return { config: YAML.parse(cm.data.config), values: JSON.parse(cm.data.values) };
}

/** The branch of a `spire` template for native sidecars or not (the template is the `$nativeSidecar` expression and one if/else). */
function spireBranch(template: string, native: boolean): any {
  const lines = template.split('\n');
  const [ifAt, elseAt, endAt] = ['{{- if $nativeSidecar }}', '{{- else }}', '{{- end }}'].map((l) => lines.indexOf(l));
  return YAML.parse((native ? lines.slice(ifAt + 1, elseAt) : lines.slice(elseAt + 1, endAt)).join('\n'));
}

function expectCsiPatch(patch: any, list: 'containers' | 'initContainers'): void {
  expect(patch.spec[list]).toEqual([
    { name: 'istio-proxy', volumeMounts: [{ name: 'workload-socket', mountPath: '/run/secrets/workload-spiffe-uds', readOnly: true }] },
  ]);
  expect(patch.spec.volumes).toEqual([{ name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } }]);
}

function expectGatewayRender(distribution: 'upstream' | 'solo', release: IngressGatewayRelease, templates: string): void {
  const objects = render(distribution, release);
  const name = release.gateway.name;
  const deployment = find(objects, 'Deployment', name);
  expect(deployment.metadata.namespace).toBe(release.gateway.namespace);
  const pod = deployment.spec.template;
  // The chart's other pod annotations are kept: Helm merges podAnnotations key by key.
  expect(pod.metadata.annotations).toEqual({
    'inject.istio.io/templates': templates,
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'sidecar.istio.io/inject': 'true',
  });
  // The label the `object.sidecar-injector.istio.io` webhook selects in a namespace without injection labels.
  expect(pod.metadata.labels['sidecar.istio.io/inject']).toBe('true');
  expect(pod.spec.containers.map((c: any) => [c.name, c.image])).toEqual([['istio-proxy', 'auto']]);
  // The ServiceAccount (and so the SPIFFE ID spiffe://<td>/ns/<namespace>/sa/<name>) is named after the release.
  expect(pod.spec.serviceAccountName).toBe(name);
  expect(find(objects, 'ServiceAccount', name).metadata.namespace).toBe(release.gateway.namespace);
  const service = find(objects, 'Service', name);
  expect(service.spec.type).toBe(release.gateway.serviceType.value);
  expect(service.spec.ports).toEqual(
    release.gateway.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.targetPort })),
  );
  expect(service.spec.ports[0]).toEqual({ name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 });
  expect(service.spec.selector).toEqual(ingressGatewaySelectorLabels(release.gateway));
  expect(deployment.spec.selector.matchLabels).toEqual(ingressGatewaySelectorLabels(release.gateway));
}

describe.each([
  ['upstream', IstioDistribution.UPSTREAM],
  ['solo', IstioDistribution.SOLO],
] as const)('real %s charts, sidecar cluster', (distribution, choice) => {
  describe.each([false, true])('istioCni %s', (istioCni) => {
    const releases = sidecarCluster(choice, istioCni);

    test('base and istiod render without a profile; `profile: default`, the old value, is refused by the chart', () => {
      const base = render(distribution, releases.base);
      expect(base.some((o) => o.kind === 'CustomResourceDefinition')).toBe(true);
      const istiod = render(distribution, releases.istiod);
      expect(find(istiod, 'Deployment', 'istiod').spec.template.spec.containers[0].image).toBe(
        `${releases.istiod.values.global.hub}/pilot:${releases.istiod.values.global.tag}`,
      );
      expect(renderError(distribution, releases.istiod, { ...releases.istiod.values, profile: 'default' })).toContain(
        'unknown profile default',
      );
    });

    test('the injector applies [sidecar, spire] to every pod; both SPIRE templates mount csi.spiffe.io read-only', () => {
      const { config, values } = injector(render(distribution, releases.istiod));
      expect(config.defaultTemplates).toEqual(['sidecar', 'spire']);
      expect(config.templates.spire).toBe(SIDECAR_SPIRE_TEMPLATE);
      expect(config.templates['spire-gateway']).toBe(GATEWAY_SPIRE_TEMPLATE);
      expectCsiPatch(spireBranch(config.templates.spire, true), 'initContainers');
      expectCsiPatch(spireBranch(config.templates.spire, false), 'containers');
      expectCsiPatch(YAML.parse(config.templates['spire-gateway']), 'containers');
      expect(values.sidecarInjectorWebhook.defaultTemplates).toEqual(['sidecar', 'spire']);
    });

    test("the SPIRE templates patch istio-proxy exactly where Istio's own templates put it, and replace the emptyDir volume", () => {
      const { config } = injector(render(distribution, releases.istiod));
      const sidecar: string = config.templates.sidecar;
      const gateway: string = config.templates.gateway;
      // Same `$nativeSidecar` expression as the sidecar template, which puts istio-proxy under initContainers when it is set.
      expect(sidecar.split('\n')).toContain(NATIVE_SIDECAR_EXPRESSION);
      expect(sidecar).toMatch(/\{\{ if not \$nativeSidecar \}\}\n\s*containers:\n\s*\{\{ end \}\}\n\s*- name: istio-proxy/);
      // The gateway template always keeps istio-proxy in containers.
      expect(gateway).not.toContain('nativeSidecar');
      expect(gateway).toMatch(/\n {2}containers:\n {2}- name: istio-proxy/);
      for (const t of [sidecar, gateway]) {
        // `emptyDir:` is null, so the strategic merge of the CSI volume leaves only the CSI source ...
        expect(t).toMatch(/\n {2}- emptyDir:\n {4}name: workload-socket\n/);
        // ... and Istio's own mount of that volume is the folder pilot-agent checks for `socket`.
        expect(t).toMatch(/- name: workload-socket\n\s+mountPath: \/var\/run\/secrets\/workload-spiffe-uds\n/);
      }
    });

    test(`the sidecar template gets pilot.cni.enabled ${istioCni}: ${istioCni ? 'istio-validation' : 'istio-init'}`, () => {
      const { config, values } = injector(render(distribution, releases.istiod));
      expect(values.pilot.cni.enabled).toBe(istioCni);
      expect(config.templates.sidecar).toMatch(/\{\{ if \.Values\.pilot\.cni\.enabled -\}\}\n\s*- name: istio-validation/);
    });

    if (istioCni) {
      test('istio-cni renders as a sidecar-mode node agent (ambient off, chart default exclusions), with the cluster image', () => {
        const cni = render(distribution, releases.cni!);
        const settings = find(cni, 'ConfigMap', 'istio-cni-config').data;
        expect(settings.AMBIENT_ENABLED).toBe('false');
        expect(settings.EXCLUDE_NAMESPACES).toBe('kube-system');
        expect(settings.CHAINED_CNI_PLUGIN).toBe('true');
        const { hub, tag } = releases.cni!.values.global;
        expect(find(cni, 'DaemonSet', 'istio-cni-node').spec.template.spec.containers[0].image).toBe(`${hub}/install-cni:${tag}`);
      });
    } else {
      test('no istio-cni release', () => expect(releases.cni).toBeUndefined());
    }

    test('each ingress gateway renders with the spire-gateway template selected, the declared Service and the release-named ServiceAccount', () => {
      expect(releases.ingressGateways).toHaveLength(2);
      for (const release of releases.ingressGateways) expectGatewayRender(distribution, release, 'gateway,spire-gateway');
    });
  });
});

// Ambient clusters run the Solo distribution (SPIRE in ambient is Solo-only), whose snapshot ships the same gateway chart.
describe('real solo gateway chart, ambient cluster', () => {
  test("ingress gateways keep the chart's gateway template and get the declared Service", () => {
    const releases = releasesOf({
      name: 'render',
      istio: {
        distribution: IstioDistribution.SOLO,
        version: '1.29.1',
        license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
      },
      clusters: [{ name: 'amb', ingressGateways: GATEWAYS }],
    });
    expect(releases.ingressGateways).toHaveLength(2);
    for (const release of releases.ingressGateways) {
      expectGatewayRender('solo', release, 'gateway');
      // The chart keeps its default: gateways are not enrolled in the ambient dataplane.
      const pod = find(render('solo', release), 'Deployment', release.gateway.name).spec.template;
      expect(pod.metadata.labels['istio.io/dataplane-mode']).toBe('none');
    }
  });
});
