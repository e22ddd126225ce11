/**
 * Trust gates that every rendered object passes before anything is written:
 * strict schema validation, and no secret material in the committed output.
 */
import { Finding, containsPrivateKey, isDns1123Label, isDns1123Subdomain } from '../spec';
import { SchemaRegistry, SchemaViolation } from '../validation';
import { RenderedObject, describeObject } from './layout';

/** One reason to refuse the output, naming the object and the code that made it. */
export interface GateFinding extends Finding {
  /** The object, as `describeObject` names it. @default - not about one object */
  readonly object?: string;
  /** The construct that made it. @default - not about one construct */
  readonly constructPath?: string;
}

/** An error finding of a gate (`source`: schema, secrets, layout, construct, pki), its subject naming the object and construct. */
export function gateFinding(
  source: string,
  message: string,
  where: { readonly object?: string; readonly constructPath?: string } = {},
  fix?: string,
): GateFinding {
  const subject = [where.object, where.constructPath ? `(construct ${where.constructPath})` : undefined].filter(Boolean).join(' ');
  return { severity: 'error', source, ...(subject ? { subject } : {}), message, ...(fix ? { fix } : {}), ...where };
}

/**
 * The objects grouped by the JSON text of their manifest: what the gates judge once per text. Every gate reads only
 * the manifest's JSON value, and a manifest is a JSON value (`ApiObject.toJson()`, or parsed YAML: no undefined, NaN
 * or Date inside), so two objects with one text get one answer, which is computed once, for the first object of that
 * text, and re-labelled with each object's construct path. A fleet renders each peer Gateway in every other cluster:
 * at 100 clusters all-to-all, 14,000 objects have about 1,131 distinct texts.
 */
interface DistinctManifests {
  /** The first object of each distinct text, in the order the texts first occur. */
  readonly firsts: readonly RenderedObject[];
  /** The text of each of `firsts`. */
  readonly texts: readonly string[];
  /** Per object (in object order), the index of its text in `firsts`. */
  readonly textOf: readonly number[];
}

function distinctManifests(objects: readonly RenderedObject[]): DistinctManifests {
  const index = new Map<string, number>();
  const firsts: RenderedObject[] = [];
  const texts: string[] = [];
  const textOf = objects.map((o) => {
    const text = JSON.stringify(o.manifest) ?? String(o.manifest);
    let i = index.get(text);
    if (i === undefined) {
      i = firsts.length;
      index.set(text, i);
      firsts.push(o);
      texts.push(text);
    }
    return i;
  });
  return { firsts, texts, textOf };
}

/** A gate's answer for one manifest text: findings without the object's construct path. */
interface TextFinding {
  readonly source: string;
  readonly message: string;
  readonly object: string;
  readonly fix?: string;
}

/** `judge` once per distinct text; every object's findings (object order), each labelled with its construct path. */
function perText(
  objects: readonly RenderedObject[],
  distinct: DistinctManifests,
  judge: (o: RenderedObject, text: string) => readonly TextFinding[],
): GateFinding[] {
  const answers = distinct.firsts.map((o, i) => judge(o, distinct.texts[i]));
  const findings: GateFinding[] = [];
  objects.forEach((o, i) => {
    for (const f of answers[distinct.textOf[i]]) {
      findings.push(gateFinding(f.source, f.message, { object: f.object, constructPath: o.constructPath }, f.fix));
    }
  });
  return findings;
}

/** Every object against its schema: Kubernetes 1.30 for built-in kinds, the imported CRD schemas otherwise. */
export function schemaGate(objects: readonly RenderedObject[], registry: SchemaRegistry): GateFinding[] {
  return schemaGateOf(objects, distinctManifests(objects), registry);
}

function schemaGateOf(objects: readonly RenderedObject[], distinct: DistinctManifests, registry: SchemaRegistry): GateFinding[] {
  const violationFinding = (v: SchemaViolation): TextFinding => ({
    source: 'schema',
    message: `${v.field || '/'}: ${v.message} (schema: ${v.schema})`,
    object: v.object,
  });
  return perText(objects, distinct, (o) => registry.validate(o.manifest).map(violationFinding));
}

/** dist/ is committed: a Secret with data, or a private key anywhere, must never be emitted. */
export function secretsGate(objects: readonly RenderedObject[]): GateFinding[] {
  return secretsGateOf(objects, distinctManifests(objects));
}

