/**
 * Checks of names, SPIFFE IDs, controller-manager templates, selectors and durations, run by the
 * constructs when a mesh is declared. Each check returns a Finding (source `spire`, subject = the
 * prop or field) that names the bad value and the fix; a construct throws them all at once.
 */
import { Finding, SpiremeshError, isDns1123Label, isDns1123Subdomain, labelValueProblem, trustDomainProblem } from '../spec';
import { LabelSelectorOperator } from './choices';

/** Thrown by the SPIRE constructs for invalid props; lists every finding at once, rendered by formatFinding. */
export class SpireConfigError extends SpiremeshError {
  public constructor(
    /** The construct or factory whose props are invalid, e.g. `SpireServer 'mesh/cluster1/Spire/Server'`. */
    public readonly subject: string,
    findings: readonly Finding[],
  ) {
    super(`${subject} is invalid:`, findings);
  }
}

/** An error finding of the SPIRE constructs about one prop or field (`subject`), or about the props as a whole. */
export function spireFinding(subject: string | undefined, message: string, fix: string): Finding {
  return { severity: 'error', source: 'spire', ...(subject === undefined ? {} : { subject }), message, fix };
}

/**
 * Throws a SpireConfigError for `subject` when any check found something. A check's result is a
 * finding, a list of findings, or undefined when it passed.
 */
export function throwIfFindings(subject: string, checks: ReadonlyArray<Finding | readonly Finding[] | undefined>): void {
  const findings = checks.flatMap((c): readonly Finding[] => (c === undefined ? [] : 'severity' in c ? [c] : c));
  if (findings.length > 0) throw new SpireConfigError(subject, findings);
}

/**
 * Fields of the data that spire-controller-manager passes to ClusterSPIFFEID templates
 * (spiffe/spire-controller-manager pkg/spireentry/entries.go `templateData`, v0.6.0).
 */
export const TEMPLATE_FIELDS: readonly string[] = [
  'TrustDomain',
  'ClusterName',
  'ClusterDomain',
  'PodMeta',
  'PodSpec',
  'NodeMeta',
  'NodeSpec',
];

