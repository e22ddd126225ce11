/**
 * The parts of SpireServer on their own: server.conf and the controller manager config as pure functions, the typed
 * UpstreamAuthority, the controller manager sidecar.
 */
import { ApiObject } from 'cdk8s';
import { CaDelivery, IssuerKind } from '../../lib';
import {
  CHART_CA_SUBJECT,
  LogLevel,
  PARENT_ID_TEMPLATE,
  SPIRE_CLASS_NAME,
  SpireConfigError,
  UpstreamAuthority,
  spireControllerManagerConfig,
  spireServerConfig,
} from '../../lib/spire';
import { renderSpireConfig } from '../../lib/spire/config';
import { errorOf } from '../helpers';
import { emittedConfigs, find, meshProps, spireMesh, spireObjects } from './helpers';

describe('spireServerConfig', () => {
  const base = { trustDomain: 'east.example.org', clusterName: 'east', upstreamAuthority: UpstreamAuthority.disk() };

  test('the chart defaults, the cluster name in k8s_psat and the disk plugin', () => {
    const config = spireServerConfig(base);
    expect(config.server).toMatchObject({
      bind_port: '8081',
      trust_domain: 'east.example.org',
      data_dir: '/run/spire/data',
      log_level: 'info',
      jwt_issuer: 'https://oidc-discovery.east.example.org',
      ca_key_type: 'rsa-2048',
      ca_ttl: '24h',
      ca_subject: [{ country: ['ARPA'], organization: ['Example'], common_name: 'example.org' }],
    });
    expect(Object.keys(config.plugins.NodeAttestor.k8s_psat.plugin_data.clusters[0])).toEqual(['east']);
    expect(config.plugins.UpstreamAuthority).toEqual(UpstreamAuthority.disk().renderPlugin());
    expect(config.health_checks).toEqual({
      listener_enabled: true,
      bind_address: '0.0.0.0',
      bind_port: '8080',
      live_path: '/live',
      ready_path: '/ready',
    });
  });

  test('log level and CA subject are inputs; CHART_CA_SUBJECT is the default', () => {
    const config = spireServerConfig({
      ...base,
      logLevel: LogLevel.DEBUG,
      caSubject: { country: 'DE', organization: 'Mesh', commonName: 'mesh.example' },
    });
    expect(config.server.log_level).toBe('debug');
    expect(config.server.ca_subject).toEqual([{ country: ['DE'], organization: ['Mesh'], common_name: 'mesh.example' }]);
    expect(spireServerConfig(base).server.ca_subject[0].common_name).toBe(CHART_CA_SUBJECT.commonName);
  });

  test('SpireServer emits exactly the rendered function result', () => {
    const { serverText } = emittedConfigs(spireObjects(spireMesh({}, meshProps({ trustDomain1: 'east.example.org' }))));
    expect(serverText).toBe(renderSpireConfig(spireServerConfig({ ...base, clusterName: 'cluster1' })));
  });
});

describe('spireControllerManagerConfig', () => {
  test('cluster name as entry ID prefix, the class, the chart lease name and parent ID template', () => {
    const config = spireControllerManagerConfig({ trustDomain: 'east.example.org', clusterName: 'east', labels: { a: 'b' } });
    expect(config).toMatchObject({
      metadata: { name: 'spire-controller-manager', namespace: 'spire-server', labels: { a: 'b' } },
      leaderElection: { leaderElect: true, resourceName: '6f304bd2.spiffe.io', resourceNamespace: 'spire-server' },
      entryIDPrefix: 'east',
      clusterName: 'east',
      trustDomain: 'east.example.org',
      className: SPIRE_CLASS_NAME,
      watchClassless: false,
      parentIDTemplate: PARENT_ID_TEMPLATE,
    });
  });
});

