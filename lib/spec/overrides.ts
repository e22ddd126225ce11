/**
 * Per-cluster overrides of component settings (`clusters[].overrides`): chart values per Istio chart and the pod
 * placement and resources of the SPIRE server and agent, for one cluster. The same plain data in TypeScript and in a
 * YAML inventory; its schema fragment and its rules live here, next to the types.
 *
 * Merge rule (Istio chart values): the values spiremesh derives from the spec, then the mesh-wide escape hatch
 * (`components.istio.extraValues`), then the cluster's overrides, each deep-merged over the one before it: objects are
 * merged key by key, anything else (strings, numbers, lists) replaces the earlier value. That is the order and the
 * merge of `helm install -f derived.yaml -f mesh.yaml -f cluster.yaml` (Helm merges values files left to right,
 * https://helm.sh/docs/chart_template_guide/values_files/). Values the spec derives are refused in both places by the
 * same check (`lib/istio/escape-hatch.ts`), naming the spec field to set instead.
 *
 * SPIRE settings replace rather than merge: a cluster's `tolerations` replace the mesh-wide ones (and the default
 * SPIRE_NODE_TOLERATIONS), its `nodeSelector` and `resources` are the pod's.
 */
import { SpecPath, SpecProblem } from './errors';
import { labelValueProblem } from './syntax';

/** Chart values: plain data, as in a values file. */
export type ChartValuesProps = { readonly [key: string]: unknown };

/** Chart values of one cluster's Istio releases, by chart. */
export interface IstioChartOverridesProps {
  /** Values of the `base` chart (release `istio-base`). @default - none */
  readonly base?: ChartValuesProps;
  /** Values of the `istiod` chart (release `istiod`). @default - none */
  readonly istiod?: ChartValuesProps;
  /** Values of the `cni` chart (release `istio-cni`); only for a cluster that delivers istio-cni (`istioCni`). @default - none */
  readonly cni?: ChartValuesProps;
  /** Values of the `ztunnel` chart (release `ztunnel`); ambient clusters only. @default - none */
  readonly ztunnel?: ChartValuesProps;
  /**
   * Values of the `gateway` chart per ingress gateway, keyed by the gateway's name (`clusters[].ingressGateways[].name`).
   * @default - none
   */
  readonly gateways?: { readonly [gatewayName: string]: ChartValuesProps };
}

/** A pod toleration (https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/). */
export interface TolerationProps {
  /** Taint key; empty (with operator `Exists`) tolerates every taint. @default - every key */
  readonly key?: string;
  /** `Equal` (the taint's value must be `value`) or `Exists`. @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists';
  /** Taint value, for operator `Equal`. @default - empty */
  readonly value?: string;
  /** Taint effect: `NoSchedule`, `PreferNoSchedule` or `NoExecute`. @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** How long the pod stays bound after a `NoExecute` taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/** Compute resources of a container, as Kubernetes quantities (`500m`, `128Mi`). */
export interface ResourceRequirementsProps {
  /** Requested resources, e.g. `{ cpu: '100m', memory: '128Mi' }`. @default - none */
  readonly requests?: { readonly [resource: string]: string };
  /** Resource limits. @default - none */
  readonly limits?: { readonly [resource: string]: string };
}

/** Where a SPIRE workload's pods run and what they may use. */
export interface PodSettingsProps {
  /**
   * Node labels the pods require. For the agent this limits the nodes that get one: workloads on other nodes get
   * no SPIFFE identity.
   * @default - every node
   */
  readonly nodeSelector?: { readonly [label: string]: string };
  /**
   * Pod tolerations; they replace the mesh-wide ones and the default.
   * @default - SPIRE_NODE_TOLERATIONS for the agent (or `components.spire.agentTolerations`), none for the server
   */
  readonly tolerations?: readonly TolerationProps[];
  /** Resources of the main container (`spire-server`, `spire-agent`). @default - none (as the spire chart 0.24.2) */
  readonly resources?: ResourceRequirementsProps;
}

/** SPIRE settings of one cluster. */
export interface SpireOverridesProps {
  /** The spire-server StatefulSet. @default - none */
  readonly server?: PodSettingsProps;
  /** The spire-agent DaemonSet. @default - none */
  readonly agent?: PodSettingsProps;
}

/** Component settings of one cluster, over the mesh-wide ones (see the merge rule above). */
export interface ClusterOverridesProps {
  /** Chart values of this cluster's Istio releases, merged over `components.istio.extraValues`. @default - none */
  readonly istio?: IstioChartOverridesProps;
  /** Placement and resources of this cluster's SPIRE server and agent. @default - none */
  readonly spire?: SpireOverridesProps;
}

/** The Istio charts whose values a cluster can override, by their key in `overrides.istio`. */
export const ISTIO_OVERRIDE_CHARTS = ['base', 'istiod', 'cni', 'ztunnel'] as const;

const text = { type: 'string', minLength: 1 } as const;
const values = { type: 'object' } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string', minLength: 1 } } as const;
const podSettings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    nodeSelector: { type: 'object', additionalProperties: { type: 'string' } },
    tolerations: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          key: text,
          operator: { type: 'string', enum: ['Equal', 'Exists'] },
          value: { type: 'string' },
          effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
          tolerationSeconds: { type: 'integer' },
        },
      },
    },
    resources: {
      type: 'object',
      additionalProperties: false,
      properties: { requests: stringMap, limits: stringMap },
    },
  },
} as const;

