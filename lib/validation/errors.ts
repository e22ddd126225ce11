/**
 * Turns ajv's error list into short, field-precise messages.
 *
 * ajv reports a failed anyOf/oneOf as "must match a schema in anyOf" preceded by the errors of every
 * alternative, most of which are noise (the alternatives the author never meant). We collapse each
 * such group to the errors of the alternative that got furthest into the value, or, when every
 * alternative failed on the value itself, to one merged "must be integer or string".
 */
import type { ErrorObject } from 'ajv';
import { LIST_MAP_KEYWORD } from './crd-schema';

export interface FieldError {
  /** JSON pointer to the offending field. */
  readonly field: string;
  readonly message: string;
}

/** Synthetic keyword for merged alternatives; params.choices holds "integer", "a valid ipv4", ... */
const MERGED = 'alternatives';
const SHALLOW_KEYWORDS = new Set(['type', 'format', 'const', 'enum', MERGED]);

export function describeErrors(errors: readonly ErrorObject[]): FieldError[] {
  const result: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of collapseAlternatives(errors)) {
    const described = describe(error);
    const key = `${described.field}\u0000${described.message}`;
    if (seen.has(key)) continue; // the same sub-schema reached twice (e.g. allOf) reports twice
    seen.add(key);
    result.push(described);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// anyOf / oneOf
// ---------------------------------------------------------------------------------------------

function collapseAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') {
      out.push(error);
      continue;
    }
    // ajv appends an alternative's errors just before the anyOf/oneOf error itself (nested groups
    // were already collapsed, as their closing error came first), so take the run that precedes it.
    let start = out.length;
    while (start > 0 && belongsToAlternatives(out[start - 1], error)) start--;
    const branchErrors = out.splice(start);
    const severalMatched = error.keyword === 'oneOf' && error.params && (error.params as { passingSchemas?: unknown }).passingSchemas;
    out.push(...(severalMatched ? [error] : pickAlternative(error, branchErrors)));
  }
  return out;
}

function belongsToAlternatives(candidate: ErrorObject, group: ErrorObject): boolean {
  if (!isWithin(candidate.instancePath, group.instancePath)) return false;
  // A sibling keyword of the same schema (e.g. its `type`) is not part of the group. Errors reached
  // through a $ref carry the referenced definition's path, so they cannot be told apart this way.
  const parent = group.schemaPath.slice(0, group.schemaPath.lastIndexOf('/'));
  const sibling =
    candidate.schemaPath.startsWith(parent + '/') &&
    !candidate.schemaPath.startsWith(group.schemaPath + '/') &&
    !candidate.schemaPath.slice(parent.length).startsWith('/definitions/');
  return !sibling;
}

function pickAlternative(group: ErrorObject, branchErrors: ErrorObject[]): ErrorObject[] {
  if (branchErrors.length === 0) return [group];
  if (branchErrors.every((e) => e.instancePath === group.instancePath && SHALLOW_KEYWORDS.has(e.keyword))) {
    const choices = [...new Set(branchErrors.flatMap(choicesOf))];
    return [{ ...group, keyword: MERGED, params: { choices } }];
  }
  const prefix = group.schemaPath + '/';
  const branches = new Map<string, ErrorObject[]>();
  for (const e of branchErrors) {
    const index = e.schemaPath.startsWith(prefix) ? e.schemaPath.slice(prefix.length).split('/')[0] : 'via-ref';
    branches.set(index, [...(branches.get(index) ?? []), e]);
  }
  // The alternative whose failure lies deepest in the value is the one the author was writing;
  // on a tie, the one with fewer errors (then the first one).
  let best: ErrorObject[] = [];
  let bestScore = -1;
  for (const errs of branches.values()) {
    const depth = Math.max(...errs.map(errorDepth));
    const score = depth * 1000 - errs.length;
    if (score > bestScore) {
      best = errs;
      bestScore = score;
    }
  }
  return best;
}

