/**
 * Names and fixed values of the fleet bootstrap (`<out>/_fleet/`), each defined once.
 */
import { MeshModel } from '../../spec';

/**
 * The bootstrap's directory in the output folder. `_` is never part of a cluster name (a DNS-1123
 * label), so no cluster directory can take it, and the writer never mistakes it for one.
 */
export const FLEET_DIRECTORY = '_fleet';

/**
 * Folder of the `argocd-cm` patch inside `_fleet/`: not a resource of any kustomization (the
 * ConfigMap belongs to the Argo CD install), and not a cluster name either (`_`).
 */
export const ARGOCD_CM_PATCH_FOLDER = '_argocd-cm';

/** Argo CD's settings ConfigMap (https://argo-cd.readthedocs.io/en/stable/operator-manual/argocd-cm-yaml/). */
export const ARGOCD_CM_NAME = 'argocd-cm';

/**
 * The labels Argo CD's install manifests put on `argocd-cm`, repeated by the documented health
 * check patch (https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app).
 */
export const ARGOCD_CM_LABELS = { 'app.kubernetes.io/name': ARGOCD_CM_NAME, 'app.kubernetes.io/part-of': 'argocd' } as const;

/**
 * The `argocd-cm` key that restores the health assessment of `argoproj.io/Application`, removed
 * in Argo CD 1.8 (argoproj/argo-cd#3781): without it a parent Application does not wait for a child
 * Application to be healthy, and sync waves between Applications order but never wait.
 */
export const ARGOCD_APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The Lua health check of https://argo-cd.readthedocs.io/en/stable/operator-manual/health/#argocd-app (release 3.5 docs), as published. */
export const ARGOCD_APPLICATION_HEALTH_LUA = [
  'hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil then',
  '  if obj.status.health ~= nil then',
  '    hs.status = obj.status.health.status',
  '    if obj.status.health.message ~= nil then',
  '      hs.message = obj.status.health.message',
  '    end',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

/** Retries of a failed sync of a bootstrap Application: without end, 5 s doubling up to 3 min (values of Argo CD's reference application.yaml). */
export const ARGO_RETRY = { limit: -1, backoff: { duration: '5s', factor: 2, maxDuration: '3m' } } as const;

/** Name of the bootstrap objects of a mesh (the Argo CD Application, the Flux GitRepository and Kustomization). */
export function bootstrapName(mesh: MeshModel): string {
  return `spiremesh-${mesh.name}`;
}

/**
 * Reconcile intervals of the Flux objects: what `flux bootstrap` writes into gotk-sync.yaml
 * (GitRepository `interval: 1m0s`, Kustomization `interval: 10m0s`; fluxcd/flux2 pkg/manifestgen/sync).
 */
export const FLUX_SOURCE_INTERVAL = '1m0s';
export const FLUX_KUSTOMIZATION_INTERVAL = '10m0s';
/** How long a Kustomization waits for its objects to become ready before it reports a failure. */
export const FLUX_KUSTOMIZATION_TIMEOUT = '10m0s';
/** How soon a failed Kustomization is retried (instead of the full interval). */
export const FLUX_KUSTOMIZATION_RETRY_INTERVAL = '1m0s';