/** Schema of `clusters[].overrides` (part of `MESH_SPEC_SCHEMA`). */
export const CLUSTER_OVERRIDES_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    istio: {
      type: 'object',
      additionalProperties: false,
      properties: {
        base: values,
        istiod: values,
        cni: values,
        ztunnel: values,
        gateways: { type: 'object', additionalProperties: values },
      },
    },
    spire: {
      type: 'object',
      additionalProperties: false,
      properties: { server: podSettings, agent: podSettings },
    },
  },
} as const;

/** A plain-data copy (chart values are data: what JSON cannot hold cannot reach a values file either). */
export function copyOverrides(overrides: ClusterOverridesProps): ClusterOverridesProps {
  return JSON.parse(JSON.stringify(overrides)) as ClusterOverridesProps;
}

// Kubernetes resource quantities: the regular expression of k8s.io/apimachinery pkg/api/resource/quantity.go
// (splitQuantity: a signed decimal number, then a binary-SI, decimal-SI or decimal-exponent suffix).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** What a cluster of the document delivers, for the overrides' rules. */
export interface OverridesContext {
  readonly cluster: string;
  /** Whether the cluster delivers istio-cni (`istioCni`, default for ambient). */
  readonly istioCni: boolean;
  readonly ambient: boolean;
  /** Names of the cluster's ingress gateways. */
  readonly gateways: readonly string[];
  /** The Gloo Operator installs Istio (chartDelivery gloo-operator): Istio chart values reach no chart. */
  readonly glooOperator: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The semantic problems of one cluster's `overrides` (its shape is the schema's). */
export function overridesProblems(at: SpecPath, overrides: unknown, context: OverridesContext): SpecProblem[] {
  if (!isObject(overrides)) return [];
  const problems: SpecProblem[] = [];
  const istio = isObject(overrides.istio) ? overrides.istio : {};
  const where = `cluster '${context.cluster}'`;
  for (const chart of ISTIO_OVERRIDE_CHARTS) {
    if (istio[chart] === undefined) continue;
    const path = [...at, 'istio', chart];
    if (context.glooOperator) {
      problems.push({
        path,
        message: `${where}: the Gloo Operator installs Istio from the ServiceMeshController, so values of the ${chart} chart reach no chart`,
        fix: `remove overrides.istio.${chart}, or set chartDelivery.mode to argocd, flux or helm-template`,
      });
    } else if (chart === 'cni' && !context.istioCni) {
      problems.push({
        path,
        message: `${where} delivers no istio-cni, so values of the cni chart reach no chart`,
        fix: `remove overrides.istio.cni, or set istioCni: true on the cluster`,
      });
    } else if (chart === 'ztunnel' && !context.ambient) {
      problems.push({
        path,
        message: `${where} is a sidecar cluster and has no ztunnel, so values of the ztunnel chart reach no chart`,
        fix: "remove overrides.istio.ztunnel, or set dataplaneMode: 'ambient' on the cluster",
      });
    }
  }
  if (isObject(istio.gateways)) {
    for (const name of Object.keys(istio.gateways)) {
      if (context.gateways.includes(name)) continue;
      problems.push({
        path: [...at, 'istio', 'gateways', name],
        message: `${where} has no ingress gateway '${name}'`,
        fix:
          context.gateways.length > 0
            ? `use the name of one of its ingress gateways: ${context.gateways.join(', ')}`
            : 'declare the gateway in clusters[].ingressGateways, or remove the entry',
      });
    }
  }
  const spire = isObject(overrides.spire) ? overrides.spire : {};
  for (const workload of ['server', 'agent'] as const) {
    const pod = spire[workload];
    if (isObject(pod)) problems.push(...podSettingsProblems([...at, 'spire', workload], pod));
  }
  return problems;
}

function podSettingsProblems(at: SpecPath, pod: Record<string, unknown>): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (isObject(pod.nodeSelector)) {
    for (const [label, value] of Object.entries(pod.nodeSelector)) {
      const p = typeof value === 'string' ? labelValueProblem(value) : undefined;
      if (p)
        problems.push({ path: [...at, 'nodeSelector', label], message: `node label value ${p}`, fix: "use the value of the nodes' label" });
    }
  }
  if (Array.isArray(pod.tolerations)) {
    // The API server's rules (ValidateTolerations in kubernetes pkg/apis/core/validation/validation.go, v1.30).
    pod.tolerations.forEach((t, i) => {
      if (!isObject(t)) return;
      const path = [...at, 'tolerations', i];
      if (t.operator === 'Exists' && typeof t.value === 'string' && t.value !== '') {
        problems.push({
          path: [...path, 'value'],
          message: `a toleration with operator Exists has no value (it is '${t.value}')`,
          fix: "remove value, or set operator: 'Equal'",
        });
      }
      if (t.key === undefined && t.operator !== 'Exists') {
        problems.push({
          path: [...path, 'operator'],
          message: 'a toleration without a key tolerates every taint and needs operator Exists',
          fix: "set operator: 'Exists', or name the taint's key",
        });
      }
      if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
        problems.push({
          path: [...path, 'tolerationSeconds'],
          message: 'tolerationSeconds applies to NoExecute taints only',
          fix: "set effect: 'NoExecute', or remove tolerationSeconds",
        });
      }
    });
  }
  const resources = isObject(pod.resources) ? pod.resources : {};
  for (const kind of ['requests', 'limits'] as const) {
    const list = resources[kind];
    if (!isObject(list)) continue;
    for (const [name, quantity] of Object.entries(list)) {
      if (typeof quantity === 'string' && !QUANTITY.test(quantity)) {
        problems.push({
          path: [...at, 'resources', kind, name],
          message: `'${quantity}' is not a Kubernetes quantity`,
          fix: "write a quantity such as '500m' (CPU) or '256Mi' (memory)",
        });
      }
    }
  }
  return problems;
}
