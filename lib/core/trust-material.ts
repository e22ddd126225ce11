/**
 * The public trust material of a mesh that some objects embed (the bootstrap bundle of a
 * `ClusterFederatedTrustDomain` holds the remote trust domain's root certificate). It is only
 * known once synthesis has read or generated the mesh PKI, which happens after the construct
 * tree is built: components read it lazily (`Lazy`) at render time, and synthesis sets it before
 * rendering, and again (then renders again) when a synth generates the PKI.
 */
import { MeshModel } from '../spec';

/** Public material only: a private key never passes through here. */
export interface MeshTrustMaterial {
  /** The mesh root certificate (PEM): the trust anchor of every trust domain of the mesh. */
  readonly rootCertificatePem: string;
}

const materialByMesh = new WeakMap<MeshModel, MeshTrustMaterial>();

/** Sets (or, with undefined, clears) the trust material of `mesh` for the renders that follow. */
export function setMeshTrustMaterial(mesh: MeshModel, material: MeshTrustMaterial | undefined): void {
  if (material) materialByMesh.set(mesh, material);
  else materialByMesh.delete(mesh);
}

/** The trust material of `mesh`, when synthesis knows it (undefined before the PKI exists, or when an outside issuer holds the root). */
export function meshTrustMaterial(mesh: MeshModel): MeshTrustMaterial | undefined {
  return materialByMesh.get(mesh);
}
