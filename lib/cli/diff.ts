/**
 * An object-level diff between the output folder and a fresh in-memory synth (`spiremesh diff`,
 * `synth --check`): the old side is read from the disk, the new side is the synth's planned writes
 * (`SynthesisResult.plannedWrites`, nothing is written). Objects are matched per top-level directory
 * (a cluster, `_fleet`) by kind, namespace and name; a changed object lists its changed field paths
 * with short old → new values.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** One changed field of an object (or of a generated file such as kustomization.yaml). */
export interface FieldChange {
  /** e.g. `spec.template.spec.containers[name=discovery].image`. */
  readonly path: string;
  /** Short rendering of the old value; `(absent)` when the field is new. */
  readonly old: string;
  /** Short rendering of the new value; `(absent)` when the field was removed. */
  readonly new: string;
}

/** One added, removed or changed object (or non-object file). */
export interface ObjectChange {
  readonly change: 'added' | 'removed' | 'changed';
  /** Top-level directory of the output folder: the cluster, `_fleet`, or '' for a file at the top (README.md). */
  readonly dir: string;
  /** File path relative to the output folder (the new file, for an object that moved). */
  readonly file: string;
  /** Absent for a file that is not a Kubernetes object (kustomization.yaml, the index, README.md). */
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** For `changed`: the changed fields (a text file other than YAML: one entry per changed line range). */
  readonly fields: readonly FieldChange[];
}

const MAX_VALUE = 80;
const ABSENT = '(absent)';

/** A short rendering of a value: JSON, cut to a readable length. */
export function shortValue(value: unknown): string {
  if (value === undefined) return ABSENT;
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= MAX_VALUE ? text : `${text.slice(0, MAX_VALUE - 1)}…`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function keyPath(base: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? (base ? `${base}.${key}` : key) : `${base}[${JSON.stringify(key)}]`;
}

/** The field that identifies the elements of an array of objects (`name`, `path`...), when every element has a unique one. */
function identityKey(a: readonly unknown[], b: readonly unknown[]): string | undefined {
  for (const key of ['name', 'path', 'key', 'mountPath']) {
    const ids = (list: readonly unknown[]) => list.map((e) => (isObject(e) ? e[key] : undefined));
    const all = [...ids(a), ...ids(b)];
    const unique = (list: unknown[]) => new Set(list).size === list.length;
    if (all.every((v) => typeof v === 'string' || typeof v === 'number') && unique(ids(a)) && unique(ids(b))) return key;
  }
  return undefined;
}

/** The changed fields between two parsed documents. */
export function fieldChanges(a: unknown, b: unknown, base = '', out: FieldChange[] = []): FieldChange[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])]) fieldChanges(a[key], b[key], keyPath(base, key), out);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const id = identityKey(a, b);
    if (id !== undefined) {
      const byId = (list: unknown[]) => new Map(list.map((e) => [String((e as Record<string, unknown>)[id]), e]));
      const [oldById, newById] = [byId(a), byId(b)];
      for (const k of [...new Set([...oldById.keys(), ...newById.keys()])])
        fieldChanges(oldById.get(k), newById.get(k), `${base}[${id}=${k}]`, out);
      return out;
    }
    if (a.every((e) => !isObject(e) && !Array.isArray(e)) && b.every((e) => !isObject(e) && !Array.isArray(e))) {
      // A list of scalars (kustomization resources, args): what was added and removed, when the order is all that stayed.
      const [as, bs] = [a.map((e) => JSON.stringify(e)), b.map((e) => JSON.stringify(e))];
      const removed = as.filter((e) => !bs.includes(e));
      const added = bs.filter((e) => !as.includes(e));
      if (added.length + removed.length > 0) {
        for (const e of removed) out.push({ path: base, old: shortValue(JSON.parse(e)), new: ABSENT });
        for (const e of added) out.push({ path: base, old: ABSENT, new: shortValue(JSON.parse(e)) });
        return out;
      }
      out.push({ path: `${base} (order)`, old: shortValue(a), new: shortValue(b) });
      return out;
    }
    if (a.length === b.length) {
      a.forEach((e, i) => fieldChanges(e, b[i], `${base}[${i}]`, out));
      return out;
    }
  }
  if (typeof a === 'string' && typeof b === 'string' && (a.includes('\n') || b.includes('\n'))) {
    out.push(...lineChanges(a, b, base));
    return out;
  }
  out.push({ path: base || '(document)', old: shortValue(a), new: shortValue(b) });
  return out;
}

/** Longest texts compared line by line (an LCS table of lines × lines); longer ones are compared by position. */
const MAX_LCS_CELLS = 4_000_000;

/**
 * Changed lines of a multi-line text (an embedded config file, the review page), from a longest-common-subsequence
 * alignment: a line replaced is one entry `line N: old → new`, a line inserted or deleted has `(absent)` on one side.
 * N is the line number in the new text (in the old one for a deletion).
 */
