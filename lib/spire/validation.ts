/**
 * Checks of SPIFFE IDs, controller-manager templates, selectors and durations, run by the
 * constructs when a mesh is declared. Each problem names the bad value and the fix.
 */
import { labelValueProblem, trustDomainProblem } from '../spec';
import { LabelSelectorOperator } from './choices';

/** One problem with a prop: what is wrong and how to fix it. */
export interface SpireProblem {
  readonly problem: string;
  readonly fix: string;
}

/** Thrown by the SPIRE constructs for invalid props; lists every problem at once. */
export class SpireConfigError extends Error {
  public constructor(
    public readonly subject: string,
    public readonly problems: readonly SpireProblem[],
  ) {
    super(`${subject} is invalid:\n${problems.map((p) => `  ${p.problem}\n      fix: ${p.fix}`).join('\n')}`);
    this.name = 'SpireConfigError';
  }
}

/** Throws a SpireConfigError when `problems` is not empty. */
export function throwIfProblems(subject: string, problems: readonly SpireProblem[]): void {
  if (problems.length > 0) throw new SpireConfigError(subject, problems);
}

/** Fields of the data that spire-controller-manager passes to ClusterSPIFFEID templates (pkg/spireentry). */
export const TEMPLATE_FIELDS: readonly string[] = [
  'TrustDomain',
  'ClusterName',
  'ClusterDomain',
  'PodMeta',
  'PodSpec',
  'NodeMeta',
  'NodeSpec',
];

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SPIFFE_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
// Go's time.ParseDuration units (metav1.Duration and SPIRE's TTLs).
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/** Kubernetes object name (DNS-1123 subdomain). */
export function objectNameProblem(field: string, value: string): SpireProblem | undefined {
  if (value.length <= 253 && DNS1123_SUBDOMAIN.test(value)) return undefined;
  const hint =
    value
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[-.]+|[-.]+$/g, '') || 'my-object';
  return {
    problem: `${field} '${value}' is not a valid Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    fix: `use a name such as '${hint}'`,
  };
}

/** A SPIFFE trust domain name (no scheme). */
export function trustDomainNameProblem(field: string, value: string): SpireProblem | undefined {
  const p = trustDomainProblem(value);
  return p ? { problem: `${field} ${p.problem}`, fix: p.fix } : undefined;
}

/**
 * A SPIFFE ID (`spiffe://<trust domain>/<path>`, SPIFFE ID spec §2): lowercase trust domain,
 * path segments of letters, digits, '.', '-' and '_', no empty, '.' or '..' segment, no trailing
 * '/', no query or fragment. `requirePath` rejects the bare trust domain ID.
 */
export function spiffeIdProblem(field: string, value: string, options: { requirePath?: boolean } = {}): SpireProblem | undefined {
  const bad = (why: string, fix: string): SpireProblem => ({ problem: `${field} '${value}' is not a valid SPIFFE ID: ${why}`, fix });
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
export function templateProblems(field: string, template: string): SpireProblem[] {
  const problems: SpireProblem[] = [];
  const actions: string[] = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{{', i);
    const close = template.indexOf('}}', i);
    if (open === -1 && close === -1) break;
    if (open === -1 || (close !== -1 && close < open)) {
      problems.push({
        problem: `${field} '${template}' has a '}}' at offset ${close} without a matching '{{'`,
        fix: "balance the braces: every '{{' needs one '}}'",
      });
      i = close + 2;
      continue;
    }
    const end = template.indexOf('}}', open + 2);
    const nextOpen = template.indexOf('{{', open + 2);
    if (end === -1) {
      problems.push({
        problem: `${field} '${template}' has a '{{' at offset ${open} that is never closed`,
        fix: "close it with '}}', e.g. '{{ .TrustDomain }}'",
      });
      break;
    }
    if (nextOpen !== -1 && nextOpen < end) {
      problems.push({
        problem: `${field} '${template}' has a '{{' at offset ${open} that is not closed before the next '{{'`,
        fix: "close it with '}}', e.g. '{{ .TrustDomain }}'",
      });
      i = nextOpen;
      continue;
    }
    actions.push(template.slice(open + 2, end));
    i = end + 2;
  }
  for (const action of actions) {
    const code = stripStringLiterals(action.replace(/^-\s/, '').replace(/\s-$/, ''));
    if (code.trim() === '') {
      problems.push({
        problem: `${field} '${template}' has an empty '{{ }}'`,
        fix: `put a field inside, one of ${TEMPLATE_FIELDS.map((f) => `.${f}`).join(' ')}`,
      });
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
        problems.push({
          problem: `${field} '${template}' uses unknown template field '.${name}'${hint}`,
          fix: `use only the fields the controller manager provides: ${TEMPLATE_FIELDS.map((f) => `.${f}`).join(' ')}`,
        });
      }
    }
  }
  return problems;
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

export function selectorProblems(field: string, selector: SpireLabelSelector | undefined): SpireProblem[] {
  if (!selector) return [];
  const problems: SpireProblem[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (key === '') problems.push({ problem: `${field}.matchLabels has an empty key`, fix: 'remove it or name the label' });
    const p = labelValueProblem(value);
    if (p) problems.push({ problem: `${field}.matchLabels['${key}']: ${p}`, fix: 'use a valid label value' });
  }
  (selector.matchExpressions ?? []).forEach((e, i) => {
    const where = `${field}.matchExpressions[${i}] (key '${e.key}')`;
    if (e.key === '') problems.push({ problem: `${field}.matchExpressions[${i}] has an empty key`, fix: 'name the label' });
    const values = e.values ?? [];
    const needsValues = e.operator === LabelSelectorOperator.IN || e.operator === LabelSelectorOperator.NOT_IN;
    if (needsValues && values.length === 0) {
      problems.push({
        problem: `${where}: operator ${e.operator.value} needs at least one value`,
        fix: `add values, or use LabelSelectorOperator.${e.operator === LabelSelectorOperator.IN ? 'EXISTS' : 'DOES_NOT_EXIST'}`,
      });
    }
    if (!needsValues && values.length > 0) {
      problems.push({
        problem: `${where}: operator ${e.operator.value} takes no values, got [${values.join(', ')}]`,
        fix: 'remove values, or use LabelSelectorOperator.IN / NOT_IN',
      });
    }
  });
  return problems;
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
export function durationProblem(field: string, value: string | undefined): SpireProblem | undefined {
  if (value === undefined || GO_DURATION.test(value)) return undefined;
  return { problem: `${field} '${value}' is not a duration`, fix: "write it as Go duration, e.g. '1h', '90m' or '1h30m'" };
}

/** `federatesWith` entries: trust domain names (go-spiffe also accepts `spiffe://<td>`). */
export function federatesWithProblems(field: string, values: readonly string[] | undefined): SpireProblem[] {
  return (values ?? []).flatMap((v, i) => {
    const td = v.startsWith('spiffe://') ? v.slice('spiffe://'.length) : v;
    const p = trustDomainProblem(td);
    return p ? [{ problem: `${field}[${i}] ${p.problem}`, fix: p.fix }] : [];
  });
}
