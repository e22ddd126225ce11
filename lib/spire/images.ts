/**
 * Container images of the SPIRE install. The tags come from the mesh model (`mesh.spire`,
 * defaulting to SPIRE_DEFAULTS in lib/versions.ts: the images that chart 0.24.2 pins); the
 * repositories are the chart's (`image` values of the subcharts of spiffe/helm-charts-hardened charts/spire, chart 0.24.2).
 */
import { SpireVersions } from '../spec';
import { spireFinding, throwIfFindings } from './validation';

export const SPIRE_IMAGE_REPOSITORIES = {
  server: 'ghcr.io/spiffe/spire-server',
  controllerManager: 'ghcr.io/spiffe/spire-controller-manager',
  agent: 'ghcr.io/spiffe/spire-agent',
  csiDriver: 'ghcr.io/spiffe/spiffe-csi-driver',
  nodeDriverRegistrar: 'registry.k8s.io/sig-storage/csi-node-driver-registrar',
} as const;

/**
 * The bash image of the init containers (server `chown`, agent `ensure-alternate-names`), pinned
 * by digest in chart 0.24.2 (pulled with `imagePullPolicy: Always` there).
 */
export const SPIRE_INIT_BASH_IMAGE =
  'cgr.dev/chainguard/bash:latest@sha256:bcaf350e298d474d12901adf9a1e78d8cf470d4434a82e0c718d514fc2032fa7';

/** Image overrides (e.g. a registry mirror). Each is a full reference `repo:tag` or `repo@digest`. */
export interface SpireImages {
  /**
   * spire-server.
   * @default 'ghcr.io/spiffe/spire-server:<mesh.spire.version>' (1.11.2)
   */
  readonly server?: string;
  /**
   * spire-controller-manager (sidecar of spire-server).
   * @default 'ghcr.io/spiffe/spire-controller-manager:<mesh.spire.controllerManagerVersion>' (0.6.0)
   */
  readonly controllerManager?: string;
  /**
   * spire-agent.
   * @default 'ghcr.io/spiffe/spire-agent:<mesh.spire.version>' (1.11.2)
   */
  readonly agent?: string;
  /**
   * spiffe-csi-driver.
   * @default 'ghcr.io/spiffe/spiffe-csi-driver:<mesh.spire.csiDriverVersion>' (0.2.3)
   */
  readonly csiDriver?: string;
  /**
   * CSI node-driver-registrar.
   * @default 'registry.k8s.io/sig-storage/csi-node-driver-registrar:<mesh.spire.nodeDriverRegistrarVersion>' (v2.9.4)
   */
  readonly nodeDriverRegistrar?: string;
  /**
   * bash image of the init containers.
   * @default SPIRE_INIT_BASH_IMAGE (the chart's digest-pinned cgr.dev/chainguard/bash)
   */
  readonly initBash?: string;
}

/** Every image resolved: overrides first, else the mesh's pinned versions. */
export function resolveSpireImages(versions: SpireVersions, overrides: SpireImages = {}): Required<SpireImages> {
  const resolved: Required<SpireImages> = {
    server: overrides.server ?? `${SPIRE_IMAGE_REPOSITORIES.server}:${versions.version}`,
    controllerManager: overrides.controllerManager ?? `${SPIRE_IMAGE_REPOSITORIES.controllerManager}:${versions.controllerManagerVersion}`,
    agent: overrides.agent ?? `${SPIRE_IMAGE_REPOSITORIES.agent}:${versions.version}`,
    csiDriver: overrides.csiDriver ?? `${SPIRE_IMAGE_REPOSITORIES.csiDriver}:${versions.csiDriverVersion}`,
    nodeDriverRegistrar:
      overrides.nodeDriverRegistrar ?? `${SPIRE_IMAGE_REPOSITORIES.nodeDriverRegistrar}:${versions.nodeDriverRegistrarVersion}`,
    initBash: overrides.initBash ?? SPIRE_INIT_BASH_IMAGE,
  };
  throwIfFindings(
    'SpireImages',
    Object.entries(resolved).map(([key, ref]) =>
      ref.trim() === '' || /\s/.test(ref)
        ? spireFinding(
            key,
            `image reference '${ref}' is empty or contains whitespace`,
            `give a full reference such as '${SPIRE_IMAGE_REPOSITORIES.server}:1.11.2'`,
          )
        : undefined,
    ),
  );
  return resolved;
}