function lineChanges(a: string, b: string, base: string): FieldChange[] {
  const [al, bl] = [a.split('\n'), b.split('\n')];
  const prefix = base ? `${base} ` : '';
  const out: FieldChange[] = [];
  if (al.length * bl.length > MAX_LCS_CELLS) {
    for (let i = 0; i < Math.max(al.length, bl.length); i++) {
      if (al[i] !== bl[i]) out.push({ path: `${prefix}line ${i + 1}`, old: shortValue(al[i]), new: shortValue(bl[i]) });
    }
    return out;
  }
  // lcs[i][j]: length of the LCS of al[i..] and bl[j..].
  const lcs = Array.from({ length: al.length + 1 }, () => new Uint32Array(bl.length + 1));
  for (let i = al.length - 1; i >= 0; i--) {
    for (let j = bl.length - 1; j >= 0; j--) lcs[i][j] = al[i] === bl[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  let [i, j] = [0, 0];
  const removed: { line: number; text: string }[] = [];
  const added: { line: number; text: string }[] = [];
  const flush = () => {
    // Pair the deletions and insertions of one hunk as replacements.
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const [r, x] = [removed[k], added[k]];
      out.push({ path: `${prefix}line ${x?.line ?? r.line}`, old: shortValue(r?.text), new: shortValue(x?.text) });
    }
    removed.length = 0;
    added.length = 0;
  };
  while (i < al.length || j < bl.length) {
    if (i < al.length && j < bl.length && al[i] === bl[j]) {
      flush();
      i++;
      j++;
    } else if (j < bl.length && (i === al.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      added.push({ line: j + 1, text: bl[j] });
      j++;
    } else {
      removed.push({ line: i + 1, text: al[i] });
      i++;
    }
  }
  flush();
  return out;
}

interface Doc {
  readonly dir: string;
  readonly file: string;
  readonly identity: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly value: unknown;
}

/** The documents of a file: Kubernetes objects by identity, anything else as the file itself. */
function documentsOf(outdir: string, file: string, text: string): Doc[] {
  const rel = path.relative(outdir, file).split(path.sep).join('/');
  const dir = rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : '';
  if (!/\.ya?ml$/.test(rel)) return [{ dir, file: rel, identity: `file ${rel}`, value: text }];
  let values: unknown[];
  try {
    values = parseAllDocuments(text).map((d) => d.toJS());
  } catch {
    return [{ dir, file: rel, identity: `file ${rel}`, value: text }];
  }
  return values.map((value, i) => {
    const meta = isObject(value) && isObject(value.metadata) ? value.metadata : undefined;
    if (isObject(value) && typeof value.kind === 'string' && meta && typeof meta.name === 'string') {
      const namespace = typeof meta.namespace === 'string' ? meta.namespace : undefined;
      const api = typeof value.apiVersion === 'string' ? value.apiVersion.replace(/\/?v[0-9][a-z0-9]*$/, '') : '';
      return {
        dir,
        file: rel,
        identity: `${api} ${value.kind} ${namespace ?? ''}/${meta.name}`,
        kind: value.kind,
        namespace,
        name: meta.name,
        value,
      };
    }
    return { dir, file: rel, identity: `file ${rel}${values.length > 1 ? `#${i}` : ''}`, value };
  });
}

/**
 * What differs between the output folder and the planned writes of a synth: per top-level directory, objects
 * added, removed and changed (with their fields). Files a synth leaves unchanged are not read.
 */
export function diffPlannedWrites(outdir: string, plannedWrites: ReadonlyMap<string, string | null>): ObjectChange[] {
  const before: Doc[] = [];
  const after: Doc[] = [];
  for (const [file, content] of [...plannedWrites].sort(([a], [b]) => a.localeCompare(b))) {
    let old: string | undefined;
    try {
      old = fs.readFileSync(file, 'utf8');
    } catch {
      old = undefined; // a file the synth creates
    }
    if (old !== undefined) before.push(...documentsOf(outdir, file, old));
    if (content !== null) after.push(...documentsOf(outdir, file, content));
  }
  const key = (d: Doc) => `${d.dir}\u0000${d.identity}`;
  const oldByKey = new Map(before.map((d) => [key(d), d]));
  const newByKey = new Map(after.map((d) => [key(d), d]));
  const changes: ObjectChange[] = [];
  const describe = (d: Doc) => ({ dir: d.dir, file: d.file, kind: d.kind, namespace: d.namespace, name: d.name });
  for (const [k, d] of newByKey) {
    const old = oldByKey.get(k);
    if (!old) changes.push({ change: 'added', ...describe(d), fields: [] });
    else {
      const fields = fieldChanges(old.value, d.value);
      if (fields.length > 0) changes.push({ change: 'changed', ...describe(d), fields });
    }
  }
  for (const [k, d] of oldByKey) if (!newByKey.has(k)) changes.push({ change: 'removed', ...describe(d), fields: [] });
  const order = { removed: 0, changed: 1, added: 2 };
  return changes.sort((a, b) => a.dir.localeCompare(b.dir) || a.file.localeCompare(b.file) || order[a.change] - order[b.change]);
}

const SIGN = { added: '+', removed: '-', changed: '~' } as const;

/** `Deployment istio-system/istiod`, or the file name of a non-object file. */
export function subjectOf(c: ObjectChange): string {
  if (c.kind === undefined) return c.file;
  return `${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`;
}

/** Most fields listed per object in the text rendering (the JSON lists them all). */
const MAX_FIELDS = 12;

/** The field lines of one change, indented. */
export function formatFieldLines(c: ObjectChange, indent: string): string[] {
  const lines = c.fields.slice(0, MAX_FIELDS).map((f) => `${indent}${f.path}: ${f.old} → ${f.new}`);
  if (c.fields.length > MAX_FIELDS) lines.push(`${indent}… and ${c.fields.length - MAX_FIELDS} more field(s)`);
  return lines;
}

/** The diff as text: per directory, `+`/`-`/`~` object lines, each changed object with its fields. */
export function formatDiff(changes: readonly ObjectChange[]): string {
  const lines: string[] = [];
  let dir: string | undefined;
  for (const c of changes) {
    if (c.dir !== dir) {
      dir = c.dir;
      lines.push(dir === '' ? '(output folder)' : `${dir}:`);
    }
    lines.push(`  ${SIGN[c.change]} ${subjectOf(c)}${c.kind !== undefined ? `  (${c.file})` : ''}`);
    lines.push(...formatFieldLines(c, '      '));
  }
  return lines.join('\n');
}
