/**
 * spire-server with spire-controller-manager as a sidecar, as chart 0.24.2 renders them for
 * `helm upgrade -i spire spire/spire -n spire-server`, the install of https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/
 * (spiffe/helm-charts-hardened charts/spire/charts/spire-server/templates/{server-resource,service,roles,bundle-configmap}.yaml).
 */
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { GatewayServiceType } from '../spec';
import { LogLevel, WebhookFailurePolicy } from './choices';
import { ControllerManagerConfig, SpireServerConfig, configChecksum, renderSpireConfig } from './config';
import { SpireControllerManager } from './controller-manager';
import { SpireImages, resolveSpireImages } from './images';
import {
  CERT_MANAGER_API_GROUP,
  SPIRE_CLASS_NAME,
  SPIRE_CONFIG_KEYS,
  SPIRE_LABELS,
  SPIRE_NAMES,
  SPIRE_PATHS,
  SPIRE_PORTS,
  SPIRE_RELEASE,
  SPIRE_SERVER_ADDRESS,
  SPIRE_SERVER_SOCKET_VOLUME,
  spireCommonLabels,
  spireSelectorLabels,
} from './names';
import { nodeSelectorOf, resourcesOf, tolerationsOf } from './pod-settings';
import { clusterRoleWithBinding, roleWithBinding, serviceAccountSubject } from './rbac';
import { SpireCaSubject, spireServerConfig } from './server-config';
import { UpstreamAuthority } from './upstream-authority';
import { clusterIdentityProblems, throwIfFindings } from './validation';

export interface SpireServerProps {
  /**
   * SPIFFE trust domain of the server.
   * @default - the trust domain of the enclosing MeshCluster
   */
  readonly trustDomain?: string;
  /**
   * Cluster name of the k8s_psat node attestor and of the controller manager.
   * @default - the name of the enclosing MeshCluster
   */
  readonly clusterName?: string;
  /**
   * Where SPIRE's signing CA comes from.
   * @default UpstreamAuthority.forMesh(mesh): certManager with the spec's issuer when
   * `pki.delivery.mode` is cert-manager, otherwise disk
   */
  readonly upstreamAuthority?: UpstreamAuthority;
  /**
   * Failure policy of the controller manager's validating webhooks.
   * @default WebhookFailurePolicy.IGNORE (see its documentation for the trade-off)
   */
  readonly webhookFailurePolicy?: WebhookFailurePolicy;
  /**
   * Image overrides (`server`, `controllerManager`, `initBash` are used here).
   * @default - the mesh's pinned images
   */
  readonly images?: SpireImages;
  /**
   * spire-server `log_level`.
   * @default LogLevel.INFO
   */
  readonly logLevel?: LogLevel;
  /**
   * Subject of SPIRE's CA certificates.
   * @default CHART_CA_SUBJECT (the chart's default)
   */
  readonly caSubject?: SpireCaSubject;
  /**
   * Serve the SPIFFE bundle endpoint (port 8443, `https_spiffe`) to the servers of other trust domains, with
   * `refresh_hint` = the mesh's `federation.bundleRefreshHint`, behind the Service `spire-server-federation` of
   * type `federation.bundleEndpointServiceType`.
   * @default - true when another trust domain of the mesh federates with this one (`mesh.isFederatedWith`)
   */
  readonly bundleEndpoint?: boolean;
}

/**
 * spire-server (StatefulSet `spire-server`, one replica, sqlite on a 1Gi PVC) with the
 * controller manager (SpireControllerManager) as a sidecar, the server's Service, ConfigMap, the
 * empty `spire-bundle` ConfigMap and the server's RBAC.
 */
export class SpireServer extends Construct {
  /** The StatefulSet. */
  public readonly resource: k8s.KubeStatefulSet;
  public readonly trustDomain: string;
  public readonly clusterName: string;
  /** `server.conf` as an object and as the rendered text. */
  public readonly config: SpireServerConfig;
  public readonly configText: string;
  /** The controller manager sidecar, with its config, RBAC and webhook. */
  public readonly controllerManager: SpireControllerManager;
  /** `controller-manager-config.yaml` as an object and as the rendered text. */
  public readonly controllerManagerConfig: ControllerManagerConfig;
  public readonly controllerManagerConfigText: string;
  /** The controller manager's class: ClusterSPIFFEIDs etc. must carry it in `spec.className`. */
  public readonly className: string = SPIRE_CLASS_NAME;
  public readonly upstreamAuthority: UpstreamAuthority;
  public readonly webhookFailurePolicy: WebhookFailurePolicy;
  /** `<service>.<namespace>`: the address agents connect to. */
  public readonly address: string = SPIRE_SERVER_ADDRESS;
  /** Whether the server serves its bundle endpoint. */
  public readonly bundleEndpoint: boolean;
  /** The Service that exposes the bundle endpoint outside the cluster, when there is one. */
  public readonly federationService?: k8s.KubeService;

