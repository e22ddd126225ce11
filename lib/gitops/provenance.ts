/** Provenance recorded in each cluster's index: tool, input digest and pinned versions. */
import { createHash } from 'crypto';
import { ClusterModel, MeshModel, canonicalJson } from '../spec';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const TOOL_VERSION: string = require('../../package.json').version;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CDK8S_VERSION: string = require('cdk8s/package.json').version;

/**
 * Digests of the texts hashed lately: a synth hashes each file for its index and again for the
 * write journal, and a fleet repeats one text in many clusters (the same string, so the lookup
 * compares by reference). Bounded by the characters held, then started again.
 */
const recentDigests = new Map<string, string>();
let recentDigestChars = 0;
const RECENT_DIGEST_MAX_CHARS = 64 * 1024 * 1024;

/** sha256 of the UTF-8 bytes of `text`, hex. */
export function sha256(text: string): string {
  const known = recentDigests.get(text);
  if (known !== undefined) return known;
  const digest = createHash('sha256').update(text).digest('hex');
  if (recentDigestChars + text.length > RECENT_DIGEST_MAX_CHARS) {
    recentDigests.clear();
    recentDigestChars = 0;
  }
  recentDigests.set(text, digest);
  recentDigestChars += text.length;
  return digest;
}

/** Spec digests by document (a MeshModel's document is its validated, read-only input). */
const specDigests = new WeakMap<object, string>();

/** Digest of the validated spec document: equal for the same mesh declared in TypeScript or YAML. */
export function specDigest(mesh: MeshModel): string {
  const known = specDigests.get(mesh.document);
  if (known !== undefined) return known;
  const digest = `sha256:${sha256(canonicalJson(mesh.document))}`;
  specDigests.set(mesh.document, digest);
  return digest;
}

export function generatorInfo(): { name: string; version: string; cdk8s: string } {
  return { name: 'spiremesh', version: TOOL_VERSION, cdk8s: CDK8S_VERSION };
}

/** Every pinned chart and image version that applies to a cluster. */
export function pinnedVersions(mesh: MeshModel, cluster: ClusterModel) {
  const istio = cluster.istio;
  return {
    istio: {
      distribution: istio.distribution.value,
      version: istio.version,
      // The Gloo Operator pulls Istio's charts and images itself for the ServiceMeshController's version.
      ...(istio.pulledByOperator
        ? { installedBy: 'gloo-operator' }
        : { chartVersion: istio.chartVersion, helmRepository: istio.helmRepository, hub: istio.hub, tag: istio.tag }),
      ...(cluster.istioRevision ? { revision: cluster.istioRevision } : {}),
    },
    gatewayApi: istio.gatewayApiVersion,
    spire: {
      chartRepository: mesh.spire.chartRepository,
      chartVersion: mesh.spire.chartVersion,
      crdsChartVersion: mesh.spire.crdsChartVersion,
      version: mesh.spire.version,
      controllerManagerVersion: mesh.spire.controllerManagerVersion,
      csiDriverVersion: mesh.spire.csiDriverVersion,
      nodeDriverRegistrarVersion: mesh.spire.nodeDriverRegistrarVersion,
    },
  };
}