const SPIFFE_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
// Go's time.ParseDuration units (metav1.Duration and SPIRE's TTLs).
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** A name close to `value` for fix hints: lowercase, other characters replaced by '-', within `maxLength`. */
function suggestName(value: string, allowDots: boolean, maxLength: number, fallback: string): string {
  const trim = (s: string) => s.replace(/^[-.]+|[-.]+$/g, '');
  const replaced = value.toLowerCase().replace(allowDots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-');
  return trim(trim(replaced).slice(0, maxLength)) || fallback;
}

/** A valid Kubernetes object name close to `value`, for fix hints. */
export function suggestObjectName(value: string): string {
  return suggestName(value, true, 253, 'my-object');
}

/** A Kubernetes object name (DNS-1123 subdomain). */
export function objectNameProblem(field: string, value: string): Finding | undefined {
  if (isDns1123Subdomain(value)) return undefined;
  return spireFinding(
    field,
    `'${value}' is not a valid Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    `use a name such as '${suggestObjectName(value)}'`,
  );
}

/** A Kubernetes namespace name (DNS-1123 label). */
export function namespaceNameProblem(field: string, value: string): Finding | undefined {
  if (isDns1123Label(value)) return undefined;
  return spireFinding(
    field,
    `'${value}' is not a valid Kubernetes namespace name (lowercase letters, digits and '-', at most 63 characters)`,
    `use a name such as '${suggestName(value, false, 63, 'my-namespace')}'`,
  );
}

/** A SPIFFE trust domain name (no scheme). */
export function trustDomainNameProblem(field: string, value: string): Finding | undefined {
  const p = trustDomainProblem(value);
  return p ? spireFinding(field, p.problem, p.fix) : undefined;
}

/**
 * The trust domain and k8s_psat cluster name of a server, agent or controller manager: a SPIFFE trust
 * domain name, and a Kubernetes object name (it is also the controller manager's entry ID prefix).
 */
export function clusterIdentityProblems(trustDomain: string, clusterName: string): Array<Finding | undefined> {
  return [trustDomainNameProblem('trustDomain', trustDomain), objectNameProblem('clusterName', clusterName)];
}

/**
 * A SPIFFE ID (`spiffe://<trust domain>/<path>`, spiffe/spiffe standards/SPIFFE-ID.md §2): lowercase
 * trust domain, path segments of letters, digits, '.', '-' and '_', no empty, '.' or '..' segment, no
 * trailing '/', no query or fragment. `requirePath` rejects the bare trust domain ID.
 */
export function spiffeIdProblem(field: string, value: string, options: { requirePath?: boolean } = {}): Finding | undefined {
  const bad = (why: string, fix: string): Finding => spireFinding(field, `'${value}' is not a valid SPIFFE ID: ${why}`, fix);
  if (!value.startsWith('spiffe://'))
    return bad(
      "it must start with 'spiffe://'",
      `write it as 'spiffe://<trust domain>/<path>', e.g. 'spiffe://example.org/ns/default/sa/default'`,
    );
  if (value.length > 2048) return bad('it is longer than 2048 characters', 'shorten the path');
  const rest = value.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const td = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash);
  const tdProblem = trustDomainProblem(td);
  if (td === '' || tdProblem)
    return bad(
      `trust domain '${td}' is not valid (lowercase letters, digits, '.', '-' and '_' only; no port, user or scheme)`,
      `use a trust domain such as '${td.toLowerCase().replace(/[^a-z0-9._-]+/g, '-') || 'example.org'}'`,
    );
  if (/[?#]/.test(path)) return bad('it has a query or fragment', "remove everything from '?' or '#'");
  if (path === '') {
    return options.requirePath
      ? bad('it has no path (a workload ID cannot be the trust domain itself)', `add a path, e.g. 'spiffe://${td}/ns/default/sa/default'`)
      : undefined;
  }
  if (path.endsWith('/')) return bad("it ends with '/'", 'remove the trailing slash');
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') return bad('it has an empty path segment (//)', "remove the doubled '/'");
    if (segment === '.' || segment === '..') return bad(`it has a '${segment}' path segment`, "remove '.' and '..' segments");
    if (!SPIFFE_PATH_SEGMENT.test(segment))
      return bad(
        `path segment '${segment}' has characters other than letters, digits, '.', '-' and '_'`,
        "replace the other characters, e.g. with '-'",
      );
  }
  return undefined;
}

/** Removes Go template string literals, so that dots inside them are not taken for fields. */
function stripStringLiterals(action: string): string {
  return action.replace(/"(\\.|[^"\\])*"/g, '""').replace(/`[^`]*`/g, '``');
}

/**
 * A controller-manager Go template (spiffeIDTemplate, dnsNameTemplates,
 * workloadSelectorTemplates, the parent ID template): balanced `{{ }}`, no empty action, and
 * only the known top-level fields `.TrustDomain .ClusterName .ClusterDomain .PodMeta .PodSpec
 * .NodeMeta .NodeSpec`.
 */
export function templateProblems(field: string, template: string): Finding[] {
  const findings: Finding[] = [];
  const add = (message: string, fix: string) => findings.push(spireFinding(field, `'${template}' ${message}`, fix));
  const actions: string[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    const close = template.indexOf('}}', i);
    if (open === -1 && close === -1) break;
    if (open === -1 || (close !== -1 && close < open)) {
      add(`has a '}}' at offset ${close} without a matching '{{'`, "balance the braces: every '{{' needs one '}}'");
      i = close + 2;
      continue;
    }
    const end = template.indexOf('}}', open + 2);
    const nextOpen = template.indexOf('{{', open + 2);
    if (end === -1) {
      add(`has a '{{' at offset ${open} that is never closed`, "close it with '}}', e.g. '{{ .TrustDomain }}'");
      break;
    }
    if (nextOpen !== -1 && nextOpen < end) {
      add(`has a '{{' at offset ${open} that is not closed before the next '{{'`, "close it with '}}', e.g. '{{ .TrustDomain }}'");
      i = nextOpen;
      continue;
    }
    actions.push(template.slice(open + 2, end));
    i = end + 2;
  }
  const knownFields = TEMPLATE_FIELDS.map((f) => `.${f}`).join(' ');
  for (const action of actions) {
    const code = stripStringLiterals(action.replace(/^-\s/, '').replace(/\s-$/, ''));
    if (code.trim() === '') {
      add("has an empty '{{ }}'", `put a field inside, one of ${knownFields}`);
      continue;
    }
    // A field chain starts at a '.' that does not follow an identifier, ')', ']' or another '.'.
    for (const m of code.matchAll(/(^|[^\w.)\]])\.([A-Za-z_]\w*)/g)) {
      const name = m[2];
      if (!TEMPLATE_FIELDS.includes(name)) {
        const hint = ['Namespace', 'Name', 'Labels', 'Annotations', 'UID'].includes(name)
          ? `: did you mean .PodMeta.${name}?`
          : name === 'ServiceAccountName'
            ? ': did you mean .PodSpec.ServiceAccountName?'
            : '';
        add(`uses unknown template field '.${name}'${hint}`, `use only the fields the controller manager provides: ${knownFields}`);
      }
    }
  }
  return findings;
}

/** A label selector as spiremesh accepts it (Kubernetes `LabelSelector`, typed operator). */
export interface SpireLabelSelector {
  /**
   * Labels that must all match exactly.
   * @default - none
   */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /**
   * Requirements that must all hold.
   * @default - none
   */
  readonly matchExpressions?: readonly SpireLabelSelectorRequirement[];
}

/** One requirement of a label selector. */
export interface SpireLabelSelectorRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /**
   * Values for `IN` / `NOT_IN` (at least one); must be absent for `EXISTS` / `DOES_NOT_EXIST`.
   * @default - none
   */
  readonly values?: readonly string[];
}

