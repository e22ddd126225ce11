/** Fixtures of the federation tests: a seed-002-like mesh (two sidecar clusters, foo.com and bar.com) and throwaway roots. */
import * as crypto from 'crypto';
import { App } from 'cdk8s';
import * as forge from 'node-forge';
import {
  CaDelivery,
  DataplaneMode,
  GatewayServiceType,
  IstioDistribution,
  MeshSpec,
  SpireMesh,
  checkMesh,
  collectObjects,
  federateBothWays,
} from '../../lib';
import { FEDERATION_CHECK } from '../../lib/app/check-federation';
import { setMeshTrustMaterial } from '../../lib/core';
import { FederationRelationProps } from '../../lib/spec';

/** A self-signed CA certificate (RSA 2048, node-forge over a key from Node's generator), made at run time; public PEM only. */
export function throwawayRoot(commonName = 'Throwaway Test Root'): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2026-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2036-01-01T00:00:00Z');
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A public EC P-256 CA certificate (made once with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256`; no key kept). */
export const EC_ROOT_PEM = `-----BEGIN CERTIFICATE-----
MIIBgjCCASmgAwIBAgIUE2OFRwGFsP7ZrvJ01zlPh3giBKkwCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMVGVzdCBFQyBSb290MB4XDTI2MTIwMTExMjQxOVoXDTM2MTEy
ODExMjQxOVowFzEVMBMGA1UEAwwMVGVzdCBFQyBSb290MFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEorTxjuuzb3Y8W1Cl0BZlGyxF7mcojs6uuMaczFPImfi6CwFp
XtrTR2frXlJvZ1ZhDg3h3bHGzS+/VFVLFq9T1aNTMFEwHQYDVR0OBBYEFEGowtUC
3SPfYz6cEpRhaXToGt6FMB8GA1UdIwQYMBaAFEGowtUC3SPfYz6cEpRhaXToGt6F
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgBvBgmQ/1AnFAPDw+
fGmUrVvKsZcjlpPQVzJEOxMLJv8CIBSWqY5ps5IrLX4bUnA+X2nr01Lj9KPUfjZy
OQzLhb7s
-----END CERTIFICATE-----
`;

export const FOO = 'foo.com';
export const BAR = 'bar.com';
export const FOO_ADDRESS = '192.0.2.21';
export const BAR_ADDRESS = 'spire.bar.example.com';

export interface FederatedMeshOptions {
  readonly relations?: FederationRelationProps[];
  readonly fooAddress?: string | null;
  readonly barAddress?: string | null;
  readonly caTtl?: string;
  readonly bundleRefreshHint?: string;
  readonly serviceType?: GatewayServiceType;
  readonly pki?: MeshSpec['pki'];
  readonly fooMode?: DataplaneMode;
}

/**
 * Seed 002's topology for SPIRE: cluster-1 (foo.com) and cluster-2 (bar.com), sidecar mode, federated both ways, an
 * ingress gateway on cluster-1; no peering links (multi-network is another component's concern).
 */
export function federatedMeshProps(options: FederatedMeshOptions = {}): MeshSpec {
  const address = (v: string | null | undefined, fallback: string) => (v === null ? undefined : (v ?? fallback));
  return {
    name: 'federated',
    istio: { distribution: IstioDistribution.UPSTREAM, version: '1.29.1' },
    clusters: [
      {
        name: 'cluster-1',
        trustDomain: FOO,
        dataplaneMode: options.fooMode ?? DataplaneMode.SIDECAR,
        spireBundleEndpointAddress: address(options.fooAddress, FOO_ADDRESS),
        ingressGateways: [{ name: 'istio-ingressgateway', namespace: 'istio-system' }],
      },
      {
        name: 'cluster-2',
        trustDomain: BAR,
        dataplaneMode: DataplaneMode.SIDECAR,
        spireBundleEndpointAddress: address(options.barAddress, BAR_ADDRESS),
      },
    ],
    links: [],
    ...(options.caTtl ? { spire: { caTtl: options.caTtl } } : {}),
    ...(options.pki ? { pki: options.pki } : {}),
    federation: {
      relations: options.relations ?? federateBothWays(FOO, BAR),
      ...(options.bundleRefreshHint ? { bundleRefreshHint: options.bundleRefreshHint } : {}),
      ...(options.serviceType ? { bundleEndpointServiceType: options.serviceType } : {}),
    },
  };
}

export interface FederatedFixture {
  readonly app: App;
  readonly mesh: SpireMesh;
  /** Every rendered manifest of a cluster. */
  objects(cluster: string): any[];
  /** The federation findings of the check over what is rendered. */
  federationFindings(): ReturnType<typeof checkMesh>;
}

/** Declares the mesh; with `rootPem`, synthesis's trust material is set to it (call `clear()` afterwards). */
export function federatedMesh(props: MeshSpec, rootPem?: string): FederatedFixture & { clear(): void } {
  const app = new App();
  const mesh = new SpireMesh(app, 'mesh', props);
  if (rootPem) setMeshTrustMaterial(mesh.model, { rootCertificatePem: rootPem });
  const objects = (cluster: string) =>
    collectObjects(app)
      .objects.filter((o) => o.cluster === cluster)
      .map((o) => o.manifest);
  return {
    app,
    mesh,
    objects,
    federationFindings: () =>
      checkMesh({
        mesh: mesh.model,
        clusters: mesh.model.clusters.map((cluster) => ({ cluster, manifests: objects(cluster.name) })),
      }).filter((f) => f.check === FEDERATION_CHECK),
    clear: () => setMeshTrustMaterial(mesh.model, undefined),
  };
}

/** cert-manager CA delivery with an issuer spiremesh does not render (it holds no root then). */
export const OUTSIDE_ISSUER: MeshSpec['pki'] = { delivery: CaDelivery.certManager({ issuerName: 'corp-ca' }) };
