/**
 * Sidecar clusters with SPIRE (seed 004, https://istio.io/latest/docs/ops/integrations/spire/) and ingress gateways in
 * both dataplane modes: the typed values each release carries, what reaches dist/, and the review page. The real charts
 * render these values in helm-render.test.ts.
 */
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { DataplaneMode, GatewayServiceType, IstioDistribution, IstioLicense, SpireMesh, SpireMeshProps, synthesize } from '../../lib';
import { DELIVERY_ORDER } from '../../lib/core';
import {
  GATEWAY_SPIRE_TEMPLATE,
  INGRESS_GATEWAY_CHART,
  IngressGatewayNameError,
  Istio,
  IstioReleases,
  ModelOwnedValueError,
  NATIVE_SIDECAR_EXPRESSION,
  SIDECAR_SPIRE_TEMPLATE,
  WORKLOAD_SOCKET_FILE,
  WORKLOAD_SOCKET_MOUNT_PATH,
  WORKLOAD_SOCKET_PATH,
  ingressGatewaySelectorLabels,
  leafPaths,
} from '../../lib/istio';
import { SPIRE_NAMES, SPIRE_PATHS } from '../../lib/spire/names';
import { TEST_PROJECT, errorOf, readTree, tempDir } from '../helpers';

/** A one-cluster sidecar mesh (seed 004's shape: community Istio, trust domain example.org). */
function sidecarMesh(cluster: Record<string, unknown> = {}, overrides: Partial<SpireMeshProps> = {}): SpireMeshProps {
  return {
    name: 'spire-sidecar',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    clusters: [{ name: 'edge', trustDomain: 'example.org', dataplaneMode: DataplaneMode.SIDECAR, ...cluster }],
    ...overrides,
  };
}

/** A one-cluster ambient mesh on the Solo distribution. */
function ambientMesh(cluster: Record<string, unknown> = {}): SpireMeshProps {
  return {
    name: 'spire-ambient',
    istio: {
      distribution: IstioDistribution.SOLO,
      version: '1.29.1',
      license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
    },
    clusters: [{ name: 'amb', ...cluster }],
  };
}

function releasesOf(props: SpireMeshProps): { releases: IstioReleases; mesh: SpireMesh } {
  const mesh = new SpireMesh(new App(), 'mesh', props);
  return { releases: Istio.of(mesh.clusters[0])!.releases, mesh };
}

/**
 * The two branches of the `spire` template as the injector renders them for a pod with and without native sidecars:
 * the template is exactly Istio's `$nativeSidecar` expression and one if/else over two YAML documents.
 */
