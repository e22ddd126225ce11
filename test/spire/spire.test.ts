import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import { CaDelivery, DataplaneMode, IssuerKind, SynthesisError, collectObjects } from '../../lib';
import {
  ClusterFederatedTrustDomain,
  ClusterSpiffeId,
  ClusterStaticEntry,
  BundleEndpointProfile,
  SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH,
  SPIRE_CLASS_NAME,
  Spire,
  UpstreamAuthority,
  WebhookFailurePolicy,
} from '../../lib/spire';
import { SchemaRegistry } from '../../lib/validation';
import { errorOf } from '../helpers';
import { emittedConfigs, find, meshProps, spireMesh, spireObjects, spireOf, synthSpire } from './helpers';

const TD = 'east.example.org';

/** Renders the controller manager's parent ID template for a node (the two fields it uses). */
function parentIdFor(template: string, trustDomain: string, clusterName: string, nodeUid: string): string {
  return template
    .replace('{{ .TrustDomain }}', trustDomain)
    .replace('{{ .ClusterName }}', clusterName)
    .replace('{{ .NodeMeta.UID }}', nodeUid);
}

describe('Spire component: synthesis', () => {
  test('synthesizes into dist/<cluster>/spire/ and every object passes the schema gate', () => {
    const fixture = spireMesh({}, meshProps({ trustDomain1: TD }));
    const { outdir, result } = synthSpire(fixture);
    const files = fs.readdirSync(path.join(outdir, 'cluster1', 'spire')).sort();
    expect(files).toEqual([
      'clusterrole_spire-agent.yaml',
      'clusterrole_spire-server-spire-controller-manager.yaml',
      'clusterrole_spire-server-spire-server.yaml',
      'clusterrolebinding_spire-agent.yaml',
      'clusterrolebinding_spire-server-spire-controller-manager.yaml',
      'clusterrolebinding_spire-server-spire-server.yaml',
      'clusterspiffeid_istio-ambient-reg.yaml',
      'clusterspiffeid_istio-waypoint-reg.yaml',
      'clusterspiffeid_istio-ztunnel-reg.yaml',
      'clusterspiffeid_spire-server-spire-default.yaml',
      'configmap_spire-server_spire-agent.yaml',
      'configmap_spire-server_spire-bundle.yaml',
      'configmap_spire-server_spire-controller-manager.yaml',
      'configmap_spire-server_spire-server.yaml',
      'csidriver_csi.spiffe.io.yaml',
      'daemonset_spire-server_spire-agent.yaml',
      'daemonset_spire-server_spire-spiffe-csi-driver.yaml',
      'role_spire-server_spire-bundle.yaml',
      'role_spire-server_spire-controller-manager-leader-election.yaml',
      'rolebinding_spire-server_spire-bundle.yaml',
      'rolebinding_spire-server_spire-controller-manager-leader-election.yaml',
      'service_spire-server_spire-controller-manager-webhook.yaml',
      'service_spire-server_spire-server.yaml',
      'serviceaccount_spire-server_spire-agent.yaml',
      'serviceaccount_spire-server_spire-server.yaml',
      'serviceaccount_spire-server_spire-spiffe-csi-driver.yaml',
      'statefulset_spire-server_spire-server.yaml',
      'validatingwebhookconfiguration_spire-server-spire-controller-manager-webhook.yaml',
    ]);
    expect(spireObjects(fixture)).toHaveLength(files.length);
    expect(result.directories.find((d) => d.dir.endsWith('cluster1'))!.created).toEqual(
      expect.arrayContaining(files.map((f) => `spire/${f}`)),
    );
    // The emitted server.conf is the one a reader of dist/ sees.
    const cm = parseYaml(fs.readFileSync(path.join(outdir, 'cluster1', 'spire', 'configmap_spire-server_spire-server.yaml'), 'utf8'));
    expect(JSON.parse(cm.data['server.conf']).server.trust_domain).toBe(TD);
  });

  test('every object passes SchemaRegistry.default(), with the cert-manager upstream authority too', () => {
    const objects = spireObjects(spireMesh({ upstreamAuthority: UpstreamAuthority.certManager({ issuerName: 'mesh-ca' }) }));
    expect(SchemaRegistry.default().validateAll(objects)).toEqual([]);
  });

  test('two synths are byte-identical (checksums are deterministic)', () => {
    const a = spireObjects(spireMesh());
    const b = spireObjects(spireMesh());
    expect(JSON.stringify(a)).toEqual(JSON.stringify(b));
  });
});

