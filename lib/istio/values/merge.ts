/** Plain-data operations on chart values: leaf paths, deep merge, removal of a path. */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Dotted paths of the leaves of `values` (an empty object is a leaf). */
export function leafPaths(values: object, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) =>
    isPlainObject(v) && Object.keys(v).length > 0 ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

/** Deep merge: `over` wins; arrays are replaced, not concatenated (as Helm merges values files). */
export function mergeValues<T extends object>(base: T, over: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeValues(out[k] as object, v) : v;
  return out as T;
}

/** `values` without the dotted path (parents left empty are dropped too, so no `{}` reaches a chart). */
export function withoutPath(values: Record<string, unknown>, dotted: string): Record<string, unknown> {
  const [head, ...rest] = dotted.split('.');
  if (!(head in values)) return values;
  if (rest.length === 0) {
    const { [head]: _dropped, ...kept } = values;
    return kept;
  }
  const child = values[head];
  if (!isPlainObject(child)) return values;
  const pruned = withoutPath(child, rest.join('.'));
  return Object.keys(pruned).length > 0 ? { ...values, [head]: pruned } : withoutPath(values, head);
}

/** True when setting `leaf` writes `owned` or a value inside or above it. */
export function pathOverlaps(leaf: string, owned: string): boolean {
  return leaf === owned || leaf.startsWith(`${owned}.`) || owned.startsWith(`${leaf}.`);
}
