/**
 * Names and fixed values of the chart-delivery objects. Each is defined once here; the
 * delivery constructs and the tests import them.
 */

/** Folder (MeshComponent name) of the delivery objects in `dist/<cluster>/`. */
export const DELIVERY_COMPONENT_NAME = 'delivery';

/** Annotation listing the values that came through the untyped escape hatch (release.ts `extraValueKeys`). */
export const EXTRA_VALUES_ANNOTATION = 'spiremesh.dev/extra-values';

/** Argo CD: the annotation that orders resources inside one sync (the parent app applies Applications by wave). */
export const ARGO_SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';
/**
 * Argo CD: the wave of a resource without a sync-wave annotation ("the default wave is 0",
 * https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/).
 */
export const ARGO_DEFAULT_SYNC_WAVE = 0;
/** Argo CD: per-resource sync options, comma-separated (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/). */
export const ARGO_SYNC_OPTIONS_ANNOTATION = 'argocd.argoproj.io/sync-options';
/**
 * Argo CD: skip the dry run of a custom resource whose CRD is not in the cluster yet, instead of failing the whole sync
 * ("Skip Dry Run for new custom resources types", https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#skip-dry-run-for-new-custom-resources-types).
 */
export const ARGO_SKIP_DRY_RUN_OPTION = 'SkipDryRunOnMissingResource=true';
/** Argo CD: the API group of its own kinds (Application, AppProject, ApplicationSet); Argo CD itself serves them. */
export const ARGO_API_GROUP = 'argoproj.io';

/**
 * The apply stage of an object whose CRD this output delivers, in the modes that apply a cluster directory in stages
 * (flux, helm-template, gloo-operator): such objects are written to their own directory with its own kustomization,
 * `dist/<cluster>/_<stage>/`, which is applied once the CRDs exist (docs/first-sync.md).
 */
export const APPLY_STAGE_ANNOTATION = 'spiremesh.dev/apply-stage';
/** The stage of the custom resources whose CRDs come from this output (a release, a manifest source or a rendered CRD). */
export const AFTER_CRDS_STAGE = 'after-crds';

/** Argo CD: deleting the Application deletes what it deployed (cascading delete). */
export const ARGO_RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';
/** Argo CD: the cluster Argo CD runs in (one Argo CD instance per cluster is assumed). */
export const ARGO_IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** Flux: namespace of the Flux controllers and, by convention, of their sources and releases. */
export const FLUX_NAMESPACE = 'flux-system';
/** Flux: media type of a Helm chart layer in an OCI artifact (OCIRepository `layerSelector`). */
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const FLUX_DEFAULT_INTERVAL = '10m';

/**
 * helm-template: the Kubernetes version charts are rendered for; equal to the version of the
 * schemas that the synth-time gate validates against (imports/schemas/kubernetes-1.30.json).
 */
export const HELM_TEMPLATE_KUBE_VERSION = '1.30.0';

/**
 * Gloo Operator (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): namespace of the operator and of its
 * extensions ConfigMap.
 */
export const GLOO_NAMESPACE = 'gloo-mesh';
/**
 * Gloo Operator (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): the ConfigMap the operator merges into
 * the Istio charts' values.
 */
export const GLOO_EXTENSIONS_CONFIG_NAME = 'gloo-extensions-config';
/** Gloo Operator (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/): name of the ServiceMeshController. */
export const GLOO_CONTROLLER_NAME = 'managed-istio';
export const GLOO_CONTROLLER_API_VERSION = 'operator.gloo.solo.io/v1';
export const GLOO_CONTROLLER_KIND = 'ServiceMeshController';
/**
 * Data keys of the extensions ConfigMap: `values.<chart release of the operator>`
 * (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/).
 */
export const GLOO_ISTIOD_VALUES_KEY = 'values.istiod';
export const GLOO_ZTUNNEL_VALUES_KEY = 'values.istio-ztunnel';

/**
 * Chart names of the Istio charts (https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ installs base, istiod,
 * cni, ztunnel). In gloo-operator mode the operator installs these; everything else must be delivered another way.
 */
export const ISTIO_CHARTS: readonly string[] = ['base', 'istiod', 'cni', 'ztunnel'];
