/**
 * SPIRE federation between trust domains (issue 12, item 3): the server's bundle endpoint and its Services, one
 * ClusterFederatedTrustDomain per remote trust domain with a bootstrap bundle computed from the mesh root,
 * federatesWith on the registrations, the agent's SDS names, and the check's federation findings.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import {
  DataplaneMode,
  GatewayServiceType,
  IstioDistribution,
  IstioLicense,
  SynthesisError,
  SpireMesh,
  checkMesh,
  collectObjects,
  synthesize,
} from '../../lib';
import { meshTrustMaterial, setMeshTrustMaterial } from '../../lib/core';
import { FEDERATED_SDS, SPIRE_NAMES, SPIRE_PORTS } from '../../lib/spire';
import { bundleEndpointUrl, meshSpiffeBundle } from '../../lib/spire/federation';
import { bundleHoldsCertificate, readSpiffeBundle, spiffeBundleFromRoots } from '../../lib/spire/spiffe-bundle';
import { SchemaRegistry } from '../../lib/validation';
import { TEST_PROJECT, exampleProps, errorOf, readTree, tempDir } from '../helpers';
import {
  BAR,
  BAR_ADDRESS,
  EC_ROOT_PEM,
  FOO,
  FOO_ADDRESS,
  FederatedMeshOptions,
  OUTSIDE_ISSUER,
  federatedMesh,
  federatedMeshProps,
  throwawayRoot,
} from './federation-fixtures';
import { emittedConfigs, find } from './helpers';

const ROOT = throwawayRoot();
const spireOnly = (objects: readonly any[]) =>
  objects.filter((o) => o.metadata?.namespace === SPIRE_NAMES.namespace || o.apiVersion?.startsWith('spire.spiffe.io/'));

describe('SPIRE federation: the bundle endpoint', () => {
  test("server.conf gets the chart's federation block (https_spiffe on 0.0.0.0:8443) with the spec's refresh hint and CA TTL", () => {
    const f = federatedMesh(federatedMeshProps({ caTtl: '48h', bundleRefreshHint: '10m' }));
    for (const cluster of ['cluster-1', 'cluster-2']) {
      const { server } = emittedConfigs(f.objects(cluster));
      expect(server.server.federation).toEqual({
        bundle_endpoint: { address: '0.0.0.0', port: 8443, refresh_hint: '10m', profile: [{ https_spiffe: {} }] },
      });
      expect(server.server.ca_ttl).toBe('48h');
    }
  });

  test('the defaults: refresh hint 5m, CA TTL 24h', () => {
    const { server } = emittedConfigs(federatedMesh(federatedMeshProps()).objects('cluster-1'));
    expect(server.server.federation.bundle_endpoint.refresh_hint).toBe('5m');
    expect(server.server.ca_ttl).toBe('24h');
  });

  test('the endpoint is a container port, a port of spire-server, and the only port of spire-server-federation (spec type)', () => {
    for (const [serviceType, expected] of [
      [undefined, 'LoadBalancer'],
      [GatewayServiceType.NODE_PORT, 'NodePort'],
      [GatewayServiceType.CLUSTER_IP, 'ClusterIP'],
    ] as const) {
      const objects = federatedMesh(federatedMeshProps({ serviceType })).objects('cluster-1');
      const federationPort = { name: 'federation', port: 8443, targetPort: 'federation', protocol: 'TCP' };
      const server = find(objects, 'Service', 'spire-server');
      expect(server.spec.type).toBe('ClusterIP');
      expect(server.spec.ports).toEqual([{ name: 'grpc', port: 443, targetPort: 'grpc', protocol: 'TCP' }, federationPort]);
      const external = find(objects, 'Service', 'spire-server-federation');
      expect(external.metadata.namespace).toBe('spire-server');
      expect(external.spec).toEqual({ type: expected, ports: [federationPort], selector: server.spec.selector });
      const container = find(objects, 'StatefulSet', 'spire-server').spec.template.spec.containers[0];
      expect(container.ports).toContainEqual({ name: 'federation', containerPort: 8443, protocol: 'TCP' });
    }
    expect(SPIRE_NAMES.federationService).toBe('spire-server-federation');
    expect(SPIRE_PORTS.bundleEndpoint).toBe(8443);
  });

  test('only a trust domain others federate with serves its bundle; only one that federates gets SDS and ClusterFederatedTrustDomains', () => {
    // foo.com trusts bar.com, not the other way round (the check reports that; rendering follows the relations).
    const f = federatedMesh(federatedMeshProps({ relations: [{ trustDomain: FOO, federatesWith: BAR }] }));
    const foo = f.objects('cluster-1');
    const bar = f.objects('cluster-2');
    expect(emittedConfigs(foo).server.server.federation).toBeUndefined();
    expect(foo.some((o) => o.metadata?.name === 'spire-server-federation')).toBe(false);
    expect(emittedConfigs(bar).server.server.federation).toBeDefined();
    expect(find(bar, 'Service', 'spire-server-federation').spec.ports[0].port).toBe(8443);
    expect(emittedConfigs(foo).agent.agent.sds).toEqual(FEDERATED_SDS);
    expect(emittedConfigs(bar).agent.agent.sds).toBeUndefined();
    expect(foo.filter((o) => o.kind === 'ClusterFederatedTrustDomain').map((o) => o.spec.trustDomain)).toEqual([BAR]);
    expect(bar.filter((o) => o.kind === 'ClusterFederatedTrustDomain')).toEqual([]);
  });

  test('without federation nothing changes: no federation block, no federation Service or port, no SDS, no federatesWith', () => {
    const app = new App();
    const mesh = new SpireMesh(app, 'mesh', exampleProps());
    expect(mesh.model.federation).toBeUndefined();
    const objects = collectObjects(app)
      .objects.filter((o) => o.cluster === 'cluster1')
      .map((o) => o.manifest);
    const { server, agent } = emittedConfigs(objects);
    expect(server.server.federation).toBeUndefined();
    expect(server.server.ca_ttl).toBe('24h');
    expect(agent.agent.sds).toBeUndefined();
    expect(find(objects, 'Service', 'spire-server').spec.ports.map((p: any) => p.name)).toEqual(['grpc']);
    expect(objects.some((o) => o.metadata?.name === 'spire-server-federation')).toBe(false);
    expect(objects.filter((o) => o.kind === 'ClusterFederatedTrustDomain')).toEqual([]);
    for (const id of objects.filter((o) => o.kind === 'ClusterSPIFFEID')) expect(id.spec.federatesWith).toBeUndefined();
  });
});

describe('SPIRE federation: ClusterFederatedTrustDomains', () => {
  test('one per remote trust domain: its trust domain, URL, https_spiffe endpoint ID and className', () => {
    const f = federatedMesh(federatedMeshProps());
    const [toBar] = f.objects('cluster-1').filter((o) => o.kind === 'ClusterFederatedTrustDomain');
    expect(toBar.metadata.name).toBe(BAR);
    expect(toBar.spec).toMatchObject({
      className: 'spire-server-spire',
      trustDomain: BAR,
      bundleEndpointURL: `https://${BAR_ADDRESS}:8443`,
      bundleEndpointProfile: { type: 'https_spiffe', endpointSPIFFEID: `spiffe://${BAR}/spire/server` },
    });
    expect(toBar.spec.bundleEndpointProfile.endpointSPIFFEID).toBe(f.mesh.model.cluster('cluster-2').spireServerSpiffeId);
    const toFoo = f.objects('cluster-2').filter((o) => o.kind === 'ClusterFederatedTrustDomain');
    expect(toFoo.map((o) => [o.spec.trustDomain, o.spec.bundleEndpointURL])).toEqual([[FOO, `https://${FOO_ADDRESS}:8443`]]);
  });

  test('the URL is the address of the first cluster of the remote trust domain that has one; IPv6 in brackets', () => {
    const props = federatedMeshProps({ barAddress: '2001:db8::10' });
    const extra = {
      name: 'cluster-3',
      trustDomain: BAR,
      dataplaneMode: props.clusters[1].dataplaneMode,
      spireBundleEndpointAddress: '198.51.100.7',
    };
    const f = federatedMesh({
      ...props,
      clusters: [props.clusters[0], { ...props.clusters[1], spireBundleEndpointAddress: undefined }, extra],
    });
    expect(bundleEndpointUrl(f.mesh.model, BAR)).toBe('https://198.51.100.7:8443');
    const g = federatedMesh(props);
    expect(bundleEndpointUrl(g.mesh.model, BAR)).toBe('https://[2001:db8::10]:8443');
    expect(find(g.objects('cluster-1'), 'ClusterFederatedTrustDomain', BAR).spec.bundleEndpointURL).toBe('https://[2001:db8::10]:8443');
  });

  test('the bootstrap bundle parses as a SPIFFE bundle whose x5c is the mesh root (the remote root) and whose JWK is its key', () => {
    const f = federatedMesh(federatedMeshProps({ bundleRefreshHint: '10m' }), ROOT);
    try {
      const ftd = find(f.objects('cluster-1'), 'ClusterFederatedTrustDomain', BAR);
      const text: string = ftd.spec.trustDomainBundle;
      const doc = JSON.parse(text);
      expect(Object.keys(doc)).toEqual(['keys', 'spiffe_sequence', 'spiffe_refresh_hint']);
      expect(doc.spiffe_refresh_hint).toBe(600);
      expect(doc.spiffe_sequence).toBe(1);
      expect(doc.keys).toHaveLength(1);
      const [key] = doc.keys;
      expect(key.use).toBe('x509-svid');
      expect(key.kty).toBe('RSA');
      // x5c back to the certificate: the same DER as the root.
      const cert = new crypto.X509Certificate(Buffer.from(key.x5c[0], 'base64'));
      expect(cert.raw.equals(new crypto.X509Certificate(ROOT).raw)).toBe(true);
      expect(cert.subject).toBe('CN=Throwaway Test Root');
      // The JWK is the root's public key.
      const jwkKey = crypto.createPublicKey({ key: { kty: key.kty, n: key.n, e: key.e }, format: 'jwk' });
      expect(jwkKey.equals(cert.publicKey)).toBe(true);
      const reading = readSpiffeBundle(text);
      expect(reading.problems).toBeUndefined();
      expect(bundleHoldsCertificate(reading.bundle!, ROOT)).toBe(true);
      // Both directions carry the same mesh root: every trust domain of a spiremesh mesh chains to it.
      expect(find(f.objects('cluster-2'), 'ClusterFederatedTrustDomain', FOO).spec.trustDomainBundle).toBe(text);
      expect(f.federationFindings()).toEqual([]);
    } finally {
      f.clear();
    }
  });

  test('the bundle is read when the object renders: unknown root, no trustDomainBundle; known root, the bundle', () => {
    const f = federatedMesh(federatedMeshProps());
    expect(meshTrustMaterial(f.mesh.model)).toBeUndefined();
    expect(find(f.objects('cluster-1'), 'ClusterFederatedTrustDomain', BAR).spec.trustDomainBundle).toBeUndefined();
    expect(collectObjects(f.app).findings).toEqual([]);
    try {
      setMeshTrustMaterial(f.mesh.model, { rootCertificatePem: ROOT });
      expect(find(f.objects('cluster-1'), 'ClusterFederatedTrustDomain', BAR).spec.trustDomainBundle).toBe(meshSpiffeBundle(f.mesh.model));
    } finally {
      f.clear();
    }
  });

  test('rendered objects pass the upstream CRD schema', () => {
    const f = federatedMesh(federatedMeshProps(), ROOT);
    try {
      const registry = SchemaRegistry.default();
      for (const o of spireOnly(f.objects('cluster-1')))
        expect([o.kind, o.metadata.name, registry.validate(o)]).toEqual([o.kind, o.metadata.name, []]);
    } finally {
      f.clear();
    }
  });
});

describe('SPIRE federation: registrations and agent', () => {
  test('every ClusterSPIFFEID of a federating trust domain federates with its remote trust domains', () => {
    const f = federatedMesh(federatedMeshProps());
    const ids = f.objects('cluster-1').filter((o) => o.kind === 'ClusterSPIFFEID');
    expect(ids.map((o) => o.metadata.name)).toEqual([
      'spire-server-spire-default',
      'istio-sidecar-reg',
      'istio-gateway-reg.istio-system.istio-ingressgateway',
    ]);
    for (const id of ids) expect([id.metadata.name, id.spec.federatesWith]).toEqual([id.metadata.name, [BAR]]);
    for (const id of f.objects('cluster-2').filter((o) => o.kind === 'ClusterSPIFFEID')) expect(id.spec.federatesWith).toEqual([FOO]);
  });

  test('ambient registrations federate too', () => {
    const props = federatedMeshProps({ fooMode: DataplaneMode.AMBIENT });
    const solo = {
      distribution: IstioDistribution.SOLO,
      version: '1.29.1',
      license: IstioLicense.fromSecret('solo-istio-license', 'istio-system'),
    };
    const f = federatedMesh({ ...props, istio: solo });
    const ids = f.objects('cluster-1').filter((o) => o.kind === 'ClusterSPIFFEID');
    expect(ids.map((o) => o.metadata.name)).toEqual([
      'spire-server-spire-default',
      'istio-ztunnel-reg',
      'istio-waypoint-reg',
      'istio-ambient-reg',
      'istio-gateway-reg.istio-system.istio-ingressgateway',
    ]);
    for (const id of ids) expect(id.spec.federatesWith).toEqual([BAR]);
  });

  test('sidecar workloads and gateways get the Istio SPIFFE ID pattern spiffe://<td>/ns/<ns>/sa/<sa>', () => {
    const f = federatedMesh(federatedMeshProps());
    const objects = f.objects('cluster-1');
    const sidecar = find(objects, 'ClusterSPIFFEID', 'istio-sidecar-reg');
    const gateway = find(objects, 'ClusterSPIFFEID', 'istio-gateway-reg.istio-system.istio-ingressgateway');
    for (const id of [sidecar, gateway]) {
      expect(id.spec.spiffeIDTemplate).toBe('spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}');
    }
    expect(sidecar.spec.podSelector).toEqual({ matchLabels: { 'security.istio.io/tlsMode': 'istio' } });
    // The gateway chart labels its pods app.kubernetes.io/name=<release> and names the ServiceAccount after the release.
    expect(gateway.spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'istio-ingressgateway' } });
    expect(gateway.spec.namespaceSelector).toEqual({ matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } });
  });

  test("the agent's SDS settings are Istio's federation values", () => {
    const { agent, agentText } = emittedConfigs(federatedMesh(federatedMeshProps()).objects('cluster-1'));
    expect(agent.agent.sds).toEqual({
      default_svid_name: 'default',
      default_bundle_name: 'null',
      default_all_bundles_name: 'ROOTCA',
      disable_spiffe_cert_validation: false,
    });
    // "null" is a string, not JSON null: the local-only bundle gets a name Envoy never asks for.
    expect(agentText).toContain('"default_bundle_name": "null"');
  });
});

describe('SPIRE federation: the check', () => {
  const messages = (findings: readonly { severity: string; subject?: string; message: string; fix?: string }[]) =>
    findings.map((x) => `${x.severity} ${x.subject}: ${x.message} (fix: ${x.fix})`);

  test('a relation declared in one direction only is an error naming both trust domains', () => {
    const findings = federatedMesh(federatedMeshProps({ relations: [{ trustDomain: FOO, federatesWith: BAR }] })).federationFindings();
    const errors = findings.filter((x) => x.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(messages(errors)[0]).toBe(
      `error federation.relations: foo.com -> bar.com: trust domain 'foo.com' federates with 'bar.com', but 'bar.com' does not federate with 'foo.com': mTLS is mutual, so workloads of 'bar.com' reject the X509-SVIDs of 'foo.com' and no call between them succeeds (fix: add the relation { trustDomain: 'bar.com', federatesWith: 'foo.com' }, or declare the pair with federateBothWays('foo.com', 'bar.com'))`,
    );
  });

  test('a trust domain others federate with but without a bundle endpoint address is an error naming the cluster and the field', () => {
    const f = federatedMesh(federatedMeshProps({ barAddress: null }));
    const errors = f.federationFindings().filter((x) => x.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].cluster).toBe('cluster-2');
    expect(errors[0].subject).toBe('cluster cluster-2: clusters[].spireBundleEndpointAddress of cluster-2');
    expect(errors[0].message).toBe(
      "trust domain 'bar.com' is federated with by 'foo.com', but none of its clusters (cluster-2) sets spireBundleEndpointAddress: their SPIRE servers cannot fetch its bundle, so no ClusterFederatedTrustDomain for 'bar.com' is rendered",
    );
    expect(errors[0].fix).toBe(
      'set spireBundleEndpointAddress of cluster cluster-2 to the address of its Service spire-server/spire-server-federation (port 8443)',
    );
    // Nothing unrenderable is rendered: cluster-1 has no ClusterFederatedTrustDomain for bar.com.
    expect(f.objects('cluster-1').filter((o) => o.kind === 'ClusterFederatedTrustDomain')).toEqual([]);
  });

  test('a CA TTL shorter than three refresh hints is an error with both limits in the fix', () => {
    const errors = federatedMesh(federatedMeshProps({ caTtl: '1h', bundleRefreshHint: '30m' }))
      .federationFindings()
      .filter((x) => x.severity === 'error');
    expect(errors.map((x) => x.cluster)).toEqual(['cluster-1', 'cluster-2']);
    expect(errors[0].subject).toBe('cluster cluster-1: server.conf ca_ttl');
    expect(errors[0].message).toContain("'1h' is shorter than three bundle refresh hints (3 x '30m' = 1h30m)");
    expect(errors[0].message).toContain('CA TTL of 3-5x the refresh hint');
    expect(errors[0].fix).toBe('raise spire.caTtl to at least 1h30m, or lower federation.bundleRefreshHint to at most 20m');
    // Exactly three refresh hints is enough.
    expect(federatedMesh(federatedMeshProps({ caTtl: '90m', bundleRefreshHint: '30m' })).federationFindings()).toEqual([
      expect.objectContaining({ severity: 'warning' }),
      expect.objectContaining({ severity: 'warning' }),
    ]);
  });

  test('each of the three fails synthesis with its message', () => {
    for (const [options, text] of [
      [{ relations: [{ trustDomain: BAR, federatesWith: FOO }] }, "but 'foo.com' does not federate with 'bar.com'"],
      [{ fooAddress: null }, 'none of its clusters (cluster-1) sets spireBundleEndpointAddress'],
      [{ caTtl: '10m' }, "'10m' is shorter than three bundle refresh hints (3 x '5m' = 15m)"],
    ] as Array<[FederatedMeshOptions, string]>) {
      const app = new App();
      new SpireMesh(app, 'mesh', federatedMeshProps(options));
      const e = errorOf(() => synthesize(app, { outdir: tempDir('spiremesh-fed-'), baseDir: TEST_PROJECT }));
      expect(e).toBeInstanceOf(SynthesisError);
      expect(e.message).toContain(text);
    }
  });

  test('before the mesh root exists the missing bootstrap bundle is a warning (synthesis generates the root, then renders it)', () => {
    const findings = federatedMesh(federatedMeshProps()).federationFindings();
    expect(findings.map((x) => [x.severity, x.subject, x.message])).toEqual([
      [
        'warning',
        `cluster cluster-1: ClusterFederatedTrustDomain ${BAR}`,
        'has no bootstrap trustDomainBundle yet: the mesh root does not exist',
      ],
      [
        'warning',
        `cluster cluster-2: ClusterFederatedTrustDomain ${FOO}`,
        'has no bootstrap trustDomainBundle yet: the mesh root does not exist',
      ],
    ]);
  });

  test('a bundle without the remote root, or no bundle with an outside cert-manager issuer, is an error', () => {
    const f = federatedMesh(federatedMeshProps(), ROOT);
    try {
      const objects = f.objects('cluster-1');
      const ftd = find(objects, 'ClusterFederatedTrustDomain', BAR);
      ftd.spec.trustDomainBundle = spiffeBundleFromRoots([throwawayRoot('Another Root')], { refreshHintSeconds: 300 });
      const findings = checkMesh({
        mesh: f.mesh.model,
        clusters: [{ cluster: f.mesh.model.cluster('cluster-1'), manifests: objects }],
      }).filter((x) => x.check === 'SPIRE Federation Check');
      expect(messages(findings)).toEqual([
        `error cluster cluster-1: ClusterFederatedTrustDomain bar.com: trustDomainBundle: does not contain the remote root (the mesh root, which every trust domain of the mesh chains to), so the bundle endpoint of 'bar.com' fails authentication (fix: let the SPIRE component compute the bundle from the mesh root (synthesize again))`,
      ]);
      ftd.spec.trustDomainBundle = '{"keys": [{"use": "x509-svid", "kty": "RSA", "x5c": ["AAAA", "BBBB"]}]}';
      const broken = checkMesh({
        mesh: f.mesh.model,
        clusters: [{ cluster: f.mesh.model.cluster('cluster-1'), manifests: objects }],
      }).filter((x) => x.check === 'SPIRE Federation Check');
      expect(broken[0].message).toBe(
        'is not a SPIFFE bundle: keys[0] is an x509-svid key with 2 certificates in "x5c"; exactly one is required',
      );
    } finally {
      f.clear();
    }
    const outside = federatedMesh(federatedMeshProps({ pki: OUTSIDE_ISSUER })).federationFindings();
    expect(outside.map((x) => x.severity)).toEqual(['error', 'error']);
    expect(outside[0].message).toContain('federation needs the remote root; spiremesh holds no root in this CA mode');
    expect(outside[0].fix).toContain('set pki.delivery.rootSecretStore');
  });

  test('a NodePort bundle endpoint Service is a warning (the URL names port 8443)', () => {
    const findings = federatedMesh(federatedMeshProps({ serviceType: GatewayServiceType.NODE_PORT }), ROOT);
    try {
      expect(findings.federationFindings().map((x) => [x.severity, x.subject])).toEqual([
        ['warning', 'federation.bundleEndpointServiceType'],
      ]);
    } finally {
      findings.clear();
    }
  });

  test('federatesWith naming a trust domain without a ClusterFederatedTrustDomain, or an agent without SDS, is an error', () => {
    const f = federatedMesh(federatedMeshProps(), ROOT);
    try {
      const objects = f.objects('cluster-1').filter((o) => o.kind !== 'ClusterFederatedTrustDomain');
      const agentConfig = find(objects, 'ConfigMap', 'spire-agent');
      const agent = JSON.parse(agentConfig.data['agent.conf']);
      delete agent.agent.sds;
      agentConfig.data['agent.conf'] = JSON.stringify(agent);
      const findings = checkMesh({
        mesh: f.mesh.model,
        clusters: [{ cluster: f.mesh.model.cluster('cluster-1'), manifests: objects }],
      }).filter((x) => x.check === 'SPIRE Federation Check');
      expect(findings.map((x) => x.subject)).toEqual([
        "cluster cluster-1: ClusterFederatedTrustDomain for 'bar.com'",
        'cluster cluster-1: ClusterSPIFFEID spire-server-spire-default: federatesWith',
        'cluster cluster-1: ClusterSPIFFEID istio-sidecar-reg: federatesWith',
        'cluster cluster-1: ClusterSPIFFEID istio-gateway-reg.istio-system.istio-ingressgateway: federatesWith',
        'cluster cluster-1: agent.conf sds',
      ]);
    } finally {
      f.clear();
    }
  });
});

describe('SPIRE federation: synthesis into a temp folder', () => {
  test('a first synth generates the mesh PKI and writes every ClusterFederatedTrustDomain with a bundle holding the new root, schema-valid', () => {
    const outdir = tempDir('spiremesh-fed-synth-');
    const app = new App({ outdir });
    const mesh = new SpireMesh(app, 'mesh', federatedMeshProps());
    const result = synthesize(app, { outdir, baseDir: TEST_PROJECT });
    expect(result.upToDate).toBe(false);
    const rootPem = meshTrustMaterial(mesh.model)?.rootCertificatePem;
    expect(rootPem).toContain('BEGIN CERTIFICATE');
    const tree = readTree(outdir);
    const ftdFiles = Object.keys(tree).filter((p) => /ClusterFederatedTrustDomain/i.test(p));
    expect(ftdFiles.sort()).toEqual([expect.stringMatching(/^cluster-1\/spire\//), expect.stringMatching(/^cluster-2\/spire\//)]);
    for (const file of ftdFiles) {
      const ftd = parseYaml(tree[file]);
      const reading = readSpiffeBundle(ftd.spec.trustDomainBundle);
      expect(reading.problems).toBeUndefined();
      expect(bundleHoldsCertificate(reading.bundle!, rootPem!)).toBe(true);
      expect(SchemaRegistry.default().validate(ftd)).toEqual([]);
    }
    // The root written to the project's pki/ folder is the one in the bundles.
    const rootFile = path.join(TEST_PROJECT, 'pki', 'federated', 'root-ca.crt');
    expect(fs.existsSync(rootFile)).toBe(true);
    expect(new crypto.X509Certificate(fs.readFileSync(rootFile)).raw.equals(new crypto.X509Certificate(rootPem!).raw)).toBe(true);
    // A second run is up to date (the bundle is deterministic).
    const again = new App({ outdir });
    new SpireMesh(again, 'mesh', federatedMeshProps());
    expect(synthesize(again, { outdir, baseDir: TEST_PROJECT, check: true }).upToDate).toBe(true);
  });
});

describe('SPIFFE bundles', () => {
  test('EC roots become kty EC with crv, x and y; the document reads back', () => {
    const text = spiffeBundleFromRoots([EC_ROOT_PEM, ROOT], { refreshHintSeconds: 60, sequence: 7 });
    const doc = JSON.parse(text);
    expect(doc.keys.map((k: any) => Object.keys(k))).toEqual([
      ['use', 'kty', 'crv', 'x', 'y', 'x5c'],
      ['use', 'kty', 'n', 'e', 'x5c'],
    ]);
    expect(doc.keys[0].crv).toBe('P-256');
    expect(doc.spiffe_sequence).toBe(7);
    const reading = readSpiffeBundle(text);
    expect(reading.bundle?.x509Authorities).toHaveLength(2);
    expect(bundleHoldsCertificate(reading.bundle!, EC_ROOT_PEM)).toBe(true);
    expect(spiffeBundleFromRoots([ROOT], { refreshHintSeconds: 300 })).toBe(spiffeBundleFromRoots([ROOT], { refreshHintSeconds: 300 }));
  });

  test('what SPIRE refuses is refused; an empty key set and foreign uses are accepted as go-spiffe does', () => {
    const good = JSON.parse(spiffeBundleFromRoots([ROOT], { refreshHintSeconds: 300 }));
    const problems = (doc: unknown) => readSpiffeBundle(typeof doc === 'string' ? doc : JSON.stringify(doc)).problems;
    expect(problems('not json')?.[0]).toMatch(/^it is not JSON/);
    expect(problems({ spiffe_sequence: 1 })).toEqual(['it has no "keys" array (the SPIFFE bundle format requires one)']);
    expect(problems({ keys: [{ ...good.keys[0], n: good.keys[0].n.slice(2) }] })).toEqual([
      'keys[0] has "n" that do not match the public key of its certificate',
    ]);
    expect(problems({ keys: [{ ...good.keys[0], x5c: ['bm90IGEgY2VydA=='] }] })).toEqual([
      'keys[0].x5c[0] is not a base64 DER certificate',
    ]);
    expect(problems({ keys: [{ use: 'jwt-svid', kty: 'EC' }] })).toEqual(['keys[0] is a jwt-svid key without "kid"']);
    expect(problems({ keys: good.keys, spiffe_refresh_hint: '5m' })).toEqual(['"spiffe_refresh_hint" is "5m", not a whole number']);
    expect(problems({ keys: [] })).toBeUndefined();
    expect(problems({ keys: [{ use: 'other', kty: 'oct' }, ...good.keys] })).toBeUndefined();
  });
});