function choicesOf(e: ErrorObject): string[] {
  const params = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'type':
      return typeList(params.type);
    case 'format':
      return [`a valid ${params.format}`];
    case 'const':
      return [quote(params.allowedValue)];
    case 'enum':
      return (params.allowedValues as unknown[]).map(quote);
    case MERGED:
      return params.choices;
    default:
      return [];
  }
}

function errorDepth(e: ErrorObject): number {
  const segments = e.instancePath === '' ? 0 : e.instancePath.split('/').length - 1;
  // These two point at a child field rather than at the value itself.
  return segments + (e.keyword === 'additionalProperties' || e.keyword === 'required' ? 1 : 0);
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(ancestor + '/');
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

function describe(e: ErrorObject): FieldError {
  const params = e.params as Record<string, any>;
  const got = ` (got ${describeValue(e.data)})`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(name, known);
      return { field: child(e.instancePath, name), message: `unknown field '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}` };
    }
    case 'required':
      return {
        field: child(e.instancePath, String(params.missingProperty)),
        message: `missing required field '${params.missingProperty}'`,
      };
    case 'type':
      return { field: e.instancePath, message: `must be ${typeList(params.type).join(' or ')}${got}` };
    case 'const':
      return { field: e.instancePath, message: `must be ${quote(params.allowedValue)}${got}` };
    case 'enum':
      return { field: e.instancePath, message: `must be one of ${listOf((params.allowedValues as unknown[]).map(quote))}${got}` };
    case MERGED:
      return { field: e.instancePath, message: `must be ${listOf(params.choices, 'or')}${got}` };
    case 'format':
      return { field: e.instancePath, message: `must be a valid ${params.format}${got}` };
    case 'pattern':
      return { field: e.instancePath, message: `must match the pattern ${params.pattern}${got}` };
    case 'not':
      return { field: e.instancePath, message: describeNot(e.schema) + got };
    case 'oneOf':
      return params.passingSchemas
        ? {
            field: e.instancePath,
            message: `matches several mutually exclusive alternatives (#${[].concat(params.passingSchemas).join(', #')})`,
          }
        : { field: e.instancePath, message: 'matches none of the allowed alternatives' };
    case 'anyOf':
      return { field: e.instancePath, message: 'matches none of the allowed alternatives' };
    case 'uniqueItems':
      return { field: child(e.instancePath, String(params.i)), message: `duplicates item ${params.j} (the list must not repeat items)` };
    case LIST_MAP_KEYWORD:
      return { field: e.instancePath, message: e.message ?? 'duplicate list entry' };
    default: {
      const message = (e.message ?? `fails '${e.keyword}'`).replace(/\bNOT\b/g, 'not');
      const scalar = e.data === null || typeof e.data !== 'object';
      return { field: e.instancePath, message: scalar ? message + got : message };
    }
  }
}

function describeNot(schema: unknown): string {
  const s = (schema ?? {}) as { enum?: unknown[]; required?: string[]; const?: unknown };
  if (Array.isArray(s.enum)) return `must not be ${listOf(s.enum.map(quote), 'or')}`;
  if (s.const !== undefined) return `must not be ${quote(s.const)}`;
  if (Array.isArray(s.required))
    return `must not set ${listOf(
      s.required.map((r) => `'${r}'`),
      'and',
    )}`;
  return 'must not match the excluded shape';
}

function typeList(type: unknown): string[] {
  return (Array.isArray(type) ? type : String(type).split(',')).map(String);
}

function listOf(items: string[], conjunction?: string): string {
  const shown = items.length > 12 ? [...items.slice(0, 12), `... (${items.length - 12} more)`] : items;
  if (!conjunction || shown.length < 2) return shown.join(', ');
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1]}`;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

/** JSON pointer of a child field (RFC 6901 escaping). */
export function child(pointer: string, name: string): string {
  return `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The known field a typo most likely meant, if any is close enough. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