/** True when the selector selects everything (absent, or without labels and expressions). */
export function isEmptySelector(selector: SpireLabelSelector | undefined): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

export function selectorProblems(field: string, selector: SpireLabelSelector | undefined): Finding[] {
  if (!selector) return [];
  const findings: Finding[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (key === '') findings.push(spireFinding(`${field}.matchLabels`, 'a label key is empty', 'remove it or name the label'));
    const p = labelValueProblem(value);
    if (p) findings.push(spireFinding(`${field}.matchLabels['${key}']`, p, 'use a valid label value'));
  }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const where = `${field}.matchExpressions[${i}] (key '${e.key}')`;
    if (e.key === '') findings.push(spireFinding(`${field}.matchExpressions[${i}]`, 'the key is empty', 'name the label'));
    const values = e.values ?? [];
    const needsValues = e.operator === LabelSelectorOperator.IN || e.operator === LabelSelectorOperator.NOT_IN;
    if (needsValues && values.length === 0) {
      findings.push(
        spireFinding(
          where,
          `operator ${e.operator.value} needs at least one value`,
          `add values, or use LabelSelectorOperator.${e.operator === LabelSelectorOperator.IN ? 'EXISTS' : 'DOES_NOT_EXIST'}`,
        ),
      );
    }
    if (!needsValues && values.length > 0) {
      findings.push(
        spireFinding(
          where,
          `operator ${e.operator.value} takes no values, got [${values.join(', ')}]`,
          'remove values, or use LabelSelectorOperator.IN / NOT_IN',
        ),
      );
    }
  });
  return findings;
}

/** The selector in the CRD's JSON shape (undefined when absent). */
export function selectorToJson(
  selector: SpireLabelSelector | undefined,
): { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined {
  if (!selector) return undefined;
  const labels = selector.matchLabels && Object.keys(selector.matchLabels).length > 0 ? { ...selector.matchLabels } : undefined;
  const expressions =
    selector.matchExpressions && selector.matchExpressions.length > 0
      ? selector.matchExpressions.map((e) => ({
          key: e.key,
          operator: e.operator.value,
          ...(e.values && e.values.length > 0 ? { values: [...e.values] } : {}),
        }))
      : undefined;
  if (!labels && !expressions) return undefined;
  return { ...(labels ? { matchLabels: labels } : {}), ...(expressions ? { matchExpressions: expressions } : {}) };
}

/** A Go duration such as '1h', '90m' or '1h30m'. */
export function durationProblem(field: string, value: string | undefined): Finding | undefined {
  if (value === undefined || GO_DURATION.test(value)) return undefined;
  return spireFinding(field, `'${value}' is not a duration`, "write it as Go duration, e.g. '1h', '90m' or '1h30m'");
}

/** `federatesWith` entries: trust domain names (go-spiffe also accepts `spiffe://<td>`). */
export function federatesWithProblems(field: string, values: readonly string[] | undefined): Finding[] {
  return (values ?? []).flatMap((v, i) => {
    const td = v.startsWith('spiffe://') ? v.slice('spiffe://'.length) : v;
    return trustDomainNameProblem(`${field}[${i}]`, td) ?? [];
  });
}
