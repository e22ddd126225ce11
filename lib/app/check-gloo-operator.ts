/**
 * The check of a cluster in chartDelivery gloo-operator mode: the Gloo Operator installs istiod, istio-cni and ztunnel
 * from the `ServiceMeshController` and merges `gloo-extensions-config` into their values
 * (https://docs.solo.io/gloo-mesh/2.8.x/ambient/security/spire/), so those two objects are what is checked: the
 * controller's trust domain against SPIRE's server.conf `trust_domain`, its cluster name and network against the
 * cluster model, and the SPIRE keys of the extensions values.
 */
import { parse } from 'yaml';
import {
  GLOO_CONTROLLER_API_VERSION,
  GLOO_CONTROLLER_KIND,
  GLOO_EXTENSIONS_CONFIG_NAME,
  GLOO_ISTIOD_VALUES_KEY,
  GLOO_ZTUNNEL_VALUES_KEY,
} from '../delivery/names';
import { ClusterModel } from '../spec';
import { CheckFindingInput } from './check-finding';

const TRUST_DOMAIN_CHECK = 'Trust Domain Check';
const CONTROLLER_CHECK = 'ServiceMeshController Check';
const EXTENSIONS_CHECK = 'SPIRE Integration Check';

function parsedValues(text: unknown): Record<string, any> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const v = parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Findings of one gloo-operator cluster.
 * @param spireTrustDomain `trust_domain` of the SPIRE server.conf the cluster renders (undefined when it renders none)
 */
export function checkGlooOperator(
  ci: { readonly cluster: ClusterModel; readonly manifests: readonly any[] },
  spireTrustDomain: string | undefined,
): CheckFindingInput[] {
  const { cluster, manifests } = ci;
  const findings: CheckFindingInput[] = [];
  const add = (f: Omit<CheckFindingInput, 'severity' | 'cluster'>) => findings.push({ severity: 'error', cluster: cluster.name, ...f });

  const controllers = manifests.filter((m) => m.apiVersion === GLOO_CONTROLLER_API_VERSION && m.kind === GLOO_CONTROLLER_KIND);
  if (controllers.length !== 1) {
    add({
      check: CONTROLLER_CHECK,
      subject: `${GLOO_CONTROLLER_KIND} objects`,
      message:
        controllers.length === 0
          ? 'the output has no ServiceMeshController: the Gloo Operator installs no Istio'
          : `the output has ${controllers.length} ServiceMeshControllers (${controllers.map((c) => c.metadata?.name).join(', ')}); one Istio per cluster needs one`,
      fix: 'keep the chart delivery component (ChartDelivery.glooOperator()) in the cluster and render no other ServiceMeshController',
    });
  }
  for (const smc of controllers) {
    const spec = smc.spec ?? {};
    const subject = (field: string) => `${GLOO_CONTROLLER_KIND} ${smc.metadata?.namespace}/${smc.metadata?.name}: spec.${field}`;
    // Without SPIRE in the output (a bare delivery) there is nothing to compare with.
    if (spireTrustDomain !== undefined && spec.trustDomain !== spireTrustDomain) {
      add({
        check: TRUST_DOMAIN_CHECK,
        subject: subject('trustDomain'),
        message: `is ${spec.trustDomain === undefined ? 'missing' : `'${spec.trustDomain}'`} but SPIRE's server.conf trust_domain is '${spireTrustDomain}': workloads would get identities istiod does not trust`,
        fix: 'set clusters[].trustDomain once; both are derived from it',
      });
    }
    for (const [field, expected] of [
      ['cluster', cluster.name],
      ['network', cluster.network],
    ] as const) {
      if (spec[field] !== expected) {
        add({
          check: CONTROLLER_CHECK,
          subject: subject(field),
          message: `is ${spec[field] === undefined ? 'missing' : `'${spec[field]}'`} but the cluster's ${field === 'cluster' ? 'name' : 'network'} is '${expected}'`,
          fix: `set spec.${field}: ${expected} (derived from clusters[].${field === 'cluster' ? 'name' : 'network'})`,
        });
      }
    }
  }

  const config = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata?.name === GLOO_EXTENSIONS_CONFIG_NAME);
  const at = `ConfigMap ${config?.metadata?.namespace ?? '<none>'}/${GLOO_EXTENSIONS_CONFIG_NAME}`;
  if (!config) {
    add({
      check: EXTENSIONS_CHECK,
      subject: `ConfigMap ${GLOO_EXTENSIONS_CONFIG_NAME}`,
      message: 'is missing: the operator would install istiod and ztunnel without SPIRE, and ztunnel would issue its own identities',
      fix: 'keep the chart delivery component (ChartDelivery.glooOperator()) in the cluster',
    });
    return findings;
  }
  const istiod = parsedValues(config.data?.[GLOO_ISTIOD_VALUES_KEY]);
  const spireGateways = istiod?.gateways?.spire;
  if (!spireGateways || typeof spireGateways !== 'object') {
    add({
      check: EXTENSIONS_CHECK,
      subject: `${at}: ${GLOO_ISTIOD_VALUES_KEY} gateways.spire`,
      message: `is ${spireGateways === undefined ? 'missing' : JSON.stringify(spireGateways)}: istiod would not inject the SPIRE socket into gateways`,
      fix: 'set gateways.spire.workloads: true in the istiod values (the delivery derives it from the istiod release)',
    });
  }
  const ztunnel = parsedValues(config.data?.[GLOO_ZTUNNEL_VALUES_KEY]);
  if (ztunnel?.spire?.enabled !== true) {
    add({
      check: EXTENSIONS_CHECK,
      subject: `${at}: ${GLOO_ZTUNNEL_VALUES_KEY} spire.enabled`,
      message: `is ${JSON.stringify(ztunnel?.spire?.enabled ?? null)}: ztunnel would not get workload identities from the SPIRE agent`,
      fix: 'set spire.enabled: true in the ztunnel values (the delivery derives it from the ztunnel release)',
    });
  }
  return findings;
}