  public constructor(scope: Construct, id: string, props: SpireServerProps = {}) {
    super(scope, id);
    const { mesh, cluster } = MeshCluster.enclosing(this);
    const settings = cluster.overrides.spire?.server;
    // The chart's `global.spire.clusterName` defaults to 'example-cluster' (charts/spire/values.yaml, chart 0.24.2),
    // and the install above never sets it: every cluster of a multi-cluster mesh would then attest as
    // 'example-cluster', entry IDs would share one prefix, and agent IDs would not name their cluster. spiremesh
    // uses the cluster's own name (k8s_psat on server and agent, controller manager `clusterName` and
    // `entryIDPrefix`, and through `{{ .ClusterName }}` the parent ID template).
    this.clusterName = props.clusterName ?? cluster.name;
    this.trustDomain = props.trustDomain ?? cluster.trustDomain;
    throwIfFindings(`SpireServer '${this.node.path}'`, clusterIdentityProblems(this.trustDomain, this.clusterName));
    this.upstreamAuthority = props.upstreamAuthority ?? UpstreamAuthority.forMesh(mesh);
    const images = resolveSpireImages(mesh.spire, props.images);
    const ns = SPIRE_NAMES.namespace;
    const labels = spireCommonLabels('server', mesh.spire.version);
    const selector = spireSelectorLabels('server');
    const serviceAccount = serviceAccountSubject(SPIRE_NAMES.server, ns);
    this.bundleEndpoint = props.bundleEndpoint ?? mesh.isFederatedWith(this.trustDomain);

    this.config = spireServerConfig({
      trustDomain: this.trustDomain,
      clusterName: this.clusterName,
      upstreamAuthority: this.upstreamAuthority,
      logLevel: props.logLevel,
      caSubject: props.caSubject,
      caTtl: mesh.spire.caTtl,
      bundleEndpoint: this.bundleEndpoint ? { refreshHint: mesh.federation?.bundleRefreshHint } : undefined,
    });
    this.configText = renderSpireConfig(this.config);
    this.controllerManager = new SpireControllerManager(this, 'ControllerManager', {
      trustDomain: this.trustDomain,
      clusterName: this.clusterName,
      webhookFailurePolicy: props.webhookFailurePolicy,
      images: props.images,
      serviceAccountName: SPIRE_NAMES.server,
    });
    this.controllerManagerConfig = this.controllerManager.config;
    this.controllerManagerConfigText = this.controllerManager.configText;
    this.webhookFailurePolicy = this.controllerManager.webhookFailurePolicy;

    // --- account, config maps, RBAC -------------------------------------------------------------
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: SPIRE_NAMES.server, namespace: ns, labels } });
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns },
      data: { [SPIRE_CONFIG_KEYS.server]: this.configText },
    });
    // Rendered without data: SPIRE's k8sbundle notifier patches the trust bundle into it.
    new k8s.KubeConfigMap(this, 'Bundle', { metadata: { name: SPIRE_NAMES.bundleConfigMap, namespace: ns } });

    roleWithBinding(this, 'Bundle', {
      name: SPIRE_NAMES.bundleConfigMap,
      namespace: ns,
      rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [SPIRE_NAMES.bundleConfigMap], verbs: ['get', 'patch'] }],
      subject: serviceAccount,
    });
    clusterRoleWithBinding(this, 'NodeAttestor', {
      name: SPIRE_NAMES.serverClusterRole,
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['get', 'watch', 'list', 'create'] },
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list'] },
      ],
      subject: serviceAccount,
    });
    const upstream = this.upstreamAuthority.model;
    if (upstream.kind === 'cert-manager') {
      // The chart puts this Role into the server's namespace even when the plugin's `namespace`
      // is another one; the plugin creates (and cleans up) its CertificateRequests in the plugin's
      // namespace, so that is where the permission is needed.
      roleWithBinding(this, 'CertManager', {
        name: SPIRE_NAMES.serverCertManagerRole,
        namespace: upstream.namespace,
        rules: [
          {
            apiGroups: [CERT_MANAGER_API_GROUP],
            resources: ['certificaterequests', 'issuers'],
            verbs: ['list', 'get', 'create', 'delete', 'patch', 'update'],
          },
        ],
        subject: serviceAccount,
      });
    }

    const federationPort: k8s.ServicePort = {
      name: SPIRE_NAMES.federationPort,
      port: SPIRE_PORTS.bundleEndpoint,
      targetPort: k8s.IntOrString.fromString(SPIRE_NAMES.federationPort),
      protocol: 'TCP',
    };
    new k8s.KubeService(this, 'Service', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns, labels },
      spec: {
        type: 'ClusterIP',
        ports: [
          { name: 'grpc', port: SPIRE_PORTS.serverService, targetPort: k8s.IntOrString.fromString('grpc'), protocol: 'TCP' },
          // The chart adds the bundle endpoint to this Service when federation is on (charts/spire-server/templates/service.yaml).
          ...(this.bundleEndpoint ? [federationPort] : []),
        ],
        selector,
      },
    });
    if (this.bundleEndpoint) {
      // The chart exposes the bundle endpoint outside the cluster with its federation Ingress (TLS passthrough) or by
      // making the whole spire-server Service a LoadBalancer (`service.type`, as istio/istio
      // samples/security/spire-trust-domain-federation/spire-base.yaml does), which would also expose the server API
      // that agents attest against. spiremesh exposes the bundle endpoint alone, with the type the spec chooses; the
      // name is the one the chart gives its federation Ingress.
      this.federationService = new k8s.KubeService(this, 'FederationService', {
        metadata: { name: SPIRE_NAMES.federationService, namespace: ns, labels },
        spec: {
          type: (mesh.federation?.bundleEndpointServiceType ?? GatewayServiceType.LOAD_BALANCER).value,
          ports: [federationPort],
          selector,
        },
      });
    }

    // --- the StatefulSet --------------------------------------------------------------------------
    const component = { [SPIRE_LABELS.component]: 'server' };
    const upstreamVolumes = this.upstreamAuthority.serverVolumes();
    const sidecar = this.controllerManager;
    const healthz = k8s.IntOrString.fromString('healthz');
    this.resource = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: SPIRE_NAMES.server, namespace: ns, labels: { ...labels, ...component } },
      spec: {
        replicas: 1,
        serviceName: SPIRE_NAMES.server,
        selector: { matchLabels: { ...selector, ...component } },
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/default-container': 'spire-server',
              // sha256 of the rendered configs, so that the pod rolls when a config changes.
              'checksum/config': configChecksum(this.configText),
              'checksum/config3': configChecksum(sidecar.configText),
            },
            labels: {
              ...selector,
              ...component,
              // Labels the chart's own ClusterSPIFFEIDs (child-servers type) select on.
              component: 'server',
              release: SPIRE_RELEASE,
              'release-namespace': ns,
            },
          },
          spec: {
            serviceAccountName: SPIRE_NAMES.server,
            // The controller manager reaches the server's API socket through the shared emptyDir;
            // the shared process namespace is the chart's.
            shareProcessNamespace: true,
            securityContext: { runAsUser: 1000, runAsGroup: 1000 },
            // The cluster's placement (clusters[].overrides.spire.server); the chart sets none.
            ...nodeSelectorOf(settings),
            ...(settings?.tolerations ? { tolerations: tolerationsOf(settings, []) } : {}),
            initContainers: [
              {
                // The PVC is created root-owned; the server runs as 1000:1000.
                name: 'chown',
                image: images.initBash,
                imagePullPolicy: 'Always',
                command: ['bash', '-c'],
                args: ['chown -R 1000:1000 /var/lib/spire'],
                volumeMounts: [{ name: 'spire-data', mountPath: '/var/lib/spire' }],
                securityContext: { runAsUser: 0, runAsGroup: 0 },
              },
            ],
            containers: [
              {
                name: 'spire-server',
                ...resourcesOf(settings),
                image: images.server,
                imagePullPolicy: 'IfNotPresent',
                args: ['-expandEnv', '-config', `${SPIRE_PATHS.serverConfigDir}/${SPIRE_CONFIG_KEYS.server}`],
                env: [{ name: 'PATH', value: '/opt/spire/bin:/bin' }],
                ports: [
                  { name: 'grpc', containerPort: SPIRE_PORTS.serverGrpc, protocol: 'TCP' },
                  { name: 'healthz', containerPort: SPIRE_PORTS.serverHealth },
                  ...(this.bundleEndpoint
                    ? [{ name: SPIRE_NAMES.federationPort, containerPort: SPIRE_PORTS.bundleEndpoint, protocol: 'TCP' }]
                    : []),
                ],
                livenessProbe: {
                  httpGet: { path: SPIRE_PATHS.healthLivePath, port: healthz },
                  failureThreshold: 2,
                  initialDelaySeconds: 15,
                  periodSeconds: 60,
                  timeoutSeconds: 3,
                },
                readinessProbe: { httpGet: { path: SPIRE_PATHS.healthReadyPath, port: healthz }, initialDelaySeconds: 5, periodSeconds: 5 },
                volumeMounts: [
                  { name: SPIRE_SERVER_SOCKET_VOLUME, mountPath: SPIRE_PATHS.serverSocketDir, readOnly: false },
                  { name: 'spire-config', mountPath: SPIRE_PATHS.serverConfigDir, readOnly: true },
                  { name: 'spire-data', mountPath: SPIRE_PATHS.serverDataDir, readOnly: false },
                  ...upstreamVolumes.map((v) => v.mount),
                  { name: 'server-tmp', mountPath: '/tmp', readOnly: false },
                ],
              },
              sidecar.container,
            ],
            // In the order of the chart's server-resource.yaml.
            volumes: [
              { name: 'server-tmp', emptyDir: {} },
              { name: 'spire-config', configMap: { name: SPIRE_NAMES.server } },
              { name: SPIRE_SERVER_SOCKET_VOLUME, emptyDir: {} },
              sidecar.volumes.tmp,
              ...upstreamVolumes.map((v) => v.volume),
              sidecar.volumes.config,
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'spire-data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
          },
        ],
      },
    });
  }
}
