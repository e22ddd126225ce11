/**
 * Istio's SPIRE integration for sidecar clusters (https://istio.io/latest/docs/ops/integrations/spire/):
 * injection templates that replace the `workload-socket` volume of the injected proxy with the
 * SPIFFE CSI driver's volume, so that Envoy's SDS reads its certificates from the node's SPIRE
 * agent instead of istiod. Every name and path comes from one constant here or in lib/spire.
 */
import { Scalar, stringify } from 'yaml';
import { SPIRE_NAMES, SPIRE_PATHS } from '../../spire/names';

/**
 * Where the `spire` templates mount the SPIFFE CSI volume in istio-proxy, read-only, as seed 004 and
 * https://istio.io/latest/docs/ops/integrations/spire/ do. The volume replaces the injected `workload-socket` emptyDir,
 * which Istio's own templates also mount at `./var/run/secrets/workload-spiffe-uds` (`WorkloadIdentityPath`,
 * istio/istio pkg/security/security.go, 1.29.1), the folder pilot-agent looks in.
 */
export const WORKLOAD_SOCKET_MOUNT_PATH = '/run/secrets/workload-spiffe-uds';

/** The volume of the injected proxy that holds the SDS socket (files/injection-template.yaml of the istiod chart, 1.29.1). */
export const WORKLOAD_SOCKET_VOLUME = 'workload-socket';

/** The proxy container the injection templates add or patch (`ProxyContainerName`, istio/istio pkg/kube/inject/inject.go, 1.29.1). */
const PROXY_CONTAINER = 'istio-proxy';

/** The SDS socket file pilot-agent uses when it exists (`DefaultWorkloadIdentitySocketFile`, istio/istio pkg/security/security.go, 1.29.1). */
const ISTIO_SDS_SOCKET_FILE = 'socket';

/**
 * The Workload API socket file Envoy's SDS connects to: Istio's `socket`, which the SPIRE agent serves under that
 * name in the folder the CSI driver publishes (one of `SPIRE_PATHS.agentSocketAlternateNames`, linked to the socket).
 */
export const WORKLOAD_SOCKET_FILE: string = (() => {
  const name = SPIRE_PATHS.agentSocketAlternateNames.find((n) => n === ISTIO_SDS_SOCKET_FILE);
  if (name === undefined) {
    throw new Error(
      `the SPIRE agent no longer serves its Workload API socket as '${ISTIO_SDS_SOCKET_FILE}' (SPIRE_PATHS.agentSocketAlternateNames: ${SPIRE_PATHS.agentSocketAlternateNames.join(', ')}), ` +
        "but Istio's SDS connects to that file: keep it among the agent's alternate socket names",
    );
  }
  return name;
})();

/** The socket as Envoy's SDS sees it in istio-proxy. */
export const WORKLOAD_SOCKET_PATH = `${WORKLOAD_SOCKET_MOUNT_PATH}/${WORKLOAD_SOCKET_FILE}`;

/** Name of the template for injected workloads: selected for every injected pod (`sidecarInjectorWebhook.defaultTemplates`). */
export const SPIRE_SIDECAR_TEMPLATE_NAME = 'spire';
/** Name of the template for gateway pods, selected with the `gateway` template by their `inject.istio.io/templates` annotation. */
export const SPIRE_GATEWAY_TEMPLATE_NAME = 'spire-gateway';

/** Istio's own template for injected workloads (files/injection-template.yaml of the istiod chart, 1.29.1). */
export const ISTIO_SIDECAR_TEMPLATE_NAME = 'sidecar';
/** Istio's own template for gateway pods (files/gateway-injection-template.yaml of the istiod chart, 1.29.1). */
export const ISTIO_GATEWAY_TEMPLATE_NAME = 'gateway';

/** The templates applied to every injected pod of a sidecar cluster, in order (`sidecarInjectorWebhook.defaultTemplates`). */
export const SIDECAR_DEFAULT_TEMPLATES: readonly string[] = [ISTIO_SIDECAR_TEMPLATE_NAME, SPIRE_SIDECAR_TEMPLATE_NAME];

