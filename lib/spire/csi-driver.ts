/**
 * The SPIFFE CSI driver, which publishes the agent's Workload API socket folder into pods as an
 * ephemeral `csi.spiffe.io` volume, as chart 0.24.2 renders it
 * (spiffe/helm-charts-hardened charts/spire/charts/spiffe-csi-driver/templates/{daemonset,spiffe-csi-driver}.yaml).
 */
import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { SPIRE_NODE_TOLERATIONS } from './agent';
import { SpireImages, resolveSpireImages } from './images';
import { SPIRE_NAMES, SPIRE_PATHS, SPIRE_PORTS, spireCommonLabels, spireSelectorLabels } from './names';

export interface SpiffeCsiDriverProps {
  /**
   * Pod tolerations.
   * @default SPIRE_NODE_TOLERATIONS
   */
  readonly tolerations?: readonly k8s.Toleration[];
  /**
   * Image overrides (`csiDriver` and `nodeDriverRegistrar` are used here).
   * @default - the mesh's pinned images
   */
  readonly images?: SpireImages;
}

/** The spiffe-csi-driver DaemonSet (with node-driver-registrar), its ServiceAccount and the CSIDriver. */
export class SpiffeCsiDriver extends Construct {
  /** The DaemonSet. */
  public readonly resource: k8s.KubeDaemonSet;
  /** The CSI driver name pods use in `csi.driver`. */
  public readonly driverName: string = SPIRE_NAMES.csiPluginName;

  public constructor(scope: Construct, id: string, props: SpiffeCsiDriverProps = {}) {
    super(scope, id);
    const { mesh } = MeshCluster.enclosing(this);
    const images = resolveSpireImages(mesh.spire, props.images);
    const ns = SPIRE_NAMES.namespace;
    const labels = spireCommonLabels('spiffe-csi-driver', mesh.spire.csiDriverVersion);
    const selector = spireSelectorLabels('spiffe-csi-driver');
    const plugin = SPIRE_NAMES.csiPluginName;
    const kubelet = SPIRE_PATHS.kubeletDir;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: SPIRE_NAMES.csiDriver, namespace: ns, labels } });

    this.resource = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: { name: SPIRE_NAMES.csiDriver, namespace: ns, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels: selector },
          spec: {
            serviceAccountName: SPIRE_NAMES.csiDriver,
            tolerations: [...(props.tolerations ?? SPIRE_NODE_TOLERATIONS)],
            containers: [
              {
                name: 'spiffe-csi-driver',
                image: images.csiDriver,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '-workload-api-socket-dir',
                  '/spire-agent-socket',
                  '-plugin-name',
                  plugin,
                  '-csi-socket-path',
                  '/spiffe-csi/csi.sock',
                ],
                // The driver uses the node name as its node ID.
                env: [{ name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                volumeMounts: [
                  { name: 'spire-agent-socket-dir', mountPath: '/spire-agent-socket', readOnly: true },
                  { name: 'spiffe-csi-socket-dir', mountPath: '/spiffe-csi' },
                  // Bidirectional: the mounts the driver makes for pods must reach the kubelet.
                  { name: 'mountpoint-dir', mountPath: `${kubelet}/pods`, mountPropagation: 'Bidirectional' },
                ],
                securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ['all'] }, privileged: true },
              },
              {
                name: 'node-driver-registrar',
                image: images.nodeDriverRegistrar,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '-csi-address',
                  '/spiffe-csi/csi.sock',
                  '-kubelet-registration-path',
                  `${kubelet}/plugins/${plugin}/csi.sock`,
                  '-health-port',
                  String(SPIRE_PORTS.csiRegistrarHealth),
                ],
                volumeMounts: [
                  { name: 'spiffe-csi-socket-dir', mountPath: '/spiffe-csi' },
                  { name: 'kubelet-plugin-registration-dir', mountPath: '/registration' },
                ],
                ports: [{ name: 'healthz', containerPort: SPIRE_PORTS.csiRegistrarHealth }],
                livenessProbe: {
                  httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('healthz') },
                  initialDelaySeconds: 5,
                  timeoutSeconds: 5,
                },
              },
            ],
            volumes: [
              // The agent's Workload API socket folder on the node (SpireAgent mounts the same folder).
              { name: 'spire-agent-socket-dir', hostPath: { path: SPIRE_PATHS.agentSocketHostDir, type: 'DirectoryOrCreate' } },
              { name: 'spiffe-csi-socket-dir', hostPath: { path: `${kubelet}/plugins/${plugin}`, type: 'DirectoryOrCreate' } },
              { name: 'mountpoint-dir', hostPath: { path: `${kubelet}/pods`, type: 'Directory' } },
              { name: 'kubelet-plugin-registration-dir', hostPath: { path: `${kubelet}/plugins_registry`, type: 'Directory' } },
            ],
          },
        },
      },
    });

    new k8s.KubeCsiDriver(this, 'CSIDriver', {
      metadata: { name: plugin },
      spec: {
        // Ephemeral inline volumes only: nothing to provision or attach.
        attachRequired: false,
        // The driver checks the pod info that an ephemeral mount was requested.
        podInfoOnMount: true,
        // The Workload API socket is world-accessible; no ownership change on mount.
        fsGroupPolicy: 'None',
        volumeLifecycleModes: ['Ephemeral'],
      },
    });
  }
}