describe('Spire component: configs', () => {
  const objects = spireObjects(spireMesh({}, meshProps({ trustDomain1: TD })));
  const { server, agent, controllerManager, serverText, agentText, controllerManagerText } = emittedConfigs(objects);
  const fixture = spireMesh({}, meshProps({ trustDomain1: TD }));
  const cluster = fixture.mesh.model.cluster('cluster1');

  test('server.conf and agent.conf are pretty JSON with sorted keys and plugins in list form', () => {
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.keys(v)
                .sort()
                .map((k) => [k, sorted((v as any)[k])]),
            )
          : v;
    expect(serverText).toBe(`${JSON.stringify(sorted(server), undefined, 2)}\n`);
    expect(agentText).toBe(`${JSON.stringify(sorted(agent), undefined, 2)}\n`);
    for (const conf of [server, agent]) {
      for (const list of Object.values(conf.plugins)) {
        expect(Array.isArray(list)).toBe(true);
        for (const entry of list as object[]) expect(Object.keys(entry)).toHaveLength(1);
      }
    }
    expect(Object.keys(server.plugins).sort()).toEqual(['DataStore', 'KeyManager', 'NodeAttestor', 'Notifier', 'UpstreamAuthority']);
    expect(agent.plugins.KeyManager).toEqual([{ memory: { plugin_data: null } }]);
  });

  test('trust domain and cluster name: server, agent and controller manager agree with the cluster model', () => {
    expect(cluster.trustDomain).toBe(TD);
    expect(server.server.trust_domain).toBe(TD);
    expect(agent.agent.trust_domain).toBe(TD);
    expect(controllerManager.trustDomain).toBe(TD);
    // The cluster's name, not the chart's 'example-cluster', on both sides of k8s_psat ...
    expect(server.plugins.NodeAttestor).toEqual([
      {
        k8s_psat: {
          plugin_data: {
            clusters: [
              {
                cluster1: {
                  service_account_allow_list: ['spire-server:spire-agent'],
                  audience: ['spire-server'],
                  allowed_node_label_keys: [],
                  allowed_pod_label_keys: [],
                },
              },
            ],
          },
        },
      },
    ]);
    expect(agent.plugins.NodeAttestor).toEqual([{ k8s_psat: { plugin_data: { cluster: 'cluster1' } } }]);
    // ... and in the controller manager (entry ownership and parent IDs).
    expect(controllerManager.clusterName).toBe('cluster1');
    expect(controllerManager.entryIDPrefix).toBe('cluster1');
    expect(controllerManagerText).not.toContain('example-cluster');
    expect(serverText + agentText).not.toContain('example-cluster');
    // The parent ID template resolves to the k8s_psat ID the agent on that node attests with.
    expect(controllerManager.parentIDTemplate).toBe(
      'spiffe://{{ .TrustDomain }}/spire/agent/k8s_psat/{{ .ClusterName }}/{{ .NodeMeta.UID }}',
    );
    expect(parentIdFor(controllerManager.parentIDTemplate, controllerManager.trustDomain, controllerManager.clusterName, 'node-uid')).toBe(
      `spiffe://${TD}/spire/agent/k8s_psat/${agent.plugins.NodeAttestor[0].k8s_psat.plugin_data.cluster}/node-uid`,
    );
  });

  test("ztunnel is the agents' authorized delegate, with the ID derived in the model", () => {
    expect(agent.agent.authorized_delegates).toEqual([cluster.ztunnelSpiffeId]);
    expect(cluster.ztunnelSpiffeId).toBe(`spiffe://${TD}/ns/istio-system/sa/ztunnel`);
    expect(fixture.spire.agent.authorizedDelegates).toEqual([cluster.ztunnelSpiffeId]);
  });

  test('the admin socket is served in the container and its folder is a hostPath where ztunnel looks', () => {
    expect(agent.agent.admin_socket_path).toBe('/tmp/spire-agent/private/admin.sock');
    const ds = find(objects, 'DaemonSet', 'spire-agent');
    const pod = ds.spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === path.posix.dirname(agent.agent.admin_socket_path));
    const volume = pod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.hostPath).toEqual({ path: '/run/spire/agent/sockets/csi.spiffe.io/admin', type: 'DirectoryOrCreate' });
    const hostSocket = `${volume.hostPath.path}/${path.posix.basename(agent.agent.admin_socket_path)}`;
    expect(hostSocket).toBe('/run/spire/agent/sockets/csi.spiffe.io/admin/admin.sock');
    expect(hostSocket).toBe(SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH);
    expect(fixture.spire.agent.adminSocketHostPath).toBe(SPIRE_AGENT_ADMIN_SOCKET_HOST_PATH);
  });

  test('disk UpstreamAuthority: the Secret is mounted where the plugin reads, with bundle_file_path for the intermediate', () => {
    expect(server.plugins.UpstreamAuthority).toEqual([
      {
        disk: {
          plugin_data: {
            cert_file_path: '/run/spire/upstream_ca/tls.crt',
            key_file_path: '/run/spire/upstream_ca/tls.key',
            bundle_file_path: '/run/spire/upstream_ca/bundle.crt',
          },
        },
      },
    ]);
    const pod = find(objects, 'StatefulSet', 'spire-server').spec.template.spec;
    const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === 'upstream-ca');
    expect(mount.mountPath).toBe('/run/spire/upstream_ca');
    expect(pod.volumes.find((v: any) => v.name === 'upstream-ca')).toEqual({
      name: 'upstream-ca',
      secret: { secretName: 'spiffe-upstream-ca' },
    });
    // No cert-manager RBAC for the disk plugin.
    expect(objects.filter((o) => o.metadata.name === 'spire-server-cm')).toEqual([]);
  });

  test('a self-signed upstream root can opt out of bundle_file_path', () => {
    const { server: s } = emittedConfigs(
      spireObjects(spireMesh({ upstreamAuthority: UpstreamAuthority.disk({ intermediate: false, secretName: 'my-root' }) })),
    );
    expect(s.plugins.UpstreamAuthority[0].disk.plugin_data).toEqual({
      cert_file_path: '/run/spire/upstream_ca/tls.crt',
      key_file_path: '/run/spire/upstream_ca/tls.key',
    });
  });

  test('controller manager config: class, webhook name, socket, leader election, namespaces', () => {
    expect(controllerManager).toMatchObject({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ControllerManagerConfig',
      metadata: { name: 'spire-controller-manager', namespace: 'spire-server' },
      metrics: { bindAddress: '0.0.0.0:8082' },
      health: { healthProbeBindAddress: '0.0.0.0:8083' },
      leaderElection: { leaderElect: true, resourceName: '6f304bd2.spiffe.io', resourceNamespace: 'spire-server' },
      validatingWebhookConfigurationName: 'spire-server-spire-controller-manager-webhook',
      spireServerSocketPath: '/tmp/spire-server/private/api.sock',
      className: 'spire-server-spire',
      watchClassless: false,
      ignoreNamespaces: ['kube-system', 'kube-public', 'local-path-storage', 'openshift-.*', 'ibm-.*'],
      reconcile: { clusterSPIFFEIDs: true, clusterStaticEntries: true, clusterFederatedTrustDomains: true },
    });
    expect(find(objects, 'ValidatingWebhookConfiguration', controllerManager.validatingWebhookConfigurationName)).toBeDefined();
  });

  test('pods carry sha256 checksums of their configs', () => {
    const hash = (t: string) => createHash('sha256').update(t).digest('hex');
    const serverPod = find(objects, 'StatefulSet', 'spire-server').spec.template.metadata.annotations;
    expect(serverPod['checksum/config']).toBe(hash(serverText));
    expect(serverPod['checksum/config3']).toBe(hash(controllerManagerText));
    expect(find(objects, 'DaemonSet', 'spire-agent').spec.template.metadata.annotations['checksum/config']).toBe(hash(agentText));
  });
});

