/**
 * SPIFFE federation of one cluster's SPIRE with the other trust domains of its mesh: one ClusterFederatedTrustDomain
 * per trust domain the cluster's trust domain federates with (`mesh.federatesWith`), as the chart renders
 * `controllerManager.identities.clusterFederatedTrustDomains` (charts/spire-server/templates/controller-manager-ftd.yaml,
 * chart 0.24.2) and as istio/istio samples/security/spire-trust-domain-federation/cluster-federated-trust-domain.yaml
 * writes them, with the bootstrap `trustDomainBundle` computed instead of pasted from `spire-server bundle show`.
 *
 * Istio's side of the trust: Envoy (sidecars, gateways, waypoints) gets the federated bundles from the SPIRE agent's
 * SDS resource `ROOTCA` (FEDERATED_SDS in agent.ts), as https://istio.io/latest/docs/ops/integrations/spire/#federation
 * configures it. `meshConfig.caCertificates[].spiffeBundleUrl` is not used: istiod fetches such URLs over Web PKI
 * TLS, checking the server name against the system roots (istio/istio pkg/spiffe/spiffe.go
 * `RetrieveSpiffeBundleRootCerts`, tls.Config{ServerName, RootCAs}), while an `https_spiffe` bundle endpoint presents
 * an X509-SVID whose only SAN is `spiffe://<td>/spire/server`, so that fetch cannot succeed.
 */
import { isIP } from 'net';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { meshTrustMaterial } from '../core/trust-material';
import { MeshModel, goDurationSeconds, isDns1123Subdomain } from '../spec';
import { BundleEndpointProfile } from './choices';
import { ClusterFederatedTrustDomain } from './cluster-federated-trust-domain';
import { SPIRE_PORTS, spireServerId } from './names';
import { spiffeBundleFromRoots } from './spiffe-bundle';
import { suggestObjectName } from './validation';

/**
 * The address other servers reach `trustDomain`'s bundle endpoint at: the `spireBundleEndpointAddress` of its first
 * cluster (spec order) that has one.
 */
export function bundleEndpointAddress(mesh: MeshModel, trustDomain: string): string | undefined {
  return mesh.clustersOf(trustDomain).find((c) => c.spireBundleEndpointAddress !== undefined)?.spireBundleEndpointAddress;
}

/** `https://<address>:8443` of `trustDomain`'s bundle endpoint (IPv6 in brackets), when an address is declared. */
export function bundleEndpointUrl(mesh: MeshModel, trustDomain: string): string | undefined {
  const address = bundleEndpointAddress(mesh, trustDomain);
  if (address === undefined) return undefined;
  const host = isIP(address) === 6 ? `[${address}]` : address;
  return `https://${host}:${SPIRE_PORTS.bundleEndpoint}`;
}

/**
 * The bootstrap bundle of every trust domain of `mesh`, when synthesis knows the mesh root. spiremesh gives every
 * trust domain of a mesh the one mesh root: each SPIRE server's UpstreamAuthority is an intermediate of that root, with
 * the root alone as its upstream bundle, so the bundle a remote server publishes holds that root and nothing else
 * (JWT authorities arrive with the first fetch from the endpoint). `spiffe_refresh_hint` is the bundle endpoint's
 * refresh hint, as the remote server would publish it.
 */
export function meshSpiffeBundle(mesh: MeshModel): string | undefined {
  const material = meshTrustMaterial(mesh);
  if (!material || !mesh.federation) return undefined;
  return spiffeBundleFromRoots([material.rootCertificatePem], {
    refreshHintSeconds: Math.ceil(goDurationSeconds(mesh.federation.bundleRefreshHint)),
  });
}

/** Object name of the ClusterFederatedTrustDomain of `trustDomain`: the trust domain, made a valid name when it is not one. */
export function federatedTrustDomainName(trustDomain: string): string {
  return isDns1123Subdomain(trustDomain) ? trustDomain : suggestObjectName(trustDomain);
}

/**
 * The ClusterFederatedTrustDomains of the enclosing MeshCluster: one per trust domain its trust domain federates with
 * whose bundle endpoint address is declared (the check reports a missing address). Rendered in `Spire`.
 */
export class SpireFederation extends Construct {
  public readonly federatedTrustDomains: readonly ClusterFederatedTrustDomain[];

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const byName = new Map<string, string>();
    const resources: ClusterFederatedTrustDomain[] = [];
    for (const remote of mesh.federatesWith(cluster.trustDomain)) {
      const url = bundleEndpointUrl(mesh, remote);
      if (url === undefined) continue;
      const name = federatedTrustDomainName(remote);
      const clash = byName.get(name);
      if (clash !== undefined) {
        throw new Error(
          `cluster '${cluster.name}': trust domains '${clash}' and '${remote}' both give the ClusterFederatedTrustDomain name '${name}': rename one of the trust domains`,
        );
      }
      byName.set(name, remote);
      resources.push(
        new ClusterFederatedTrustDomain(this, remote, {
          name,
          trustDomain: remote,
          bundleEndpointUrl: url,
          bundleEndpointProfile: BundleEndpointProfile.HTTPS_SPIFFE,
          endpointSpiffeId: spireServerId(remote),
          // The remote root is the mesh root (see meshSpiffeBundle); read when the object renders, after synthesis
          // has read or generated the mesh PKI.
          trustDomainBundle: () => meshSpiffeBundle(mesh),
        }),
      );
    }
    this.federatedTrustDomains = resources;
  }
}
