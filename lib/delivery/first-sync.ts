/**
 * Ordering that converges on the first sync of a new cluster (docs/first-sync.md): every object
 * whose CRD this output delivers (a chart release or manifest source of the cluster's delivery, or
 * a CustomResourceDefinition rendered into the directory) is applied only after that CRD.
 *
 * - argocd: each object whose kind Kubernetes does not serve itself gets
 *   `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true` (Argo CD's dry run refuses a kind whose CRD is
 *   not in the cluster yet and fails the whole sync, unless the CRD is part of the same sync:
 *   https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types), and
 *   an object whose CRD is delivered here gets a sync wave after the wave that delivers the CRD and after the
 *   natively rendered objects (wave 0: the SPIRE controller manager's admission webhook checks spire.spiffe.io objects).
 *   Argo CD's own kinds (argoproj.io) are left alone: Argo CD serves them.
 * - flux, helm-template, gloo-operator: such objects carry `spiremesh.dev/apply-stage: after-crds` and are written to
 *   `dist/<cluster>/_after-crds/` with a kustomization of their own (lib/gitops/layout.ts), applied by a second Flux
 *   Kustomization that `dependsOn` the first, or by a second `kubectl apply -k`.
 *
 * The annotations are set when the cluster's objects are rendered: cdk8s (`App.synth`, `Testing.synth`) and spiremesh's
 * collection run every construct validation before they serialize any object, and by then every component has added
 * its objects. Setting an annotation again gives the same result, so rendering twice is harmless.
 */
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { MeshCluster } from '../core/cluster';
import { DELIVERY_ORDER, IClusterDelivery } from '../core/delivery';
import { ChartDeliveryMode } from '../spec';
import { crdGroupsOfRelease, crdGroupsOfSource } from './crd-sources';
import { groupKind, isBuiltInKind } from './kind-scopes';
import {
  AFTER_CRDS_STAGE,
  APPLY_STAGE_ANNOTATION,
  ARGO_API_GROUP,
  ARGO_DEFAULT_SYNC_WAVE,
  ARGO_SKIP_DRY_RUN_OPTION,
  ARGO_SYNC_OPTIONS_ANNOTATION,
  ARGO_SYNC_WAVE_ANNOTATION,
} from './names';

/** Where the CRD of a kind comes from, and the Argo CD wave that delivers it. */
export interface CrdOrigin {
  /** What delivers the CRD, e.g. "release 'spire-crds'" or "CustomResourceDefinition gateways.gateway.networking.k8s.io". */
  readonly deliveredBy: string;
  /** The wave (apply order) of what delivers it. */
  readonly wave: number;
}

/** The waves of the natively rendered objects: SPIRE's, the namespaces, the CA plumbing (no annotation: Argo CD wave 0). */
const NATIVE_WAVE = Math.max(ARGO_DEFAULT_SYNC_WAVE, DELIVERY_ORDER.spire);

function annotations(o: ApiObject): Record<string, string> {
  return o.metadata.toJson().annotations ?? {};
}

function waveOf(o: ApiObject, annotationsOfO: Record<string, string> = annotations(o)): number {
  const w = Number(annotationsOfO[ARGO_SYNC_WAVE_ANNOTATION] ?? ARGO_DEFAULT_SYNC_WAVE);
  return Number.isInteger(w) ? w : ARGO_DEFAULT_SYNC_WAVE;
}

/**
 * The CRD origins of one cluster, keyed `<group>/<kind>` for rendered CRDs and `<group>/` for whole groups that a release or
 * manifest source installs.
 */
export function crdOrigins(delivery: IClusterDelivery, objects: readonly ApiObject[]): Map<string, CrdOrigin[]> {
  const origins = new Map<string, CrdOrigin[]>();
  const add = (key: string, origin: CrdOrigin) => origins.set(key, [...(origins.get(key) ?? []), origin]);
  for (const r of delivery.releases) {
    for (const g of crdGroupsOfRelease(r)) add(`${g}/`, { deliveredBy: `release '${r.id}' (chart ${r.chart})`, wave: r.order });
  }
  for (const s of delivery.manifestSources) {
    for (const g of crdGroupsOfSource(s)) add(`${g}/`, { deliveredBy: `manifest source '${s.id}' (${s.gitUrl} ${s.path})`, wave: s.order });
  }
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition') continue;
    const spec = o.toJson().spec ?? {};
    if (spec.group && spec.names?.kind) {
      add(`${spec.group}/${spec.names.kind}`, { deliveredBy: `CustomResourceDefinition ${o.name}`, wave: waveOf(o) });
    }
  }
  return origins;
}

/** The origins of the CRD of `apiVersion` `kind`: its rendered CRD, or the releases and sources that install its group. */
export function crdOriginsOf(origins: ReadonlyMap<string, readonly CrdOrigin[]>, apiVersion: string, kind: string): readonly CrdOrigin[] {
  const gk = groupKind(apiVersion, kind);
  const group = gk.slice(0, gk.lastIndexOf('/'));
  return [...(origins.get(gk) ?? []), ...(origins.get(`${group}/`) ?? [])];
}

/** The first Argo CD wave in which an object whose CRD comes from `origins` can be applied. */
export function waveAfter(origins: readonly CrdOrigin[]): number {
  return Math.max(NATIVE_WAVE, ...origins.map((o) => o.wave)) + 1;
}

/** The Argo CD waves objects had before this ordering raised them (so that rendering twice gives the same waves). */
const declaredWaves = new WeakMap<ApiObject, number>();

/** Orders the objects of `delivery`'s cluster for the first sync of the mesh's delivery mode (see the module comment). */
export function orderForFirstSync(delivery: IClusterDelivery & IConstruct): void {
  const objects = MeshCluster.enclosing(delivery).node.findAll().filter(ApiObject.isApiObject);
  const origins = crdOrigins(delivery, objects);
  const argo = delivery.mode === ChartDeliveryMode.ARGO_CD;
  for (const o of objects) {
    if (isBuiltInKind(o.apiVersion, o.kind)) continue;
    const from = crdOriginsOf(origins, o.apiVersion, o.kind);
    if (!argo) {
      if (from.length > 0) o.metadata.addAnnotation(APPLY_STAGE_ANNOTATION, AFTER_CRDS_STAGE);
      continue;
    }
    if (o.apiVersion.startsWith(`${ARGO_API_GROUP}/`)) continue;
    // Read once (cdk8s resolves the whole metadata to give them): the wave below is read before any is added.
    const declaredAnnotations = annotations(o);
    const options = (declaredAnnotations[ARGO_SYNC_OPTIONS_ANNOTATION] ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    if (!options.includes(ARGO_SKIP_DRY_RUN_OPTION)) {
      o.metadata.addAnnotation(ARGO_SYNC_OPTIONS_ANNOTATION, [...options, ARGO_SKIP_DRY_RUN_OPTION].join(','));
    }
    if (from.length === 0) continue;
    const declared = declaredWaves.get(o) ?? waveOf(o, declaredAnnotations);
    declaredWaves.set(o, declared);
    const wave = Math.max(declared, waveAfter(from));
    o.metadata.addAnnotation(ARGO_SYNC_WAVE_ANNOTATION, String(wave));
  }
}
