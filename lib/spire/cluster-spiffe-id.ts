/**
 * ClusterSPIFFEID: automatic registration of pods by the SPIRE controller manager.
 */
import { Construct } from 'constructs';
import { ClusterSpiffeid } from '../../imports/spire-clusterspiffeid-spire.spiffe.io';
import { Finding } from '../spec';
import { LabelSelectorOperator } from './choices';
import { SPIRE_CLASS_NAME, SPIRE_NAMES } from './names';
import {
  SpireLabelSelector,
  durationProblem,
  federatesWithProblems,
  isEmptySelector,
  objectNameProblem,
  selectorProblems,
  selectorToJson,
  spireFinding,
  templateProblems,
  throwIfFindings,
} from './validation';

/**
 * The Istio SPIFFE ID of a pod, `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`, as a controller-manager
 * template. Istio requires this form (https://istio.io/latest/docs/ops/integrations/spire/); the ClusterSPIFFEIDs of
 * https://docs.solo.io/gloo-mesh/latest/ambient/security/spire/ use this template.
 */
export const SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE =
  'spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}';

/** Label the sidecar injection template sets on every injected pod. */
export const SIDECAR_TLS_MODE_LABEL = 'security.istio.io/tlsMode';
/** Label the gateway chart sets on its pods: the release (gateway) name. */
const GATEWAY_NAME_LABEL = 'app.kubernetes.io/name';
/** Label Kubernetes sets on every namespace: its name. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Settings of the registrations that Spire renders. */
export interface RegistrationOptions {
  /**
   * Trust domains whose bundles the registered workloads receive.
   * @default - none
   */
  readonly federatesWith?: readonly string[];
}

/** A gateway chart release to register. */
export interface GatewayRegistration {
  /** The release name (= the gateway name and its ServiceAccount). */
  readonly name: string;
  readonly namespace: string;
}

export interface ClusterSpiffeIdProps {
  /** Object name (cluster-scoped). */
  readonly name: string;
  /**
   * Template of the SPIFFE ID of each selected pod; must start with `spiffe://`.
   * Template data: `.TrustDomain .ClusterName .ClusterDomain .PodMeta .PodSpec .NodeMeta .NodeSpec`.
   */
  readonly spiffeIdTemplate: string;
  /**
   * Pods to register (with `namespaceSelector`: pods matching both).
   * @default - every pod of the selected namespaces
   */
  readonly podSelector?: SpireLabelSelector;
  /**
   * Namespaces whose pods are registered.
   * @default - every namespace the controller manager does not ignore
   */
  readonly namespaceSelector?: SpireLabelSelector;
  /**
   * Allow a registration without any selector label or expression, i.e. of every pod in the
   * cluster. Without it such a registration is an error, since it is almost always a mistake.
   * @default false
   */
  readonly matchAllPods?: boolean;
  /**
   * Templates of DNS SANs of the X509-SVIDs.
   * @default - none
   */
  readonly dnsNameTemplates?: readonly string[];
  /**
   * Templates of extra workload selectors (`type:value`, e.g. `k8s:ns:{{ .PodMeta.Namespace }}`).
   * @default - none
   */
  readonly workloadSelectorTemplates?: readonly string[];
  /**
   * Trust domains whose bundles the workloads receive.
   * @default - none
   */
  readonly federatesWith?: readonly string[];
  /**
   * X509-SVID TTL (Go duration).
   * @default - the server's default_x509_svid_ttl
   */
  readonly ttl?: string;
  /**
   * JWT-SVID TTL (Go duration).
   * @default - the server's default_jwt_svid_ttl
   */
  readonly jwtTtl?: string;
  /**
   * Entries get the admin flag.
   * @default false
   */
  readonly admin?: boolean;
  /**
   * Entries are downstream (nested SPIRE server) entries.
   * @default false
   */
  readonly downstream?: boolean;
  /**
   * Add the pod's DNS names as SANs.
   * @default false
   */
  readonly autoPopulateDnsNames?: boolean;
  /**
   * Hint for workloads that receive several SVIDs.
   * @default - none
   */
  readonly hint?: string;
  /**
   * Apply only to pods that no other ClusterSPIFFEID selects.
   * @default false
   */
  readonly fallback?: boolean;
}

