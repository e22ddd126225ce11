/**
 * Upstream (community) Istio's multi-network sidecar mesh: multi-primary on different networks
 * (https://istio.io/latest/docs/setup/install/multicluster/multi-primary_multi-network/). Typed facts of istiod's
 * multi-network values, the east-west gateway release, the cross-network Gateway, the remote-secret ExternalSecrets
 * and the network label; a synth of a two-cluster mesh through every gate; the constructs' own refusals.
 */
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { CaDelivery, EastWestServiceType, Istio, MeshSpec, SpireMesh, synthesize } from '../../lib';
import { MeshCluster } from '../../lib/core';
import {
  CROSS_NETWORK_GATEWAY_NAME,
  CrossNetworkGateway,
  EastWestGatewayValues,
  Multicluster,
  RemoteSecret,
  UPSTREAM_EASTWEST_GATEWAY_ORDER,
  UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID,
  UpstreamEastWestGateway,
  createRemoteSecretCommand,
  remoteKubeconfigCommand,
} from '../../lib/multicluster';
import { MeshModel, MeshSpecDocument, meshPropsFromDocument, resolveMeshSpec } from '../../lib/spec';
import { TEST_PROJECT, errorOf, readTree, tempDir } from '../helpers';
import { sidecar, soloSidecarMesh, upstreamMesh } from './upstream-fixtures';

function build(props: MeshSpec): {
  app: App;
  mesh: SpireMesh;
  mc: (cluster: string) => Multicluster;
  chart: (cluster: string) => MeshCluster;
} {
  const app = new App();
  const mesh = new SpireMesh(app, 'mesh', props);
  const chart = (cluster: string) => mesh.clusterChart(cluster);
  return { app, mesh, chart, mc: (cluster) => chart(cluster).node.findChild('Multicluster') as Multicluster };
}

/** Synthesizes into a temp folder (every gate runs) and returns the result and, per cluster, its parsed files. */
function synth(props: MeshSpec) {
  const { app } = build(props);
  const outdir = tempDir();
  const result = synthesize(app, { outdir, baseDir: TEST_PROJECT });
  const files = (cluster: string): Record<string, any> =>
    Object.fromEntries(
      Object.entries(readTree(path.join(outdir, cluster))).map(([f, text]) => [f, f.endsWith('.yaml') ? YAML.parse(text) : text]),
    );
  return { result, files };
}

describe('istiod values of an upstream sidecar cluster on its own network', () => {
  test('mesh ID, cluster name, network and the meshNetworks fallback of the clusters it reads', () => {
    const { chart } = build(upstreamMesh());
    const one = Istio.of(chart('cluster1'))!.releases.istiod.values;
    expect(one.global.meshID).toBe('community');
    expect(one.global.multiCluster).toEqual({ clusterName: 'cluster1' });
    expect(one.global.network).toBe('cluster1');
    expect(one.global.meshNetworks).toEqual({
      cluster2: { endpoints: [{ fromRegistry: 'cluster2' }], gateways: [{ address: 'eastwest.cluster2.example.org', port: 15443 }] },
    });
    const two = Istio.of(chart('cluster2'))!.releases.istiod.values;
    expect(two.global.meshID).toBe('community');
    expect(two.global.meshNetworks).toEqual({
      cluster1: { endpoints: [{ fromRegistry: 'cluster1' }], gateways: [{ address: '192.0.2.10', port: 15443 }] },
    });
  });

  test('no Solo peering values: no DISABLE_LEGACY_MULTICLUSTER (remote secrets are the discovery), no platforms, license or gateways.spire', () => {
    const { chart } = build(upstreamMesh());
    const values = Istio.of(chart('cluster1'))!.releases.istiod.values;
    expect(values.env).not.toHaveProperty('DISABLE_LEGACY_MULTICLUSTER');
    expect(values).not.toHaveProperty('platforms');
    expect(values).not.toHaveProperty('license');
    expect(values).not.toHaveProperty('gateways');
  });

  test('meshNetworks lists only LoadBalancer gateways with a declared address; without any, none is rendered', () => {
    const { chart } = build(
      upstreamMesh({
        clusters: [sidecar('cluster1'), sidecar('cluster2', { eastWestServiceType: EastWestServiceType.NODE_PORT })],
      }),
    );
    expect(Istio.of(chart('cluster1'))!.releases.istiod.values.global).not.toHaveProperty('meshNetworks');
    expect(Istio.of(chart('cluster2'))!.releases.istiod.values.global).not.toHaveProperty('meshNetworks');
    expect(Istio.of(chart('cluster1'))!.releases.istiod.values.global.meshID).toBe('community');
  });

  test('Solo clusters keep their peering values and get no mesh ID or meshNetworks', () => {
    const { chart } = build(soloSidecarMesh());
    const values = Istio.of(chart('cluster1'))!.releases.istiod.values;
    expect(values.env.DISABLE_LEGACY_MULTICLUSTER).toBe('true');
    expect(values.platforms).toEqual({ peering: { enabled: true } });
    expect(values.global).not.toHaveProperty('meshID');
    expect(values.global).not.toHaveProperty('meshNetworks');
  });
});