describe('Spire component: cert-manager UpstreamAuthority', () => {
  test("defaults from pki.delivery cert-manager: the plugin with the spec's issuer, and RBAC for CertificateRequests", () => {
    const props = meshProps({ pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root', issuerKind: IssuerKind.ISSUER }) } });
    const objects = spireObjects(spireMesh({}, props));
    const { server } = emittedConfigs(objects);
    expect(server.plugins.UpstreamAuthority).toEqual([
      {
        'cert-manager': {
          plugin_data: {
            namespace: 'spire-server',
            issuer_name: 'mesh-root',
            issuer_kind: 'Issuer',
            issuer_group: 'cert-manager.io',
          },
        },
      },
    ]);
    const role = find(objects, 'Role', 'spire-server-cm');
    expect(role.metadata.namespace).toBe('spire-server');
    expect(role.rules).toEqual([
      {
        apiGroups: ['cert-manager.io'],
        resources: ['certificaterequests', 'issuers'],
        verbs: ['list', 'get', 'create', 'delete', 'patch', 'update'],
      },
    ]);
    const binding = find(objects, 'RoleBinding', 'spire-server-cm');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'spire-server', namespace: 'spire-server' }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'spire-server-cm' });
    // No upstream Secret volume.
    const pod = find(objects, 'StatefulSet', 'spire-server').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('upstream-ca');
  });

  test('explicit certManager(): ClusterIssuer by default, RBAC in the plugin namespace', () => {
    const objects = spireObjects(
      spireMesh({
        upstreamAuthority: UpstreamAuthority.certManager({
          issuerName: 'spire-ca',
          namespace: 'cert-issuers',
          issuerGroup: 'awspca.cert-manager.io',
        }),
      }),
    );
    expect(emittedConfigs(objects).server.plugins.UpstreamAuthority[0]['cert-manager'].plugin_data).toEqual({
      namespace: 'cert-issuers',
      issuer_name: 'spire-ca',
      issuer_kind: 'ClusterIssuer',
      issuer_group: 'awspca.cert-manager.io',
    });
    expect(find(objects, 'Role', 'spire-server-cm').metadata.namespace).toBe('cert-issuers');
    expect(find(objects, 'RoleBinding', 'spire-server-cm').metadata.namespace).toBe('cert-issuers');
  });

  test('bad issuer names are refused with the fix', () => {
    expect(errorOf(() => UpstreamAuthority.certManager({ issuerName: 'Mesh_CA' })).message).toMatch(
      /issuerName: 'Mesh_CA' is not a valid Kubernetes object name[\s\S]*fix: use a name such as 'mesh-ca'/,
    );
  });
});