/**
 * The templates of a gateway pod of a sidecar cluster: the pod annotation `inject.istio.io/templates` replaces the
 * default templates (selectTemplates, istio/istio pkg/kube/inject/inject.go, 1.29.1), so it names both.
 */
export const GATEWAY_INJECTION_TEMPLATES: readonly string[] = [ISTIO_GATEWAY_TEMPLATE_NAME, SPIRE_GATEWAY_TEMPLATE_NAME];

/** The pod annotation that selects injection templates (istio.io/api annotation `inject.istio.io/templates`). */
export const INJECT_TEMPLATES_ANNOTATION = 'inject.istio.io/templates';

/**
 * Whether the injector places istio-proxy among the init containers (a Kubernetes native sidecar), copied verbatim from
 * the `sidecar` template (files/injection-template.yaml line 29 of the istiod chart, 1.29.1). Istio 1.29 enables native
 * sidecars when every node's kubelet is 1.33 or newer (`ENABLE_NATIVE_SIDECARS` defaults to `auto`, DetectNativeSidecar in
 * pkg/kube/inject/webhook.go); the pod annotation `sidecar.istio.io/nativeSidecar` overrides that per pod.
 */
export const NATIVE_SIDECAR_EXPRESSION =
  '{{ $nativeSidecar := ne (index .ObjectMeta.Annotations `sidecar.istio.io/nativeSidecar` | default (printf "%t" .NativeSidecars)) "false" }}';

/**
 * The pod patch that gives istio-proxy the SPIFFE CSI volume: the volume is merged by name into the injected
 * `workload-socket` volume (whose `emptyDir:` is null in Istio's templates, so the strategic merge leaves only the CSI
 * source) and mounted read-only; the CSI driver requires read-only volumes. Built from objects, so the YAML cannot be
 * mis-indented; the driver name is the CSI driver's own.
 */
function proxyPatchYaml(containerList: 'containers' | 'initContainers'): string {
  const driver = new Scalar(SPIRE_NAMES.csiPluginName);
  driver.type = Scalar.QUOTE_DOUBLE;
  const patch = {
    spec: {
      [containerList]: [
        { name: PROXY_CONTAINER, volumeMounts: [{ name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_MOUNT_PATH, readOnly: true }] },
      ],
      volumes: [{ name: WORKLOAD_SOCKET_VOLUME, csi: { driver, readOnly: true } }],
    },
  };
  return stringify(patch, { indentSeq: false });
}

/**
 * The `spire` template for injected workloads: seed 004's template, patching istio-proxy where the `sidecar` template
 * put it. Seed 004 (and the Istio docs) patch `containers` only; with native sidecars, which Istio 1.29 enables by default
 * on current clusters, the proxy is an init container and that patch adds a second, image-less `istio-proxy` container
 * (istio/istio#56455, istio/istio.io#16843). So the template decides with the `sidecar` template's own expression.
 * The injector renders it with Go templates and then parses it as YAML.
 */
export const SIDECAR_SPIRE_TEMPLATE: string = [
  NATIVE_SIDECAR_EXPRESSION,
  '{{- if $nativeSidecar }}',
  proxyPatchYaml('initContainers').trimEnd(),
  '{{- else }}',
  proxyPatchYaml('containers').trimEnd(),
  '{{- end }}',
  '',
].join('\n');

/**
 * The `spire-gateway` template for gateway pods: the `gateway` template keeps istio-proxy in `containers` (the gateway
 * chart's Deployment declares it there with `image: auto`, files/gateway-injection-template.yaml 1.29.1), whatever the
 * native-sidecar setting, so this patch is plain YAML.
 */
export const GATEWAY_SPIRE_TEMPLATE: string = proxyPatchYaml('containers');

/** The SPIRE injection templates of a sidecar cluster's istiod, by name (`sidecarInjectorWebhook.templates`). */
export const SPIRE_INJECTION_TEMPLATES: Readonly<Record<string, string>> = {
  [SPIRE_SIDECAR_TEMPLATE_NAME]: SIDECAR_SPIRE_TEMPLATE,
  [SPIRE_GATEWAY_TEMPLATE_NAME]: GATEWAY_SPIRE_TEMPLATE,
};