describe('the classic east-west gateway release', () => {
  test('exactly the Helm install of the guide: gateway chart, release istio-eastwestgateway in istio-system, networkGateway', () => {
    const { chart, mc } = build(upstreamMesh());
    const release = chart('cluster1').delivery.release(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID)!;
    expect(mc('cluster1').upstreamEastWestGateway!.release).toBe(release);
    expect({ ...release, values: undefined }).toEqual({
      id: 'istio-eastwestgateway',
      chart: 'gateway',
      repository: { url: 'https://istio-release.storage.googleapis.com/charts' },
      version: '1.29.1',
      releaseName: 'istio-eastwestgateway',
      namespace: 'istio-system',
      values: undefined,
      order: UPSTREAM_EASTWEST_GATEWAY_ORDER,
    });
    const expected: EastWestGatewayValues = {
      name: 'istio-eastwestgateway',
      networkGateway: 'cluster1',
      podAnnotations: { 'inject.istio.io/templates': 'gateway,spire-gateway' },
    };
    expect(release.values).toEqual(expected);
    expect((chart('cluster2').delivery.release(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID)!.values as EastWestGatewayValues).networkGateway).toBe(
      'cluster2',
    );
  });

  test('it is applied after every Istio release (its pods are injected by istiod)', () => {
    const { chart } = build(upstreamMesh({ clusters: [sidecar('cluster1', { istioCni: true }), sidecar('cluster2')] }));
    const releases = chart('cluster1').delivery.releases;
    expect(releases[releases.length - 1].id).toBe(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID);
    for (const r of releases.filter((x) => x.id !== UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID))
      expect(r.order).toBeLessThan(UPSTREAM_EASTWEST_GATEWAY_ORDER);
  });

  test('NodePort: Service type NodePort with the node-selector annotation; revision follows the cluster', () => {
    const { chart } = build(
      upstreamMesh({
        clusters: [
          sidecar('cluster1', { eastWestServiceType: EastWestServiceType.NODE_PORT, istioRevision: 'canary' }),
          sidecar('cluster2'),
        ],
      }),
    );
    expect(chart('cluster1').delivery.release(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID)!.values).toEqual({
      name: 'istio-eastwestgateway',
      networkGateway: 'cluster1',
      service: { type: 'NodePort', annotations: { 'traffic.istio.io/nodeSelector': '{}' } },
      podAnnotations: { 'inject.istio.io/templates': 'gateway,spire-gateway' },
      revision: 'canary',
    });
  });

  test('the construct refuses a Solo cluster', () => {
    const { chart } = build(soloSidecarMesh());
    expect(errorOf(() => new UpstreamEastWestGateway(chart('cluster1'), 'Classic')).message).toBe(
      "the classic east-west gateway (port 15443) is for sidecar clusters of upstream Istio, but cluster 'cluster1' is sidecar with istio distribution 'solo': Solo clusters peer through the istio-eastwest class (EastWestGateway)",
    );
  });
});