describe('Spire component: className agreement', () => {
  test('every ClusterSPIFFEID, ClusterFederatedTrustDomain and ClusterStaticEntry carries the controller manager className', () => {
    const fixture = spireMesh();
    new ClusterFederatedTrustDomain(fixture.spire, 'Cluster2', {
      trustDomain: 'cluster2',
      bundleEndpointUrl: 'https://198.51.100.10:8443',
      bundleEndpointProfile: BundleEndpointProfile.HTTPS_SPIFFE,
      endpointSpiffeId: 'spiffe://cluster2/spire/server',
    });
    new ClusterStaticEntry(fixture.spire, 'Ingress', {
      name: 'istio-ingressgateway',
      spiffeId: 'spiffe://cluster1/ns/istio-system/sa/istio-ingressgateway-service-account',
      parentId: 'spiffe://cluster1/spire/agent/k8s_psat/cluster1/8d5a2c1e-3f4b-4c6d-9e7f-0a1b2c3d4e5f',
      selectors: ['k8s:ns:istio-system', 'k8s:sa:istio-ingressgateway-service-account'],
    });
    const objects = spireObjects(fixture);
    const { controllerManager } = emittedConfigs(objects);
    const crs = objects.filter((o) => ['ClusterSPIFFEID', 'ClusterFederatedTrustDomain', 'ClusterStaticEntry'].includes(o.kind));
    expect(crs.map((o) => o.kind).sort()).toEqual([
      'ClusterFederatedTrustDomain',
      'ClusterSPIFFEID',
      'ClusterSPIFFEID',
      'ClusterSPIFFEID',
      'ClusterSPIFFEID',
      'ClusterStaticEntry',
    ]);
    for (const cr of crs) expect(cr.spec.className).toBe(controllerManager.className);
    expect(controllerManager.className).toBe(SPIRE_CLASS_NAME);
    expect(SPIRE_CLASS_NAME).toBe('spire-server-spire');
    expect(collectObjects(fixture.app).findings).toEqual([]);
  });

  test('a raw custom resource without the class fails synthesis with the fix', () => {
    const fixture = spireMesh();
    new ApiObject(fixture.spire, 'Raw', {
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterSPIFFEID',
      metadata: { name: 'raw' },
      spec: { spiffeIDTemplate: 'spiffe://{{ .TrustDomain }}/raw', podSelector: { matchLabels: { app: 'raw' } } },
    });
    const e = errorOf(() => synthSpire(fixture)) as SynthesisError;
    expect(e).toBeInstanceOf(SynthesisError);
    expect(e.message).toContain(
      "ClusterSPIFFEID 'raw' (mesh/cluster1/Spire/Raw) has spec.className unset, but the controller manager only reconciles className 'spire-server-spire'",
    );
  });

  test('the Istio ambient registrations are rendered with the class and their pod selectors', () => {
    const objects = spireObjects(spireMesh());
    const template = 'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}';
    expect(find(objects, 'ClusterSPIFFEID', 'istio-ztunnel-reg').spec).toEqual({
      className: 'spire-server-spire',
      spiffeIDTemplate: template,
      podSelector: { matchLabels: { app: 'ztunnel' } },
    });
    expect(find(objects, 'ClusterSPIFFEID', 'istio-waypoint-reg').spec).toEqual({
      className: 'spire-server-spire',
      spiffeIDTemplate: template,
      podSelector: { matchLabels: { 'istio.io/gateway-name': 'waypoint' } },
    });
    expect(find(objects, 'ClusterSPIFFEID', 'istio-ambient-reg').spec).toEqual({
      className: 'spire-server-spire',
      spiffeIDTemplate: template,
      podSelector: { matchLabels: { 'istio.io/dataplane-mode': 'ambient' } },
    });
    expect(find(objects, 'ClusterSPIFFEID', 'spire-server-spire-default').spec).toEqual({
      className: 'spire-server-spire',
      spiffeIDTemplate: template,
      hint: 'default',
      fallback: true,
      namespaceSelector: {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['spire-server', 'spire-system'] }],
      },
    });
  });
});

