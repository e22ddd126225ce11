/**
 * Facts of the two seed example meshes, read from their committed output (test/variants.test.ts
 * proves the committed output is what a synth writes, byte for byte): seed 004's single-cluster
 * sidecar mesh (examples/sidecar-spire) and seed 002's federated two-cluster sidecar mesh
 * (examples/federated-sidecar).
 */
import { X509Certificate } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '../..');

function reader(example: string) {
  const dir = path.join(ROOT, 'examples', example, 'dist');
  return {
    dir,
    exists: (rel: string) => fs.existsSync(path.join(dir, rel)),
    yaml: (rel: string): any => parse(fs.readFileSync(path.join(dir, rel), 'utf8')),
    files: (cluster: string): string[] =>
      (fs.readdirSync(path.join(dir, cluster), { recursive: true, encoding: 'utf8' }) as string[])
        .filter((f) => f.endsWith('.yaml'))
        .sort(),
  };
}

/** The Helm values a delivered Argo CD Application carries. */
const valuesOf = (app: any): any => app.spec.source.helm.valuesObject;

describe('seed 004: examples/sidecar-spire (community Istio sidecar mode with SPIRE)', () => {
  const out = reader('sidecar-spire');
  const istiod = valuesOf(out.yaml('cluster/delivery/application_argocd_istiod.yaml'));

  test('istiod: no Helm profile, istio-init (no istio-cni), the spire template selected for every injected pod', () => {
    expect(istiod.profile).toBeUndefined();
    expect(istiod.pilot.cni.enabled).toBe(false);
    expect(istiod.meshConfig.trustDomain).toBe('example.org');
    expect(istiod.sidecarInjectorWebhook.defaultTemplates).toEqual(['sidecar', 'spire']);
    expect(istiod.sidecarInjectorWebhook.templates.spire).toContain('/run/secrets/workload-spiffe-uds');
    expect(istiod.sidecarInjectorWebhook.templates.spire).toContain('csi.spiffe.io');
    expect(istiod.env.PILOT_SKIP_VALIDATE_TRUST_DOMAIN).toBeUndefined();
    expect(out.exists('cluster/delivery/application_argocd_istio-cni.yaml')).toBe(false);
    expect(out.exists('cluster/delivery/application_argocd_ztunnel.yaml')).toBe(false);
  });

  test("the ingress gateway of the guide: gateway chart in istio-system, SPIRE socket template, the chart's ports", () => {
    const app = out.yaml('cluster/delivery/application_argocd_istio-ingressgateway.yaml');
    expect(app.spec.source.chart).toBe('gateway');
    expect(app.spec.destination.namespace).toBe('istio-system');
    const values = valuesOf(app);
    expect(values.podAnnotations['inject.istio.io/templates'].split(',')).toEqual(['gateway', 'spire-gateway']);
    expect(values.service.type).toBe('LoadBalancer');
    expect(values.service.ports.map((p: any) => p.port)).toEqual([15021, 80, 443]);
  });

  test('workloads and the gateway are registered with Istio SPIFFE IDs (no `spire-server entry create`)', () => {
    const sidecars = out.yaml('cluster/spire/clusterspiffeid_istio-sidecar-reg.yaml');
    expect(sidecars.spec.spiffeIDTemplate).toBe(
      'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}',
    );
    const gateway = out.yaml('cluster/spire/clusterspiffeid_istio-gateway-reg.istio-system.istio-ingressgateway.yaml');
    expect(gateway.spec.namespaceSelector.matchLabels['kubernetes.io/metadata.name']).toBe('istio-system');
    const server = parse(out.yaml('cluster/spire/configmap_spire-server_spire-server.yaml').data['server.conf']);
    expect(server.server.trust_domain).toBe('example.org');
  });

  test('the review page shows no ztunnel delegate for a sidecar cluster', () => {
    const page = fs.readFileSync(path.join(out.dir, 'README.md'), 'utf8');
    expect(page).not.toMatch(/ztunnel delegate/i);
    expect(page).toContain('istio-ingressgateway');
  });
});