describe('remote secrets', () => {
  test('with a store: one ExternalSecret per cluster read, building istio-remote-secret-<remote> as istioctl does', () => {
    const { mc } = build(upstreamMesh({ remoteSecretStore: 'cluster-credentials' }));
    const secrets = mc('cluster1').remoteSecrets;
    expect(secrets.map((s) => s.remote.name)).toEqual(['cluster2']);
    expect(secrets[0].resource.toJson()).toEqual({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        labels: { 'app.kubernetes.io/managed-by': 'spiremesh' },
        name: 'istio-remote-secret-cluster2',
        namespace: 'istio-system',
      },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'cluster-credentials' },
        target: {
          name: 'istio-remote-secret-cluster2',
          creationPolicy: 'Owner',
          template: {
            metadata: { labels: { 'istio/multiCluster': 'true' }, annotations: { 'networking.istio.io/cluster': 'cluster2' } },
          },
        },
        data: [{ secretKey: 'cluster2', remoteRef: { key: 'spiremesh/community/cluster2/istio-remote-secret', property: 'kubeconfig' } }],
      },
    });
    expect(mc('cluster2').remoteSecrets[0].resource.name).toBe('istio-remote-secret-cluster1');
  });

  test("by default the CA delivery's External Secrets store and key prefix are used", () => {
    const { mc, mesh } = build(
      upstreamMesh({ pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault', remoteKeyPrefix: 'platform/mesh' }) } }),
    );
    expect(mesh.model.remoteSecrets).toEqual({ clusterSecretStore: 'vault', remoteKeyPrefix: 'platform/mesh' });
    const spec = mc('cluster1').remoteSecrets[0].resource.toJson().spec;
    expect(spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    expect(spec.data).toEqual([
      { secretKey: 'cluster2', remoteRef: { key: 'platform/mesh/cluster2/istio-remote-secret', property: 'kubeconfig' } },
    ]);
  });

  test('an explicit store wins over the CA delivery store', () => {
    const { mesh } = build(
      upstreamMesh({ remoteSecretStore: 'kubeconfigs', pki: { delivery: CaDelivery.externalSecrets({ clusterSecretStore: 'vault' }) } }),
    );
    expect(mesh.model.remoteSecrets).toEqual({ clusterSecretStore: 'kubeconfigs', remoteKeyPrefix: 'spiremesh/community' });
  });

  test('without a store nothing with credentials is rendered, and synthesis warns per link with the exact command', () => {
    const { result, files } = synth(upstreamMesh());
    for (const cluster of ['cluster1', 'cluster2']) {
      expect(Object.values(files(cluster)).filter((o: any) => o?.kind === 'ExternalSecret' || o?.kind === 'Secret')).toEqual([]);
    }
    const warnings = result.warnings.filter((w) => w.includes('istioctl create-remote-secret'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      "cluster cluster1: istiod discovers the endpoints of cluster cluster2 only through a remote secret, which carries cluster2's credentials and is therefore not rendered (no remoteSecretStore); run once: istioctl create-remote-secret --context=ctx-two --name=cluster2 | kubectl apply --context=ctx-one -f -",
    );
    expect(warnings[1]).toContain('istioctl create-remote-secret --context=ctx-one --name=cluster1 | kubectl apply --context=ctx-two -f -');
  });

  test('the commands of the manual part use the kubeconfig contexts of both clusters', () => {
    const model = build(upstreamMesh()).mesh.model;
    expect(createRemoteSecretCommand(model.cluster('cluster1'), model.cluster('cluster2'))).toBe(
      'istioctl create-remote-secret --context=ctx-two --name=cluster2 | kubectl apply --context=ctx-one -f -',
    );
    expect(remoteKubeconfigCommand(model.cluster('cluster2'))).toBe(
      "istioctl create-remote-secret --context=ctx-two --name=cluster2 | kubectl create --context=ctx-two --dry-run=client -f - -o jsonpath='{.data.cluster2}' | base64 -d",
    );
  });

  test('a remote secret of the cluster itself is refused', () => {
    const { chart, mesh } = build(upstreamMesh({ remoteSecretStore: 'cluster-credentials' }));
    const e = errorOf(
      () => new RemoteSecret(chart('cluster1'), 'Self', { remote: mesh.model.cluster('cluster1'), store: mesh.model.remoteSecrets! }),
    );
    expect(e.message).toBe(
      "remote secret for cluster 'cluster1' is created in cluster 'cluster1' itself: istiod reads its own cluster without one; create it in the clusters that link to 'cluster1'",
    );
  });

  test('one-way link: only the source reads the target; both clusters get the east-west gateway', () => {
    const { mc, chart } = build(upstreamMesh({ links: [{ from: 'cluster1', to: 'cluster2' }], remoteSecretStore: 'cluster-credentials' }));
    expect(mc('cluster1').remoteSecrets.map((s) => s.remote.name)).toEqual(['cluster2']);
    expect(mc('cluster2').remoteSecrets).toEqual([]);
    expect(mc('cluster1').upstreamEastWestGateway).toBeDefined();
    expect(mc('cluster2').upstreamEastWestGateway).toBeDefined();
    expect(Istio.of(chart('cluster1'))!.releases.istiod.values.global.meshNetworks).toHaveProperty('cluster2');
    expect(Istio.of(chart('cluster2'))!.releases.istiod.values.global).not.toHaveProperty('meshNetworks');
  });
});

describe('synth of a two-cluster upstream sidecar mesh', () => {
  test('passes every gate and check; multicluster/, the network label and the delivered releases are as upstream writes them', () => {
    const { result, files } = synth(upstreamMesh({ remoteSecretStore: 'cluster-credentials' }));
    expect(result.checkFindings.filter((f) => f.severity === 'error')).toEqual([]);
    const one = files('cluster1');
    expect(Object.keys(one).filter((f) => f.startsWith('multicluster/'))).toEqual([
      'multicluster/clusterspiffeid_istio-gateway-reg.istio-system.istio-eastwestgateway.yaml',
      'multicluster/externalsecret_istio-system_istio-remote-secret-cluster2.yaml',
      'multicluster/gateway_istio-system_cross-network-gateway.yaml',
    ]);
    // The east-west gateway's proxy reads its SVID from SPIRE: its pods have their own registration.
    expect(one['multicluster/clusterspiffeid_istio-gateway-reg.istio-system.istio-eastwestgateway.yaml'].spec).toEqual({
      className: 'spire-server-spire',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'istio-eastwestgateway' } },
      spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}',
    });
    expect(one['multicluster/gateway_istio-system_cross-network-gateway.yaml']).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: {
        // Added by the delivery's first-sync order (docs/first-sync.md): the CRD comes from istio-base, wave 1.
        annotations: { 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true', 'argocd.argoproj.io/sync-wave': '2' },
        labels: { 'app.kubernetes.io/managed-by': 'spiremesh' },
        name: CROSS_NETWORK_GATEWAY_NAME,
        namespace: 'istio-system',
      },
      spec: {
        selector: { istio: 'eastwestgateway' },
        servers: [{ hosts: ['*.local'], port: { name: 'tls', number: 15443, protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' } }],
      },
    });
    expect(one['namespaces/namespace_istio-system.yaml'].metadata.labels['topology.istio.io/network']).toBe('cluster1');
    const app = one['delivery/application_argocd_istio-eastwestgateway.yaml'];
    expect(app.spec.source).toEqual({
      chart: 'gateway',
      helm: {
        releaseName: 'istio-eastwestgateway',
        valuesObject: {
          name: 'istio-eastwestgateway',
          networkGateway: 'cluster1',
          podAnnotations: { 'inject.istio.io/templates': 'gateway,spire-gateway' },
        },
      },
      repoURL: 'https://istio-release.storage.googleapis.com/charts',
      targetRevision: '1.29.1',
    });
    expect(app.spec.destination.namespace).toBe('istio-system');
    const istiod = one['delivery/application_argocd_istiod.yaml'].spec.source.helm.valuesObject;
    expect(istiod.global).toMatchObject({
      meshID: 'community',
      multiCluster: { clusterName: 'cluster1' },
      network: 'cluster1',
      meshNetworks: {
        cluster2: { endpoints: [{ fromRegistry: 'cluster2' }], gateways: [{ address: 'eastwest.cluster2.example.org', port: 15443 }] },
      },
    });
    // No Solo peering object reaches an upstream cluster.
    expect(Object.values(one).filter((o: any) => o?.kind === 'Gateway' && o.apiVersion?.startsWith('gateway.networking.k8s.io/'))).toEqual(
      [],
    );
  });

  test('a YAML inventory gives the same model (remoteSecretStore through the document)', () => {
    const doc: MeshSpecDocument = {
      name: 'community',
      istio: { distribution: 'upstream' },
      remoteSecretStore: 'cluster-credentials',
      clusters: [
        { name: 'cluster1', dataplaneMode: 'sidecar', eastWestAddress: '192.0.2.10' },
        { name: 'cluster2', dataplaneMode: 'sidecar' },
      ],
    };
    const model = resolveMeshSpec(doc, 'mesh.yaml');
    expect(model.remoteSecrets).toEqual({ clusterSecretStore: 'cluster-credentials', remoteKeyPrefix: 'spiremesh/community' });
    expect(meshPropsFromDocument(doc).remoteSecretStore).toBe('cluster-credentials');
    const app = new App();
    const mesh = SpireMesh.fromModel(app, 'mesh', model);
    const mc = mesh.clusterChart('cluster2').node.findChild('Multicluster') as Multicluster;
    expect(mc.remoteSecrets.map((s) => s.resource.name)).toEqual(['istio-remote-secret-cluster1']);
    // No address for cluster2: cluster1's istiod relies on discovery alone.
    expect(Istio.of(mesh.clusterChart('cluster1'))!.releases.istiod.values.global).not.toHaveProperty('meshNetworks');
  });
});

describe('constructs', () => {
  test('an unvalidated upstream mesh with a linked ambient cluster is refused by the Multicluster component', () => {
    const doc: MeshSpecDocument = {
      name: 'm',
      istio: { distribution: 'upstream' },
      clusters: [{ name: 'a', dataplaneMode: 'sidecar' }, { name: 'b' }],
    };
    const e = errorOf(() => SpireMesh.fromModel(new App(), 'mesh', new MeshModel(meshPropsFromDocument(doc), doc)));
    expect(e.message).toBe(
      "cluster 'b' is linked and ambient, but istio distribution 'upstream' links only sidecar clusters (multi-primary on different networks): set dataplaneMode 'sidecar' on every linked cluster, use IstioDistribution.SOLO for ambient peering, or remove the links",
    );
  });

  test('a single upstream cluster renders no multi-network object', () => {
    const { mc, chart } = build(upstreamMesh({ clusters: [sidecar('cluster1')], links: undefined }));
    expect(mc('cluster1').upstreamEastWestGateway).toBeUndefined();
    expect(mc('cluster1').crossNetworkGateway).toBeUndefined();
    expect(mc('cluster1').remoteSecrets).toEqual([]);
    expect(chart('cluster1').delivery.release(UPSTREAM_EASTWEST_GATEWAY_RELEASE_ID)).toBeUndefined();
    expect(Istio.of(chart('cluster1'))!.releases.istiod.values.global).not.toHaveProperty('meshID');
  });

  test('the cross-network Gateway must live inside a MeshCluster', () => {
    expect(errorOf(() => new CrossNetworkGateway(new App(), 'Loose')).message).toContain('is not inside a MeshCluster');
  });
});