describe('Spire component: one source for every derived value', () => {
  test("changing a cluster's trust domain changes every dependent value and nothing else", () => {
    const before = spireObjects(spireMesh({}, meshProps({ trustDomain1: 'alpha.example.org' })));
    const after = spireObjects(spireMesh({}, meshProps({ trustDomain1: 'beta.example.org' })));
    const withoutChecksums = (objs: any[]) => JSON.stringify(objs).replace(/"checksum\/config\d?":"[0-9a-f]{64}"/g, '"checksum":"*"');
    expect(withoutChecksums(after)).toContain('beta.example.org');
    expect(withoutChecksums(after)).not.toContain('alpha.example.org');
    // Exactly the trust-domain occurrences differ: nothing else was typed with it.
    expect(withoutChecksums(after)).toBe(withoutChecksums(before).split('alpha.example.org').join('beta.example.org'));
    const a = emittedConfigs(before);
    const b = emittedConfigs(after);
    expect(b.agent.agent.authorized_delegates).toEqual(['spiffe://beta.example.org/ns/istio-system/sa/ztunnel']);
    expect([b.server.server.trust_domain, b.agent.agent.trust_domain, b.controllerManager.trustDomain]).toEqual([
      'beta.example.org',
      'beta.example.org',
      'beta.example.org',
    ]);
    expect(b.server.server.jwt_issuer).toBe('https://oidc-discovery.beta.example.org');
    // Configs changed, so the pods roll.
    const ann = (objs: any[], kind: string, name: string) => find(objs, kind, name).spec.template.metadata.annotations['checksum/config'];
    expect(ann(after, 'StatefulSet', 'spire-server')).not.toBe(ann(before, 'StatefulSet', 'spire-server'));
    expect(ann(after, 'DaemonSet', 'spire-agent')).not.toBe(ann(before, 'DaemonSet', 'spire-agent'));
    expect(a.serverText).not.toBe(b.serverText);
    // The identity CRs name no trust domain at all: the controller manager fills in `.TrustDomain`.
    for (const cr of after.filter((o) => o.kind === 'ClusterSPIFFEID')) expect(JSON.stringify(cr)).not.toContain('example.org');
  });

  test('each cluster gets its own trust domain and cluster name', () => {
    const fixture = spireMesh();
    const second = spireOf(fixture.mesh, 'cluster2');
    expect(second.server.trustDomain).toBe('cluster2');
    const { server, agent } = emittedConfigs(spireObjects(fixture, 'cluster2'));
    expect(Object.keys(server.plugins.NodeAttestor[0].k8s_psat.plugin_data.clusters[0])).toEqual(['cluster2']);
    expect(agent.agent.authorized_delegates).toEqual(['spiffe://cluster2/ns/istio-system/sa/ztunnel']);
  });
});