/**
 * A ClusterSPIFFEID of the controller manager's class (`spec.className` is always the class of
 * SpireServer; with `watchClassless: false` an object without it would be ignored).
 */
export class ClusterSpiffeId extends Construct {
  /**
   * ztunnel's registration (`istio-ztunnel-reg` of the documented ambient install): gives ztunnel
   * the SPIFFE ID that the agents authorize as delegate.
   */
  public static istioZtunnel(scope: Construct, id = 'IstioZtunnelReg', options: RegistrationOptions = {}): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: 'istio-ztunnel-reg',
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      podSelector: { matchLabels: { app: 'ztunnel' } },
      federatesWith: options.federatesWith,
    });
  }

  /** Waypoint proxies' registration (`istio-waypoint-reg` of the documented ambient install). */
  public static istioWaypoint(scope: Construct, id = 'IstioWaypointReg', options: RegistrationOptions = {}): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: 'istio-waypoint-reg',
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      podSelector: { matchLabels: { 'istio.io/gateway-name': 'waypoint' } },
      federatesWith: options.federatesWith,
    });
  }

  /** Ambient workloads' registration (`istio-ambient-reg` of the documented ambient install). */
  public static istioAmbient(scope: Construct, id = 'IstioAmbientReg', options: RegistrationOptions = {}): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: 'istio-ambient-reg',
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      podSelector: { matchLabels: { 'istio.io/dataplane-mode': 'ambient' } },
      federatesWith: options.federatesWith,
    });
  }

  /**
   * Sidecar workloads' registration (`istio-sidecar-reg`): every pod the injector gave a sidecar, which carries
   * `security.istio.io/tlsMode: istio` (set by the sidecar template, istio/istio manifests/charts/istio-control/
   * istio-discovery/files/injection-template.yaml, 1.29.1; the same selector as openshift-service-mesh/federation
   * examples/spire). Gateway pods are injected with the gateway template, which does not set that label, so they
   * are left to their own registrations.
   */
  public static istioSidecar(scope: Construct, id = 'IstioSidecarReg', options: RegistrationOptions = {}): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: 'istio-sidecar-reg',
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      podSelector: { matchLabels: { [SIDECAR_TLS_MODE_LABEL]: 'istio' } },
      federatesWith: options.federatesWith,
    });
  }

  /**
   * The registration of one gateway chart release (`istio-gateway-reg.<namespace>.<name>`): its pods in its namespace,
   * which the chart labels `app.kubernetes.io/name: <release>` (istio/istio manifests/charts/gateway/templates/
   * deployment.yaml, 1.29.1; the label is not overridden by the chart's `labels` value). The chart's ServiceAccount
   * is named after the release too, so the gateway gets `spiffe://<td>/ns/<namespace>/sa/<name>`.
   */
  public static istioGateway(
    scope: Construct,
    id: string,
    gateway: GatewayRegistration,
    options: RegistrationOptions = {},
  ): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: `istio-gateway-reg.${gateway.namespace}.${gateway.name}`,
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: gateway.namespace } },
      podSelector: { matchLabels: { [GATEWAY_NAME_LABEL]: gateway.name } },
      federatesWith: options.federatesWith,
    });
  }

  /**
   * The chart's `default` ClusterSPIFFEID (`spire-server-spire-default`): a fallback identity for
   * every pod outside the SPIRE namespaces that no other registration selects.
   */
  public static chartDefault(scope: Construct, id = 'Default', options: RegistrationOptions = {}): ClusterSpiffeId {
    return new ClusterSpiffeId(scope, id, {
      name: `${SPIRE_NAMES.clusterSpiffeIdPrefix}default`,
      spiffeIdTemplate: SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE,
      namespaceSelector: {
        // The chart excludes its server and system namespaces (`global.spire.namespaces.*.name`).
        matchExpressions: [
          { key: NAMESPACE_NAME_LABEL, operator: LabelSelectorOperator.NOT_IN, values: [SPIRE_NAMES.namespace, 'spire-system'] },
        ],
      },
      hint: 'default',
      fallback: true,
      federatesWith: options.federatesWith,
    });
  }

  /** The ClusterSPIFFEID object. */
  public readonly resource: ClusterSpiffeid;
  public readonly name: string;
  public readonly className: string = SPIRE_CLASS_NAME;

  public constructor(scope: Construct, id: string, props: ClusterSpiffeIdProps) {
    super(scope, id);
    throwIfFindings(`ClusterSpiffeId '${props.name}' (${this.node.path})`, [
      objectNameProblem('name', props.name),
      spiffeIdTemplateProblems(props.spiffeIdTemplate),
      ...(props.dnsNameTemplates ?? []).map((t, i) => templateProblems(`dnsNameTemplates[${i}]`, t)),
      ...(props.workloadSelectorTemplates ?? []).map((t, i) => workloadSelectorTemplateProblems(`workloadSelectorTemplates[${i}]`, t)),
      selectorProblems('podSelector', props.podSelector),
      selectorProblems('namespaceSelector', props.namespaceSelector),
      isEmptySelector(props.podSelector) && isEmptySelector(props.namespaceSelector) && !props.matchAllPods
        ? spireFinding(
            undefined,
            'neither podSelector nor namespaceSelector has a label or expression, so this registration would match every pod in the cluster',
            'add matchLabels or matchExpressions to podSelector or namespaceSelector, or set matchAllPods: true if every pod is meant',
          )
        : undefined,
      federatesWithProblems('federatesWith', props.federatesWith),
      durationProblem('ttl', props.ttl),
      durationProblem('jwtTtl', props.jwtTtl),
    ]);

    this.name = props.name;
    this.resource = new ClusterSpiffeid(this, 'Resource', {
      metadata: { name: props.name },
      spec: {
        // The controller manager (`watchClassless: false`) silently ignores objects of another class or none.
        className: this.className,
        spiffeIdTemplate: props.spiffeIdTemplate,
        podSelector: selectorToJson(props.podSelector),
        namespaceSelector: selectorToJson(props.namespaceSelector),
        dnsNameTemplates: props.dnsNameTemplates ? [...props.dnsNameTemplates] : undefined,
        workloadSelectorTemplates: props.workloadSelectorTemplates ? [...props.workloadSelectorTemplates] : undefined,
        federatesWith: props.federatesWith && props.federatesWith.length > 0 ? [...props.federatesWith] : undefined,
        ttl: props.ttl,
        jwtTtl: props.jwtTtl,
        admin: props.admin,
        downstream: props.downstream,
        autoPopulateDnsNames: props.autoPopulateDnsNames,
        hint: props.hint,
        fallback: props.fallback,
      },
    });
  }
}

/** The SPIFFE ID template: a controller-manager template that renders to a `spiffe://` ID. */
function spiffeIdTemplateProblems(template: string): Finding[] {
  const scheme = template.startsWith('spiffe://')
    ? []
    : [
        spireFinding(
          'spiffeIdTemplate',
          `'${template}' does not start with 'spiffe://'`,
          `start it with 'spiffe://{{ .TrustDomain }}/', e.g. '${SERVICE_ACCOUNT_SPIFFE_ID_TEMPLATE}'`,
        ),
      ];
  return [...scheme, ...templateProblems('spiffeIdTemplate', template)];
}

/** A workload selector template: a controller-manager template that renders to `type:value`. */
function workloadSelectorTemplateProblems(field: string, template: string): Finding[] {
  const shape = /^[^:\s]+:.+/.test(template)
    ? []
    : [spireFinding(field, `'${template}' is not of the form 'type:value'`, "write it as e.g. 'k8s:ns:{{ .PodMeta.Namespace }}'")];
  return [...templateProblems(field, template), ...shape];
}
