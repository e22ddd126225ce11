/**
 * Turns a CRD's structural openAPIV3Schema (OpenAPI 3.0 dialect + x-kubernetes-* extensions) into
 * a draft-07 schema for ajv that is strict the way the gate wants:
 *  - an object schema with `properties` and neither `additionalProperties` nor
 *    `x-kubernetes-preserve-unknown-fields: true` is closed (unknown fields are errors, where the
 *    API server would silently prune them);
 *  - `x-kubernetes-preserve-unknown-fields` leaves the node open, `x-kubernetes-int-or-string`
 *    becomes integer|string, `nullable` admits null;
 *  - `x-kubernetes-list-type: map|set` become uniqueness checks (the API server rejects duplicates);
 *  - formats outside KNOWN_FORMATS, CEL rules (x-kubernetes-validations) and annotations are dropped.
 */
import { KNOWN_FORMATS } from './formats';

export type JsonSchema = { [keyword: string]: unknown };

/** Custom ajv keyword (see schema-registry.ts) that checks x-kubernetes-list-type=map uniqueness. */
export const LIST_MAP_KEYWORD = 'k8sListMapKeys';

export interface ListMapKeys {
  readonly keys: string[];
  /** Defaults of key fields: an item that omits a defaulted key still collides on the default. */
  readonly defaults: Record<string, unknown>;
}

/** Keywords copied unchanged: value validations that mean the same in OpenAPI 3.0 and draft-07. */
const VALUE_KEYWORDS = [
  'enum',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
] as const;

const LOGIC_KEYWORDS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * @param structural false inside allOf/anyOf/oneOf/not: those branches only add value checks, so
 *   closing an object there would reject fields that the structural schema allows.
 */
export function crdToAjvSchema(schema: unknown, structural = true): JsonSchema | boolean {
  if (typeof schema === 'boolean') return schema;
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return {};
  const s = schema as Record<string, any>;
  const out: JsonSchema = {};
  const preserveUnknown = s['x-kubernetes-preserve-unknown-fields'] === true;
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const nullable = s.nullable === true;

  let types: string[] | undefined = typeof s.type === 'string' ? [s.type] : undefined;
  if (intOrString) types = ['integer', 'string'];
  if (types && nullable) types.push('null');
  if (types) out.type = types.length === 1 ? types[0] : types;

  for (const keyword of VALUE_KEYWORDS) {
    if (s[keyword] !== undefined) out[keyword] = s[keyword];
  }
  if (Array.isArray(out.enum) && nullable && !out.enum.includes(null)) out.enum = [...out.enum, null];
  if (typeof out.pattern === 'string' && !compiles(out.pattern)) delete out.pattern; // RE2-only syntax
  // OpenAPI 3.0 spells exclusive bounds as booleans next to minimum/maximum.
  if (s.exclusiveMinimum === true && typeof s.minimum === 'number') {
    out.exclusiveMinimum = s.minimum;
    delete out.minimum;
  }
  if (s.exclusiveMaximum === true && typeof s.maximum === 'number') {
    out.exclusiveMaximum = s.maximum;
    delete out.maximum;
  }
  if (typeof s.format === 'string' && KNOWN_FORMATS.has(s.format)) out.format = s.format;

  if (s.properties && typeof s.properties === 'object') {
    out.properties = Object.fromEntries(Object.entries(s.properties).map(([name, sub]) => [name, crdToAjvSchema(sub, structural)]));
  }
  if (s.items !== undefined && !Array.isArray(s.items)) out.items = crdToAjvSchema(s.items, structural);
  if (typeof s.additionalProperties === 'boolean') out.additionalProperties = s.additionalProperties;
  else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    out.additionalProperties = crdToAjvSchema(s.additionalProperties, structural);
  }
  if (structural && out.properties && s.additionalProperties === undefined && !preserveUnknown) {
    out.additionalProperties = false;
  }

  for (const keyword of LOGIC_KEYWORDS) {
    if (!Array.isArray(s[keyword])) continue;
    // int-or-string fields repeat their two types as anyOf; out.type already says it.
    if (intOrString && keyword === 'anyOf' && s.anyOf.every(isBareType)) continue;
    out[keyword] = s[keyword].map((branch: unknown) => crdToAjvSchema(branch, false));
  }
  if (s.not !== undefined) out.not = crdToAjvSchema(s.not, false);

  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') out.uniqueItems = true;
  const mapKeys = s['x-kubernetes-list-map-keys'];
  if (listType === 'map' && Array.isArray(mapKeys) && mapKeys.length > 0) {
    const itemProps = s.items?.properties ?? {};
    const defaults: Record<string, unknown> = {};
    for (const key of mapKeys) if (itemProps[key]?.default !== undefined) defaults[key] = itemProps[key].default;
    const listMap: ListMapKeys = { keys: mapKeys, defaults };
    out[LIST_MAP_KEYWORD] = listMap;
  }
  return out;
}

function isBareType(branch: unknown): boolean {
  return !!branch && typeof branch === 'object' && Object.keys(branch).length === 1 && 'type' in branch;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * The ajv schema for a whole custom resource: the CRD's schema, with apiVersion/kind pinned and
 * metadata checked against the strict Kubernetes ObjectMeta (CRDs only say `type: object`).
 * `status` is whatever the CRD's schema says: checked against it where the CRD declares one, an
 * unknown field where it does not.
 */
export function customResourceSchema(openAPIV3Schema: unknown, apiVersion: string, kind: string, objectMetaRef: string): JsonSchema {
  const converted = crdToAjvSchema(openAPIV3Schema);
  const root: JsonSchema = typeof converted === 'object' ? { ...converted } : {};
  const properties = { ...((root.properties as Record<string, unknown>) ?? {}) };
  properties.apiVersion = { type: 'string', const: apiVersion };
  properties.kind = { type: 'string', const: kind };
  const crdMetadata = (openAPIV3Schema as { properties?: Record<string, any> } | undefined)?.properties?.metadata;
  properties.metadata = crdMetadata?.properties
    ? { allOf: [{ $ref: objectMetaRef }, crdToAjvSchema(crdMetadata, false)] } // e.g. a name length limit
    : { $ref: objectMetaRef };
  root.type = 'object';
  root.properties = properties;
  root.required = [...new Set(['apiVersion', 'kind', ...((root.required as string[]) ?? [])])];
  const rootPreserves = (openAPIV3Schema as Record<string, unknown> | undefined)?.['x-kubernetes-preserve-unknown-fields'] === true;
  if (root.additionalProperties === undefined && !rootPreserves) root.additionalProperties = false;
  return root;
}