describe('Spire component: chart fidelity', () => {
  const objects = spireObjects(spireMesh());

  test('names, labels and selectors equal the chart (without Helm-only labels)', () => {
    const sts = find(objects, 'StatefulSet', 'spire-server');
    expect(sts.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'server',
      'app.kubernetes.io/instance': 'spire',
      'app.kubernetes.io/version': '1.11.2',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/managed-by': 'spiremesh',
    });
    expect(sts.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'server',
      'app.kubernetes.io/instance': 'spire',
      'app.kubernetes.io/component': 'server',
    });
    expect(sts.spec.serviceName).toBe('spire-server');
    expect(sts.spec.template.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'server',
      'app.kubernetes.io/instance': 'spire',
      'app.kubernetes.io/component': 'server',
      component: 'server',
      release: 'spire',
      'release-namespace': 'spire-server',
    });
    const agent = find(objects, 'DaemonSet', 'spire-agent');
    expect(agent.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'agent',
      'app.kubernetes.io/instance': 'spire',
      'app.kubernetes.io/component': 'default',
    });
    const csi = find(objects, 'DaemonSet', 'spire-spiffe-csi-driver');
    expect(csi.metadata.labels['app.kubernetes.io/version']).toBe('0.2.3');
    expect(csi.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'spiffe-csi-driver', 'app.kubernetes.io/instance': 'spire' });
    for (const o of objects) {
      expect(o.metadata.labels?.['helm.sh/chart']).toBeUndefined();
      expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('spiremesh');
      if (o.metadata.namespace !== undefined) expect(o.metadata.namespace).toBe('spire-server');
    }
    const service = find(objects, 'Service', 'spire-server');
    expect(service.spec).toEqual({
      type: 'ClusterIP',
      ports: [{ name: 'grpc', port: 443, targetPort: 'grpc', protocol: 'TCP' }],
      selector: { 'app.kubernetes.io/name': 'server', 'app.kubernetes.io/instance': 'spire' },
    });
    expect(find(objects, 'Service', 'spire-controller-manager-webhook').spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
  });

  test('agent pod: hostPID, hostNetwork, projected token, sockets on the node, every-node tolerations', () => {
    const pod = find(objects, 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(pod).toMatchObject({
      hostPID: true,
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      serviceAccountName: 'spire-agent',
    });
    expect(pod.volumes.find((v: any) => v.name === 'spire-token').projected).toEqual({
      sources: [{ serviceAccountToken: { path: 'spire-agent', expirationSeconds: 7200, audience: 'spire-server' } }],
    });
    expect(pod.volumes.find((v: any) => v.name === 'spire-agent-socket-dir').hostPath).toEqual({
      path: '/run/spire/agent-sockets',
      type: 'DirectoryOrCreate',
    });
    expect(pod.tolerations).toEqual([
      { effect: 'NoSchedule', operator: 'Exists' },
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { effect: 'NoExecute', operator: 'Exists' },
    ]);
    expect(find(objects, 'DaemonSet', 'spire-spiffe-csi-driver').spec.template.spec.tolerations).toEqual(pod.tolerations);
  });

  test('CSI driver: the agent socket folder, registrar, CSIDriver', () => {
    const pod = find(objects, 'DaemonSet', 'spire-spiffe-csi-driver').spec.template.spec;
    expect(pod.containers.map((c: any) => [c.name, c.image])).toEqual([
      ['spiffe-csi-driver', 'ghcr.io/spiffe/spiffe-csi-driver:0.2.3'],
      ['node-driver-registrar', 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.9.4'],
    ]);
    expect(pod.containers[0].args).toEqual([
      '-workload-api-socket-dir',
      '/spire-agent-socket',
      '-plugin-name',
      'csi.spiffe.io',
      '-csi-socket-path',
      '/spiffe-csi/csi.sock',
    ]);
    expect(pod.containers[1].args).toEqual([
      '-csi-address',
      '/spiffe-csi/csi.sock',
      '-kubelet-registration-path',
      '/var/lib/kubelet/plugins/csi.spiffe.io/csi.sock',
      '-health-port',
      '9809',
    ]);
    expect(pod.volumes.find((v: any) => v.name === 'spire-agent-socket-dir').hostPath.path).toBe('/run/spire/agent-sockets');
    expect(find(objects, 'CSIDriver', 'csi.spiffe.io').spec).toEqual({
      attachRequired: false,
      podInfoOnMount: true,
      fsGroupPolicy: 'None',
      volumeLifecycleModes: ['Ephemeral'],
    });
  });

  test('images are pinned to the chart defaults', () => {
    const images = objects
      .flatMap((o) =>
        [...(o.spec?.template?.spec?.initContainers ?? []), ...(o.spec?.template?.spec?.containers ?? [])].map((c: any) => c.image),
      )
      .sort();
    expect(images).toEqual([
      'cgr.dev/chainguard/bash:latest@sha256:bcaf350e298d474d12901adf9a1e78d8cf470d4434a82e0c718d514fc2032fa7',
      'cgr.dev/chainguard/bash:latest@sha256:bcaf350e298d474d12901adf9a1e78d8cf470d4434a82e0c718d514fc2032fa7',
      'ghcr.io/spiffe/spiffe-csi-driver:0.2.3',
      'ghcr.io/spiffe/spire-agent:1.11.2',
      'ghcr.io/spiffe/spire-controller-manager:0.6.0',
      'ghcr.io/spiffe/spire-server:1.11.2',
      'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.9.4',
    ]);
  });

  test('webhook: both rules, failurePolicy Ignore by default, no caBundle', () => {
    const webhook = find(objects, 'ValidatingWebhookConfiguration', 'spire-server-spire-controller-manager-webhook');
    expect(webhook.webhooks.map((w: any) => [w.name, w.failurePolicy, w.clientConfig.service.path, w.rules[0].resources[0]])).toEqual([
      [
        'vclusterfederatedtrustdomain.kb.io',
        'Ignore',
        '/validate-spire-spiffe-io-v1alpha1-clusterfederatedtrustdomain',
        'clusterfederatedtrustdomains',
      ],
      ['vclusterspiffeid.kb.io', 'Ignore', '/validate-spire-spiffe-io-v1alpha1-clusterspiffeid', 'clusterspiffeids'],
    ]);
    expect(JSON.stringify(webhook)).not.toContain('caBundle');
  });
});