function secretsGateOf(objects: readonly RenderedObject[], distinct: DistinctManifests): GateFinding[] {
  return perText(objects, distinct, ({ manifest: m }, text) => {
    const found: TextFinding[] = [];
    if (m?.kind === 'Secret' && m?.apiVersion === 'v1') {
      const keys = [...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})];
      if (keys.length > 0) {
        found.push({
          source: 'secrets',
          message: `a Secret with data (${keys.sort().join(', ')}) would be committed to dist/`,
          object: describeObject(m),
          fix: 'deliver it with External Secrets, cert-manager or the git-ignored kubectl folder instead',
        });
      }
    }
    if (containsPrivateKey(text)) {
      found.push({
        source: 'secrets',
        message: 'contains a PEM private key',
        object: describeObject(m),
        fix: 'CA keys must stay in the local key folder or a secret store, never in dist/',
      });
    }
    return found;
  });
}

/**
 * The schema, secrets and policy gates over the same objects, in that order (what `schemaGate`, `secretsGate` and
 * `policyGate` return one after the other), reading each manifest's JSON text once for all three.
 */
export function objectGates(objects: readonly RenderedObject[], registry: SchemaRegistry, options: PolicyGateOptions = {}): GateFinding[] {
  const distinct = distinctManifests(objects);
  return [...schemaGateOf(objects, distinct, registry), ...secretsGateOf(objects, distinct), ...policyGateOf(objects, distinct, options)];
}

/** The same check on final file text (covers files that are not objects, e.g. indexes). */
export function fileTextHasPrivateKey(text: string): boolean {
  return containsPrivateKey(text);
}

/** Options of `policyGate`. */
export interface PolicyGateOptions {
  /**
   * License values that the mesh spec acknowledges as committed (`IstioLicense.inline(..., { acknowledgeCommitted: true })`).
   * @default - none: every license value found is refused
   */
  readonly acknowledgedLicenseValues?: readonly string[];
}

/** Pod-spec paths of the workload kinds (containers and init containers carry `image`). */
function podSpecOf(manifest: any): any {
  if (manifest?.kind === 'Pod') return manifest.spec;
  if (manifest?.kind === 'CronJob') return manifest.spec?.jobTemplate?.spec?.template?.spec;
  return manifest?.spec?.template?.spec;
}

/**
 * `image: auto` on the `istio-proxy` container of a pod template Istio injects: the gateway chart's
 * placeholder, "populated at runtime by the mutating webhook" with the pinned proxy image of
 * istiod's values (templates/deployment.yaml of istio/istio manifests/charts/gateway, 1.29.1; the
 * pod carries the injection label of `gateway.sidecarInjectionLabels`: `sidecar.istio.io/inject`,
 * or `istio.io/rev` for a revision).
 */
function isInjectedProxyImage(manifest: any, container: any): boolean {
  const template = manifest?.spec?.template?.metadata;
  const injected =
    template?.labels?.['sidecar.istio.io/inject'] === 'true' ||
    template?.annotations?.['sidecar.istio.io/inject'] === 'true' ||
    typeof template?.labels?.['istio.io/rev'] === 'string';
  return injected && container?.name === 'istio-proxy' && container?.image === 'auto';
}

/**
 * An image reference pinned by tag or digest: `repo:tag` (not `latest`) or `repo@sha256:...`.
 * An untagged image means `latest` (https://kubernetes.io/docs/concepts/containers/images/#image-names),
 * which changes under a committed manifest.
 */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const lastSegment = image.split('/').pop() ?? image;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  if (tag === undefined || tag === '') return `image '${image}' has no tag, so the cluster pulls whatever 'latest' is`;
  if (tag === 'latest') return `image '${image}' is pinned to 'latest', which moves`;
  return undefined;
}

/** Every license value in a JSON value: `license.value` objects and `SOLO_LICENSE_KEY` env entries, with their JSON path. */
function licenseValues(value: unknown, at = ''): { path: string; value: string }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => licenseValues(v, `${at}/${i}`));
  if (value === null || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  const found: { path: string; value: string }[] = [];
  if (o.name === 'SOLO_LICENSE_KEY' && typeof o.value === 'string' && o.value !== '') found.push({ path: `${at}/value`, value: o.value });
  const license = o.license;
  if (license && typeof license === 'object' && typeof (license as { value?: unknown }).value === 'string') {
    found.push({ path: `${at}/license/value`, value: (license as { value: string }).value });
  }
  for (const [k, v] of Object.entries(o)) found.push(...licenseValues(v, `${at}/${k}`));
  return found;
}

// Kubernetes name rules (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/):
// most kinds take a DNS-1123 subdomain; these take a DNS-1123 label.
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);
// Qualified names of label and annotation keys: an optional DNS-subdomain prefix and '/', then a
// name of at most 63 characters (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set).
const QUALIFIED_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
// ConfigMap and Secret data keys: alphanumerics, '-', '_' or '.' (apimachinery IsConfigMapKey).
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Why `key` is not a valid label or annotation key, or undefined. */
export function qualifiedKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `key '${key}' has a prefix that is not a DNS subdomain`;
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return `key '${key}' is not a qualified name (at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)`;
  }
  return undefined;
}

