import { GlobalImageValues, IstioProfile, ProxyValues } from './common';

/** `global` of the istiod chart. */
export interface IstiodGlobalValues extends GlobalImageValues {
  readonly proxy: ProxyValues;
  /** `global.multiCluster.clusterName` becomes istiod's CLUSTER_ID (upstream; default `Kubernetes`). */
  readonly multiCluster?: { readonly clusterName: string };
  /** `global.network`: the network of this cluster's workloads (upstream). */
  readonly network?: string;
  /** `global.meshID`: the same in every cluster of a multi-primary mesh (upstream; default: the trust domain). */
  readonly meshID?: string;
  /** `global.meshNetworks`: rendered as `networks:` into the `meshNetworks` key of the `istio` ConfigMap (templates/configmap.yaml, 1.29.1). */
  readonly meshNetworks?: { readonly [network: string]: MeshNetworkValues };
}

/** One network of `meshNetworks` (istio.io/api mesh/v1alpha1 `Network`; validateNetwork in pkg/config/validation/agent/validation.go, 1.29.1). */
export interface MeshNetworkValues {
  /** Endpoints that belong to the network: here all endpoints of one cluster's registry (`fromRegistry`: its cluster ID). */
  readonly endpoints: readonly { readonly fromRegistry: string }[];
  /** Gateways that reach the network: an IP address or a host name istiod resolves, and the port. */
  readonly gateways: readonly { readonly address: string; readonly port: number }[];
}

/**
 * istiod environment variables (`env`, or `pilot.env`: the chart copies `.pilot` to the top
 * level, templates/zzy_descope_legacy.yaml of istio/istio manifests/charts/istio-control/istio-discovery, 1.29.1).
 * Strings, as the chart renders them into the container env.
 */
export interface IstiodEnv {
  /** Allocates virtual IPs for ServiceEntries and multicluster services (upstream; default true since 1.25). */
  readonly PILOT_ENABLE_IP_AUTOALLOCATE?: 'true' | 'false';
  /**
   * Skips checking peers' trust domains (upstream); https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/:
   * "Required when meshConfig.trustDomain is set".
   */
  readonly PILOT_SKIP_VALIDATE_TRUST_DOMAIN?: 'true' | 'false';
  /** Solo-only: cross-cluster discovery only through peering; remote secrets are ignored (features/solo.go). */
  readonly DISABLE_LEGACY_MULTICLUSTER?: 'true' | 'false';
  /** Solo-only: set by `platforms.peering.enabled`; never `false` in a peered mesh (multicluster check). */
  readonly ENABLE_PEERING_DISCOVERY?: 'true' | 'false';
  /** Must not be `false` in a peered mesh (istioctl multicluster check). */
  readonly K8S_SELECT_WORKLOAD_ENTRIES?: 'true' | 'false';
}

/** `meshConfig` (upstream; free-form in the chart, modelled here for the keys spiremesh sets). */
export interface MeshConfigValues {
  /** Access log destination, e.g. `/dev/stdout`. */
  readonly accessLogFile?: string;
  /** The mesh trust domain: must equal the SPIRE trust domain of the cluster. */
  readonly trustDomain: string;
  /**
   * Other trust domains whose identities count as this mesh's (upstream `trustDomainAliases`): istiod
   * expands the SPIFFE IDs it expects of a peer (`spiffe://<td>/ns/<ns>/sa/<sa>`) to each alias.
   */
  readonly trustDomainAliases?: readonly string[];
  readonly defaultConfig?: {
    /** Environment of every proxy; ztunnel renders each entry as a container env var. */
    readonly proxyMetadata?: {
      /** DNS proxying in the proxy (upstream). */
      readonly ISTIO_META_DNS_CAPTURE?: 'true' | 'false';
    };
  };
}

/** Solo license: only by Secret reference in committed output (see `IstioLicense`). */
export interface LicenseValues {
  /** Becomes `SOLO_LICENSE_SECRET="<namespace>/<name>"` (Solo-only). */
  readonly secretRef?: { readonly name: string; readonly namespace: string };
  /** Becomes `SOLO_LICENSE_KEY` (Solo-only); refused unless explicitly allowed, because dist/ is committed. */
  readonly value?: string;
}

/**
 * `sidecarInjectorWebhook` of the istiod chart: rendered into the `config` key of the `istio-sidecar-injector` ConfigMap
 * (templates/istiod-injector-configmap.yaml, 1.29.1).
 */
export interface SidecarInjectorWebhookValues {
  /**
   * Extra injection templates by name (upstream `templates`); each is a Go template the injector renders and merges into
   * the pod with a strategic merge patch, after the templates before it.
   */
  readonly templates: { readonly [name: string]: string };
  /**
   * Templates applied to every injected pod that has no `inject.istio.io/templates` annotation (upstream
   * `defaultTemplates`; the chart renders `[sidecar]` when it is empty).
   */
  readonly defaultTemplates: readonly string[];
}

/** Values of the `istiod` chart. */
export interface IstiodValues {
  /** `ambient` on ambient clusters; none on sidecar clusters (see `IstioProfile`). */
  readonly profile?: IstioProfile;
  readonly global: IstiodGlobalValues;
  readonly meshConfig: MeshConfigValues;
  readonly env: IstiodEnv;
  /**
   * `pilot.cni.enabled` (copied to `cni.enabled` by templates/zzy_descope_legacy.yaml): with it the `sidecar` injection
   * template adds the `istio-validation` init container, which only works with the istio-cni node agent, instead of the
   * privileged `istio-init` that sets up traffic redirection itself (files/injection-template.yaml of the istiod chart,
   * 1.29.1). So it equals `cluster.istioCni`, the choice to deliver istio-cni. The `pilot.cni.namespace` of
   * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ is left out: no template of the istiod chart (1.29.1, nor the Solo
   * 1.29.0-solo snapshot) reads it.
   */
  readonly pilot?: { readonly cni: { readonly enabled: boolean }; readonly env?: IstiodEnv };
  /** Solo-only: gateway and waypoint pods mount the SPIRE CSI socket (`gateways.spire.workloads`). */
  readonly gateways?: { readonly spire: { readonly workloads: boolean } };
  /** Solo-only: peering-based multicluster (sets ENABLE_PEERING_DISCOVERY and its RBAC). */
  readonly platforms?: { readonly peering: { readonly enabled: boolean } };
  /** Solo-only license reference. */
  readonly license?: LicenseValues;
  /** Istio revision of this control plane (upstream). */
  readonly revision?: string;
  /** Sidecar clusters only: the SPIRE injection templates and their selection (https://istio.io/latest/docs/ops/integrations/spire/). */
  readonly sidecarInjectorWebhook?: SidecarInjectorWebhookValues;
}