describe('Spire component: props', () => {
  test('images are overridable', () => {
    const objects = spireObjects(
      spireMesh({
        images: {
          server: 'mirror.example.com/spire-server:1.11.2',
          controllerManager: 'mirror.example.com/cm:0.6.0',
          agent: 'mirror.example.com/agent@sha256:' + 'a'.repeat(64),
          csiDriver: 'mirror.example.com/csi:0.2.3',
          nodeDriverRegistrar: 'mirror.example.com/registrar:v2.9.4',
          initBash: 'mirror.example.com/bash:5',
        },
      }),
    );
    const sts = find(objects, 'StatefulSet', 'spire-server').spec.template.spec;
    expect(sts.containers.map((c: any) => c.image)).toEqual(['mirror.example.com/spire-server:1.11.2', 'mirror.example.com/cm:0.6.0']);
    expect(sts.initContainers[0].image).toBe('mirror.example.com/bash:5');
    const agent = find(objects, 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(agent.containers[0].image).toBe(`mirror.example.com/agent@sha256:${'a'.repeat(64)}`);
    expect(agent.initContainers[0].image).toBe('mirror.example.com/bash:5');
    const csi = find(objects, 'DaemonSet', 'spire-spiffe-csi-driver').spec.template.spec;
    expect(csi.containers.map((c: any) => c.image)).toEqual(['mirror.example.com/csi:0.2.3', 'mirror.example.com/registrar:v2.9.4']);
  });

  test("the spec's SPIRE version moves server and agent images and labels", () => {
    const objects = spireObjects(spireMesh({}, { ...meshProps(), spire: { version: '1.11.3' } }));
    expect(find(objects, 'StatefulSet', 'spire-server').spec.template.spec.containers[0].image).toBe('ghcr.io/spiffe/spire-server:1.11.3');
    expect(find(objects, 'DaemonSet', 'spire-agent').metadata.labels['app.kubernetes.io/version']).toBe('1.11.3');
  });

  test('webhook failure policy FAIL', () => {
    const objects = spireObjects(spireMesh({ webhookFailurePolicy: WebhookFailurePolicy.FAIL }));
    expect(
      find(objects, 'ValidatingWebhookConfiguration', 'spire-server-spire-controller-manager-webhook').webhooks.map(
        (w: any) => w.failurePolicy,
      ),
    ).toEqual(['Fail', 'Fail']);
  });

  test('sidecar clusters get no delegate, no admin socket and no Istio ambient registrations, but the sidecar registration', () => {
    const props = meshProps({ dataplaneMode2: DataplaneMode.SIDECAR });
    const objects = spireObjects(spireMesh({}, props, 'cluster2'), 'cluster2');
    const { agent } = emittedConfigs(objects);
    expect(agent.agent.authorized_delegates).toBeUndefined();
    expect(agent.agent.admin_socket_path).toBeUndefined();
    const pod = find(objects, 'DaemonSet', 'spire-agent').spec.template.spec;
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('spire-agent-admin-socket-dir');
    expect(objects.filter((o) => o.kind === 'ClusterSPIFFEID').map((o) => o.metadata.name)).toEqual([
      'spire-server-spire-default',
      'istio-sidecar-reg',
    ]);
  });

  test('agent delegates must be SPIFFE IDs of the trust domain and need the admin socket', () => {
    const e = errorOf(() => spireMesh({ authorizedDelegates: ['spiffe://other.org/ns/istio-system/sa/ztunnel', 'ztunnel'] }));
    expect(e.message).toContain(
      "authorizedDelegates[0]: 'spiffe://other.org/ns/istio-system/sa/ztunnel' is not in the agent's trust domain 'cluster1'",
    );
    expect(e.message).toContain("authorizedDelegates[1]: 'ztunnel' is not a valid SPIFFE ID: it must start with 'spiffe://'");
  });

  test('one Spire per cluster', () => {
    const fixture = spireMesh();
    expect(errorOf(() => new Spire(fixture.mesh.clusterChart('cluster1'), 'Another')).message).toBe(
      "cluster 'cluster1' already has a Spire component at mesh/cluster1/Spire: create one Spire per MeshCluster",
    );
  });

  test('Spire declares its namespace', () => {
    const fixture = spireMesh();
    expect(fixture.mesh.clusterChart('cluster1').namespaces.names).toContain('spire-server');
  });

  test('the istio presets can be turned off and added elsewhere', () => {
    const fixture = spireMesh({ istioRegistrations: false, defaultRegistration: false });
    expect(fixture.spire.registrations).toEqual([]);
    ClusterSpiffeId.istioZtunnel(fixture.spire);
    expect(
      spireObjects(fixture)
        .filter((o) => o.kind === 'ClusterSPIFFEID')
        .map((o) => o.metadata.name),
    ).toEqual(['istio-ztunnel-reg']);
  });
});