/** The API server's rules on names, namespaces, labels, annotations, data keys and ports. */
function apiRuleProblems(manifest: any): { message: string; fix: string }[] {
  const problems: { message: string; fix: string }[] = [];
  const metadata = manifest?.metadata ?? {};
  const name = metadata.name;
  if (typeof name === 'string') {
    const ok = LABEL_NAMED_KINDS.has(manifest.kind) ? isDns1123Label(name) : isDns1123Subdomain(name);
    if (!ok) {
      problems.push({
        message: `name '${name}' is not a DNS-1123 ${LABEL_NAMED_KINDS.has(manifest.kind) ? 'label' : 'subdomain'}`,
        fix: "use lowercase letters, digits, '-' (and '.' where a subdomain is allowed)",
      });
    }
  }
  if (typeof metadata.namespace === 'string' && !isDns1123Label(metadata.namespace)) {
    problems.push({ message: `namespace '${metadata.namespace}' is not a DNS-1123 label`, fix: "use lowercase letters, digits and '-'" });
  }
  for (const [key, value] of Object.entries((metadata.labels ?? {}) as Record<string, unknown>)) {
    const keyProblem = qualifiedKeyProblem(key);
    if (keyProblem) problems.push({ message: `label ${keyProblem}`, fix: 'rename the label key' });
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      problems.push({
        message: `label '${key}' has value '${String(value)}', which is not a valid label value`,
        fix: "use at most 63 letters, digits, '-', '_' or '.'",
      });
    }
  }
  for (const key of Object.keys((metadata.annotations ?? {}) as Record<string, unknown>)) {
    const keyProblem = qualifiedKeyProblem(key);
    if (keyProblem) problems.push({ message: `annotation ${keyProblem}`, fix: 'rename the annotation key' });
  }
  if ((manifest?.kind === 'ConfigMap' || manifest?.kind === 'Secret') && manifest?.apiVersion === 'v1') {
    for (const field of ['data', 'binaryData', 'stringData']) {
      for (const key of Object.keys((manifest[field] ?? {}) as Record<string, unknown>)) {
        if (key.length > 253 || !DATA_KEY.test(key)) {
          problems.push({
            message: `${field} key '${key}' is not a valid ${manifest.kind} key`,
            fix: "use letters, digits, '-', '_' or '.'",
          });
        }
      }
    }
  }
  const ports: { where: string; port: unknown }[] = [];
  const pod = podSpecOf(manifest);
  for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    for (const p of container?.ports ?? []) ports.push({ where: `container '${container.name}' containerPort`, port: p.containerPort });
  }
  if (manifest?.kind === 'Service') for (const p of manifest.spec?.ports ?? []) ports.push({ where: 'Service port', port: p.port });
  for (const { where, port } of ports) {
    if (typeof port === 'number' && (port < 1 || port > 65535))
      problems.push({ message: `${where} ${port} is outside 1-65535`, fix: 'use a port from 1 to 65535' });
  }
  return problems;
}

/**
 * What the schemas cannot say but a committed GitOps tree must hold: the API server's name,
 * label, annotation, data-key and port rules; every image pinned by tag or digest; and no Solo
 * license value anywhere (dist/ is committed; the license belongs in a Secret).
 */
export function policyGate(objects: readonly RenderedObject[], options: PolicyGateOptions = {}): GateFinding[] {
  return policyGateOf(objects, distinctManifests(objects), options);
}

function policyGateOf(objects: readonly RenderedObject[], distinct: DistinctManifests, options: PolicyGateOptions): GateFinding[] {
  const acknowledged = new Set(options.acknowledgedLicenseValues ?? []);
  return perText(objects, distinct, ({ manifest }) => {
    const found: TextFinding[] = [];
    const object = describeObject(manifest);
    for (const p of apiRuleProblems(manifest)) found.push({ source: 'policy', message: p.message, object, fix: p.fix });
    const pod = podSpecOf(manifest);
    for (const container of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      if (isInjectedProxyImage(manifest, container)) continue;
      const problem = typeof container?.image === 'string' ? imagePinProblem(container.image) : undefined;
      if (problem) {
        found.push({
          source: 'policy',
          message: `container '${container.name}': ${problem}`,
          object,
          fix: 'pin the image by tag (e.g. :1.2.3) or by digest (@sha256:...)',
        });
      }
    }
    for (const hit of licenseValues(manifest)) {
      if (acknowledged.has(hit.value)) continue;
      found.push({
        source: 'secrets',
        message: `a Solo license value at ${hit.path} would be committed to dist/`,
        object,
        fix: "reference a Secret instead: istio.license = IstioLicense.fromSecret('<secret>', 'istio-system') (YAML: istio.license.secretName/secretNamespace)",
      });
    }
    return found;
  });
}