describe('seed 002: examples/federated-sidecar (foo.com and bar.com federated, cert-manager root)', () => {
  const out = reader('federated-sidecar');
  const rootPem = fs.readFileSync(path.join(ROOT, 'pki/federated-sidecar/root-ca.crt'), 'utf8');
  const rootDer = new X509Certificate(rootPem).raw.toString('base64');
  const clusters = [
    { name: 'cluster-1', td: 'foo.com', remote: 'bar.com', remoteEndpoint: 'https://198.51.100.21:8443', network: 'network1' },
    { name: 'cluster-2', td: 'bar.com', remote: 'foo.com', remoteEndpoint: 'https://192.0.2.21:8443', network: 'network2' },
  ];

  test.each(clusters)(
    '$name: one ClusterFederatedTrustDomain for the remote, with URL, endpoint ID and a bundle holding the mesh root',
    (c) => {
      const cftds = out.files(c.name).filter((f) => f.includes('clusterfederatedtrustdomain_'));
      expect(cftds).toHaveLength(1);
      const cftd = out.yaml(`${c.name}/${cftds[0]}`);
      expect(cftd.spec.trustDomain).toBe(c.remote);
      expect(cftd.spec.bundleEndpointURL).toBe(c.remoteEndpoint);
      expect(cftd.spec.bundleEndpointProfile).toEqual({ type: 'https_spiffe', endpointSPIFFEID: `spiffe://${c.remote}/spire/server` });
      const bundle = JSON.parse(cftd.spec.trustDomainBundle);
      const x509 = bundle.keys.filter((k: any) => k.use === 'x509-svid');
      expect(x509.map((k: any) => k.x5c[0])).toContain(rootDer);
      expect(bundle.spiffe_refresh_hint).toBe(300);
    },
  );

  test.each(clusters)('$name: federatesWith, agent SDS, bundle endpoint, trust-domain aliases agree with the relation', (c) => {
    for (const f of out.files(c.name).filter((x) => x.includes('clusterspiffeid_istio-'))) {
      expect([f, out.yaml(`${c.name}/${f}`).spec.federatesWith]).toEqual([f, [c.remote]]);
    }
    const agent = parse(out.yaml(`${c.name}/spire/configmap_spire-server_spire-agent.yaml`).data['agent.conf']);
    expect(agent.agent.sds).toMatchObject({
      default_svid_name: 'default',
      default_bundle_name: 'null',
      default_all_bundles_name: 'ROOTCA',
    });
    const server = parse(out.yaml(`${c.name}/spire/configmap_spire-server_spire-server.yaml`).data['server.conf']);
    expect(server.server.trust_domain).toBe(c.td);
    expect(server.server.federation.bundle_endpoint).toMatchObject({ address: '0.0.0.0', port: 8443, refresh_hint: '5m' });
    const istiod = valuesOf(out.yaml(`${c.name}/delivery/application_argocd_istiod.yaml`));
    expect(istiod.meshConfig.trustDomain).toBe(c.td);
    expect(istiod.meshConfig.trustDomainAliases).toEqual([c.remote]);
    expect(istiod.global.network).toBe(c.network);
  });

  test.each(clusters)(
    '$name: cert-manager root: a CA ClusterIssuer from the mesh root in the store, SPIRE and istiod issued by it (720h)',
    (c) => {
      const files = out.files(c.name);
      const issuer = out.yaml(`${c.name}/${files.find((f) => f.includes('clusterissuer_spiremesh-mesh-root'))}`);
      expect(issuer.spec.ca.secretName).toBeDefined();
      const rootSecret = out.yaml(`${c.name}/${files.find((f) => f.startsWith('pki/externalsecret_cert-manager_'))}`);
      expect(rootSecret.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'spiremesh-ca' });
      expect(rootSecret.spec.target.name).toBe(issuer.spec.ca.secretName);
      const istiodCa = out.yaml(`${c.name}/pki/certificate_istio-system_istiod-ca.yaml`);
      expect(istiodCa.spec.duration).toBe('720h');
      expect(istiodCa.spec.issuerRef).toEqual({ name: 'spiremesh-mesh-root', kind: 'ClusterIssuer', group: 'cert-manager.io' });
      const server = parse(out.yaml(`${c.name}/spire/configmap_spire-server_spire-server.yaml`).data['server.conf']);
      expect(server.plugins.UpstreamAuthority[0]['cert-manager'].plugin_data).toMatchObject({
        issuer_name: 'spiremesh-mesh-root',
        issuer_kind: 'ClusterIssuer',
      });
      // No private material in the committed output.
      for (const f of files)
        expect([f, fs.readFileSync(path.join(out.dir, c.name, f), 'utf8').includes('PRIVATE KEY')]).toEqual([f, false]);
    },
  );

  test.each(clusters)('$name: ingress and east-west gateways of the seed', (c) => {
    const apps = out.files(c.name).filter((f) => f.startsWith('delivery/application_argocd_'));
    expect(apps).toEqual(expect.arrayContaining(['delivery/application_argocd_istio-ingressgateway.yaml']));
    expect(apps.some((f) => f.includes('eastwest'))).toBe(true);
  });
});