function spireTemplateBranches(template: string): { native: string; classic: string } {
  const lines = template.split('\n');
  expect(lines[0]).toBe(NATIVE_SIDECAR_EXPRESSION);
  const ifAt = lines.indexOf('{{- if $nativeSidecar }}');
  const elseAt = lines.indexOf('{{- else }}');
  const endAt = lines.indexOf('{{- end }}');
  expect([ifAt, elseAt > ifAt, endAt > elseAt]).toEqual([1, true, true]);
  expect(template.match(/\{\{/g)).toHaveLength(4);
  return { native: lines.slice(ifAt + 1, elseAt).join('\n'), classic: lines.slice(elseAt + 1, endAt).join('\n') };
}

/** Asserts that a template patch mounts the SPIFFE CSI volume read-only into istio-proxy of `list`. */
function expectCsiMount(patchYaml: string, list: 'containers' | 'initContainers'): void {
  const patch = YAML.parse(patchYaml);
  expect(Object.keys(patch.spec).sort()).toEqual([list, 'volumes'].sort());
  expect(patch.spec[list]).toEqual([
    { name: 'istio-proxy', volumeMounts: [{ name: 'workload-socket', mountPath: '/run/secrets/workload-spiffe-uds', readOnly: true }] },
  ]);
  expect(patch.spec.volumes).toEqual([{ name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } }]);
}

describe('sidecar clusters: istiod, base and cni values', () => {
  test('no Helm profile on a sidecar cluster (there is no `default` profile); ambient keeps `ambient`', () => {
    const { releases } = releasesOf(sidecarMesh({ istioCni: true }));
    expect('profile' in releases.base.values).toBe(false);
    expect('profile' in releases.istiod.values).toBe(false);
    expect('profile' in releases.cni!.values).toBe(false);
    expect(leafPaths(releases.istiod.values).filter((p) => p.includes('profile'))).toEqual([]);
    const ambient = releasesOf(ambientMesh()).releases;
    expect([
      ambient.base.values.profile,
      ambient.istiod.values.profile,
      ambient.cni!.values.profile,
      ambient.ztunnel!.values.profile,
    ]).toEqual(['ambient', 'ambient', 'ambient', 'ambient']);
  });

  test('without istioCni (the sidecar default): no istio-cni release and pilot.cni.enabled false, so the injector adds istio-init', () => {
    const { releases, mesh } = releasesOf(sidecarMesh());
    expect(mesh.model.clusters[0].istioCni).toBe(false);
    expect(releases.cni).toBeUndefined();
    expect(releases.ztunnel).toBeUndefined();
    expect(releases.istiod.values.pilot).toEqual({ cni: { enabled: false } });
    expect(mesh.clusters[0].delivery.releases.map((r) => r.id)).toEqual(['spire-crds', 'istio-base', 'istiod']);
  });

  test('with istioCni: the istio-cni release with the cluster images and no ambient settings, and pilot.cni.enabled true', () => {
    const { releases, mesh } = releasesOf(sidecarMesh({ istioCni: true, istioRevision: 'stable' }));
    expect(releases.istiod.values.pilot).toEqual({ cni: { enabled: true } });
    expect(releases.cni).toMatchObject({
      id: 'istio-cni',
      chart: 'cni',
      releaseName: 'istio-cni',
      namespace: 'istio-system',
      order: DELIVERY_ORDER.istioCni,
    });
    // The chart's defaults otherwise: ambient redirection off, excludeNamespaces [kube-system].
    expect(releases.cni!.values).toEqual({ global: { hub: 'docker.io/istio', tag: '1.29.1' }, revision: 'stable' });
    expect(mesh.clusters[0].delivery.releases.map((r) => r.id)).toEqual(['spire-crds', 'istio-base', 'istiod', 'istio-cni']);
  });

  test('ambient clusters always deliver istio-cni with pilot.cni.enabled (unchanged)', () => {
    const { releases } = releasesOf(ambientMesh());
    expect(releases.istiod.values.pilot).toEqual({ cni: { enabled: true } });
    expect(releases.cni!.values).toEqual({
      profile: 'ambient',
      global: { hub: 'us-docker.pkg.dev/soloio-img/istio', tag: '1.29.1-solo' },
      ambient: { dnsCapture: true },
      excludeNamespaces: ['istio-system', 'kube-system'],
    });
    expect(releases.istiod.values.sidecarInjectorWebhook).toBeUndefined();
  });

  test("every injected pod gets the spire template after Istio's sidecar template; gateways get spire-gateway", () => {
    for (const distribution of [IstioDistribution.UPSTREAM, IstioDistribution.SOLO]) {
      const license = distribution === IstioDistribution.SOLO ? { license: IstioLicense.fromSecret('l', 'istio-system') } : {};
      const props = sidecarMesh({}, { istio: { distribution, version: '1.29.1', ...license } });
      const { releases } = releasesOf(props);
      expect(releases.istiod.values.sidecarInjectorWebhook).toEqual({
        defaultTemplates: ['sidecar', 'spire'],
        templates: { spire: SIDECAR_SPIRE_TEMPLATE, 'spire-gateway': GATEWAY_SPIRE_TEMPLATE },
      });
      // Seed 004's istiod settings: the trust domain is the SPIRE one; nothing else is needed for the SPIRE integration.
      expect(releases.istiod.values.meshConfig.trustDomain).toBe('example.org');
    }
  });

  test('the spire template mounts the CSI volume read-only where the sidecar template put istio-proxy (native sidecar or not)', () => {
    const { native, classic } = spireTemplateBranches(SIDECAR_SPIRE_TEMPLATE);
    expectCsiMount(native, 'initContainers');
    expectCsiMount(classic, 'containers');
    // Gateways keep istio-proxy in containers (the gateway chart declares it there): plain YAML, no Go template.
    expect(GATEWAY_SPIRE_TEMPLATE).not.toContain('{{');
    expectCsiMount(GATEWAY_SPIRE_TEMPLATE, 'containers');
  });

  test("Envoy's SDS socket is the SPIRE agent's Workload API socket under the name Istio uses, from the SPIRE constants", () => {
    expect(WORKLOAD_SOCKET_MOUNT_PATH).toBe('/run/secrets/workload-spiffe-uds');
    expect(WORKLOAD_SOCKET_FILE).toBe('socket');
    expect(WORKLOAD_SOCKET_PATH).toBe('/run/secrets/workload-spiffe-uds/socket');
    // The agent links `socket` to its Workload API socket in the node folder that the CSI driver publishes.
    expect(SPIRE_PATHS.agentSocketAlternateNames).toContain(WORKLOAD_SOCKET_FILE);
    expect(SPIRE_NAMES.csiPluginName).toBe('csi.spiffe.io');
  });

  test('the escape hatch refuses what selects the SPIRE templates and istio-cni', () => {
    for (const istiod of [
      { sidecarInjectorWebhook: { defaultTemplates: ['sidecar'] } },
      { sidecarInjectorWebhook: { templates: { spire: 'spec: {}' } } },
      { sidecarInjectorWebhook: { templates: { 'spire-gateway': 'spec: {}' } } },
      { pilot: { cni: { enabled: true } } },
      { cni: { enabled: true } },
    ]) {
      const e = errorOf(() => new SpireMesh(new App(), 'mesh', { ...sidecarMesh(), components: { istio: { extraValues: { istiod } } } }));
      expect(e).toBeInstanceOf(ModelOwnedValueError);
      expect(e.message).toMatch(/set clusters\[\]\.istioCni|SPIRE Workload API socket/);
    }
    // Templates of your own are still welcome.
    const { releases } = releasesOf({
      ...sidecarMesh(),
      components: { istio: { extraValues: { istiod: { sidecarInjectorWebhook: { templates: { hello: 'metadata: {}' } } } } } },
    });
    expect(Object.keys(releases.istiod.values.sidecarInjectorWebhook!.templates).sort()).toEqual(['hello', 'spire', 'spire-gateway']);
    expect(releases.istiod.extraValueKeys).toEqual(['sidecarInjectorWebhook.templates.hello']);
  });
});

describe('ingress gateways', () => {
  const gateways = [
    { name: 'istio-ingressgateway' },
    {
      name: 'public',
      namespace: 'edge-gateways',
      serviceType: GatewayServiceType.NODE_PORT,
      ports: [{ name: 'https', port: 443, targetPort: 8443 }],
    },
  ];

  test('one gateway chart release per gateway, from the cluster chart repository and version, after istiod', () => {
    for (const [props, repository, version] of [
      [sidecarMesh({ ingressGateways: gateways }), 'https://istio-release.storage.googleapis.com/charts', '1.29.1'],
      [ambientMesh({ ingressGateways: gateways }), 'oci://us-docker.pkg.dev/soloio-img/istio-helm', '1.29.1-solo'],
    ] as const) {
      const { releases, mesh } = releasesOf(props);
      expect(releases.ingressGateways.map((r) => [r.id, r.chart, r.releaseName, r.namespace, r.order])).toEqual([
        ['istio-ingressgateway', INGRESS_GATEWAY_CHART, 'istio-ingressgateway', 'istio-ingress', DELIVERY_ORDER.ingressGateways],
        ['public', 'gateway', 'public', 'edge-gateways', DELIVERY_ORDER.ingressGateways],
      ]);
      for (const r of releases.ingressGateways) {
        expect(r.repository).toEqual(releases.istiod.repository);
        expect(r.repository.url).toBe(repository);
        expect(r.version).toBe(version);
        expect(r.order).toBeGreaterThan(releases.istiod.order);
        // The delivery holds the chart release itself, without the gateway model.
        const { gateway: _model, ...chartRelease } = r;
        const delivered = mesh.clusters[0].delivery.release(r.id)!;
        expect('gateway' in delivered).toBe(false);
        expect(delivered).toEqual(chartRelease);
      }
    }
  });

  test('Service type and ports (status-port first, protocol TCP as the chart defaults), and no labels (the chart derives the selector)', () => {
    const { releases } = releasesOf(sidecarMesh({ ingressGateways: gateways }));
    const [defaults, pub] = releases.ingressGateways;
    expect(defaults.values.service).toEqual({
      type: 'LoadBalancer',
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
        { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
      ],
    });
    expect(pub.values.service).toEqual({
      type: 'NodePort',
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ],
    });
    expect(ingressGatewaySelectorLabels(defaults.gateway)).toEqual({ app: 'istio-ingressgateway', istio: 'ingressgateway' });
    expect(ingressGatewaySelectorLabels(pub.gateway)).toEqual({ app: 'public', istio: 'public' });
    expect(Object.keys(defaults.values).sort()).toEqual(['podAnnotations', 'service']);
  });

  test('sidecar mode: the pod annotation selects the gateway and spire-gateway templates; ambient mode keeps the chart default', () => {
    const sidecar = releasesOf(sidecarMesh({ ingressGateways: gateways, istioRevision: 'canary' })).releases;
    for (const r of sidecar.ingressGateways) {
      expect(r.values.podAnnotations).toEqual({ 'inject.istio.io/templates': 'gateway,spire-gateway' });
      expect(r.values.revision).toBe('canary');
    }
    const ambient = releasesOf(ambientMesh({ ingressGateways: gateways })).releases;
    for (const r of ambient.ingressGateways) expect(Object.keys(r.values)).toEqual(['service']);
  });

  test('a gateway name is its release id: a name used twice, or the name of an Istio release, is refused with the fix', () => {
    const twice = errorOf(() => releasesOf(sidecarMesh({ ingressGateways: [{ name: 'public' }, { name: 'public', namespace: 'other' }] })));
    expect(twice).toBeInstanceOf(IngressGatewayNameError);
    expect(twice.message).toContain("ingress gateways 'istio-ingress/public' and 'other/public' share a name");
    expect(twice.message).toContain("rename one of them, e.g. 'public-other'");
    for (const name of ['istiod', 'istio-base', 'spire-crds', 'gateway-api-crds']) {
      const taken = errorOf(() => releasesOf(sidecarMesh({ ingressGateways: [{ name }] })));
      expect(taken).toBeInstanceOf(IngressGatewayNameError);
      expect(taken.message).toContain(`ingress gateway 'istio-ingress/${name}' has the id of the cluster's release or source '${name}'`);
      expect(taken.message).toContain(`rename the gateway, e.g. '${name}-ingress'`);
    }
  });

  test('dist: the gateway namespaces without injection labels, one Application per gateway, and the review page', () => {
    for (const props of [sidecarMesh({ ingressGateways: gateways }), ambientMesh({ ingressGateways: gateways })]) {
      const out = tempDir();
      const app = new App({ outdir: out });
      new SpireMesh(app, 'mesh', props);
      synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
      const cluster = props.clusters[0].name;
      const tree = readTree(out);
      for (const ns of ['istio-ingress', 'edge-gateways']) {
        // No istio-injection / istio.io/rev / dataplane-mode label: the gateway pods ask for injection themselves.
        const obj = YAML.parse(tree[`${cluster}/namespaces/namespace_${ns}.yaml`]);
        expect(obj.metadata).toEqual({ name: ns, labels: { 'app.kubernetes.io/managed-by': 'spiremesh' } });
      }
      const application = YAML.parse(tree[`${cluster}/delivery/application_argocd_public.yaml`]);
      expect(application.spec.destination.namespace).toBe('edge-gateways');
      // Classic helm repository: repoURL + chart; OCI: the chart is the last path segment of repoURL.
      const { chart, repoURL } = application.spec.source;
      expect(chart ?? repoURL.split('/').pop()).toBe('gateway');
      expect(application.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe(String(DELIVERY_ORDER.ingressGateways));
      const page = tree['README.md'];
      expect(page).toContain(
        '| ingress gateways | `istio-ingress/istio-ingressgateway` LoadBalancer (status-port 15021, http2 80, https 443; selector `istio: ingressgateway`)<br/>`edge-gateways/public` NodePort (status-port 15021, https 443→8443; selector `istio: public`) |',
      );
    }
  });

  test('review page: sidecar clusters show the SPIRE injection and traffic redirection, not a ztunnel delegate', () => {
    const page = (props: SpireMeshProps) => {
      const out = tempDir();
      const app = new App({ outdir: out });
      new SpireMesh(app, 'mesh', props);
      synthesize(app, { outdir: out, baseDir: TEST_PROJECT });
      return readTree(out)['README.md'];
    };
    const sidecar = page(sidecarMesh());
    expect(sidecar).not.toContain('ztunnel delegate');
    expect(sidecar).toContain(
      "| sidecar injection (SPIRE) | `sidecar` + `spire` on every injected pod, `gateway` + `spire-gateway` on gateways: Envoy's SDS reads the SPIRE agent's Workload API socket `/run/secrets/workload-spiffe-uds/socket` (CSI volume `csi.spiffe.io`) |",
    );
    expect(sidecar).toContain('| traffic redirection | `istio-init` init container (privileged; no istio-cni) |');
    expect(sidecar).not.toContain('| ingress gateways |');
    expect(page(sidecarMesh({ istioCni: true }))).toContain(
      '| traffic redirection | istio-cni node agent (`istio-validation` init container) |',
    );
    const ambient = page(ambientMesh());
    expect(ambient).toContain('| ztunnel delegate (SPIRE authorized_delegates) | `spiffe://amb/ns/istio-system/sa/ztunnel` |');
    expect(ambient).not.toContain('sidecar injection');
  });
});