describe('UpstreamAuthority: one typed model per plugin', () => {
  test('disk and certManager resolve their defaults', () => {
    expect(UpstreamAuthority.disk().model).toEqual({ kind: 'disk', secretName: 'spiffe-upstream-ca', intermediate: true });
    expect(UpstreamAuthority.certManager({ issuerName: 'mesh-ca' }).model).toEqual({
      kind: 'cert-manager',
      issuerName: 'mesh-ca',
      issuerKind: IssuerKind.CLUSTER_ISSUER,
      issuerGroup: 'cert-manager.io',
      namespace: 'spire-server',
    });
    expect(UpstreamAuthority.disk().pluginName).toBe('disk');
    expect(UpstreamAuthority.disk().certManagerNamespace).toBeUndefined();
    expect(UpstreamAuthority.certManager({ issuerName: 'mesh-ca', namespace: 'issuers' }).certManagerNamespace).toBe('issuers');
  });

  test('forMesh follows pki.delivery', () => {
    const certManager = spireMesh({}, meshProps({ pki: { delivery: CaDelivery.certManager({ issuerName: 'mesh-root' }) } }));
    expect(UpstreamAuthority.forMesh(certManager.mesh.model).model).toMatchObject({ kind: 'cert-manager', issuerName: 'mesh-root' });
    expect(UpstreamAuthority.forMesh(spireMesh().mesh.model).model.kind).toBe('disk');
  });

  test('the CertificateRequest namespace must be a namespace name (DNS-1123 label)', () => {
    const e = errorOf(() => UpstreamAuthority.certManager({ issuerName: 'mesh-ca', namespace: 'cert.issuers' })) as SpireConfigError;
    expect(e).toBeInstanceOf(SpireConfigError);
    expect(e.message).toBe(
      [
        'UpstreamAuthority.certManager is invalid:',
        "  error [spire] namespace: 'cert.issuers' is not a valid Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters)",
        "      fix: use a name such as 'cert-issuers'",
      ].join('\n'),
    );
  });
});

describe('SpireControllerManager: the sidecar and what it owns', () => {
  const fixture = spireMesh();
  const cm = fixture.spire.server.controllerManager;
  const objects = spireObjects(fixture);
  const pod = find(objects, 'StatefulSet', 'spire-server').spec.template.spec;

  test('its container and volumes are in the server pod; it mounts the server socket volume read-only', () => {
    const sidecar = pod.containers.find((c: any) => c.name === cm.container.name);
    expect(sidecar.image).toBe(cm.container.image);
    const volumeNames = pod.volumes.map((v: any) => v.name);
    expect(volumeNames).toEqual(expect.arrayContaining([cm.volumes.config.name, cm.volumes.tmp.name]));
    for (const mount of sidecar.volumeMounts) expect(volumeNames).toContain(mount.name);
    const socket = sidecar.volumeMounts.find((m: any) => m.mountPath === '/tmp/spire-server/private');
    expect(socket.readOnly).toBe(true);
    expect(pod.containers[0].volumeMounts.find((m: any) => m.name === socket.name).readOnly).toBe(false);
  });

  test('config, RBAC, webhook Service and webhook are its children', () => {
    const owned = cm.node
      .findAll()
      .filter((c): c is ApiObject => ApiObject.isApiObject(c))
      .map((o) => `${o.kind}/${o.name}`)
      .sort();
    expect(owned).toEqual([
      'ClusterRole/spire-server-spire-controller-manager',
      'ClusterRoleBinding/spire-server-spire-controller-manager',
      'ConfigMap/spire-controller-manager',
      'Role/spire-controller-manager-leader-election',
      'RoleBinding/spire-controller-manager-leader-election',
      'Service/spire-controller-manager-webhook',
      'ValidatingWebhookConfiguration/spire-server-spire-controller-manager-webhook',
    ]);
    expect(fixture.spire.server.controllerManagerConfigText).toBe(cm.configText);
    expect(find(objects, 'ConfigMap', 'spire-controller-manager').data['controller-manager-config.yaml']).toBe(cm.configText);
  });
});
