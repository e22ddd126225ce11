/**
 * Fast, byte-identical paths for the YAML texts spiremesh writes and reads back.
 *
 * Every text here is exactly what cdk8s' `Yaml.stringify` (the `yaml` package with
 * `{ keepUndefined: true, lineWidth: 0, version: '1.1' }`, node_modules/cdk8s/lib/yaml.js) or
 * `yaml`'s `parse` would give; the fast paths only take inputs for which that is provable, and
 * hand every other input to the library.
 *
 * - Manifests: one object's text depends only on its JSON structure (key order and values) when
 *   it is plain JSON (no undefined, no non-finite number or -0, no class instance, no `toJSON`, no
 *   object reached twice, which `yaml` would write as an anchor and alias). Such objects are
 *   rendered once per distinct `JSON.stringify` text; a fleet repeats most of them across
 *   clusters (each peer's east-west Gateway is the same object in every other cluster).
 * - Index and kustomization: block lists of strings that `yaml` writes as plain scalars
 *   (paths, sha256 digests, object descriptions) are built as strings.
 * - Reading an index back: an index in that same shape is read line by line (only what the
 *   reader uses: the mesh and the files); any other text goes through `yaml`'s parser.
 */
import { Yaml } from 'cdk8s';
import { Document as YamlDocument } from 'yaml';

// Manifests -------------------------------------------------------------------------------------

/** True when `value` is plain JSON that `yaml` renders as a function of its `JSON.stringify` text alone. */
function isPlainJson(value: unknown, seen: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // JSON writes NaN and Infinity as null and -0 as 0; yaml writes .nan, .inf and -0.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      // yaml writes an object reached a second time as an alias (*a1) of the first (&a1).
      if (seen.has(value)) return false;
      seen.add(value);
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) {
          // A hole: JSON writes null, yaml iterates it as undefined.
          if (!(i in value) || !isPlainJson(value[i], seen)) return false;
        }
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      // Class instances (Date, Map, ...) and iterables render by their own rules in yaml.
      if ((proto !== Object.prototype && proto !== null) || Symbol.iterator in value) return false;
      for (const key of Object.keys(value)) {
        // Undefined (yaml writes null with keepUndefined, JSON drops the key), functions (toJSON), symbols, bigints: no.
        if (!isPlainJson((value as Record<string, unknown>)[key], seen)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/*
 * Manifests written without the yaml library, for the objects where its output is fixed by a few rules
 * (yaml/dist/stringify/: stringifyCollection.js, stringifyPair.js, stringifyString.js, stringifyNumber.js, with cdk8s'
 * options): block mappings and sequences indented by two, a sequence under a key indented by two more, `{}` and `[]`
 * for empty ones; numbers as JSON writes them, `true`, `false`, `null`; a string plain when yaml's plainString keeps
 * it plain (no indicator, and no YAML 1.1 tag of another type matches it, tested with yaml's own tags), else in double
 * quotes when that is the same text as JSON's (printable ASCII without `"` or `\`). Any other string (a line break,
 * a quote, a backslash, non-ASCII) and the object is left to yaml.
 */
const YAML_11_OTHER_TYPES: readonly RegExp[] = (() => {
  const schema = new YamlDocument(null, { version: '1.1' }).schema as unknown as {
    tags: readonly { default?: boolean; tag: string; test?: RegExp }[];
    compat?: readonly { default?: boolean; tag: string; test?: RegExp }[] | null;
  };
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test instanceof RegExp)
    .map((t) => t.test as RegExp);
})();
/** plainString's test of what cannot be plain (yaml/dist/stringify/stringifyString.js). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** A string as yaml writes it (as a key or a value; the same on one line), or undefined when the rules above do not say. */
function scalarString(value: string): string | undefined {
  // `<<` is the YAML 1.1 merge key, whose tag writes it itself (yaml/dist/schema/yaml-1.1/merge.js).
  if (!PRINTABLE_ASCII.test(value) || DOCUMENT_MARKER.test(value) || value === '<<') return undefined;
  if (!NOT_PLAIN.test(value) && !YAML_11_OTHER_TYPES.some((t) => t.test(value))) return value;
  return value.includes('"') || value.includes('\\') ? undefined : `"${value}"`;
}

/** The lines of a non-empty collection at `indent`, joined as stringifyBlockCollection joins them; undefined: not by these rules. */
function emitCollection(value: object, indent: string): string | undefined {
  const parts: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = emitItem(item, `${indent}  `);
      if (text === undefined) return undefined;
      parts.push(`- ${text}`);
    }
  } else {
    for (const key of Object.keys(value)) {
      const k = scalarString(key);
      if (k === undefined || k.length > 1024) return undefined;
      const v = (value as Record<string, unknown>)[key];
      if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
        const inner = emitCollection(v, `${indent}  `);
        if (inner === undefined) return undefined;
        parts.push(`${k}:\n${indent}  ${inner}`);
      } else {
        const text = emitItem(v, `${indent}  `);
        if (text === undefined) return undefined;
        parts.push(`${k}: ${text}`);
      }
    }
  }
  return parts.join(`\n${indent}`);
}

/** A value inside a collection at `indent` (a sequence item, or a scalar or empty value after `key: `). */
function emitItem(value: unknown, indent: string): string | undefined {
  switch (typeof value) {
    case 'string':
      return scalarString(value);
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0) return Array.isArray(value) ? '[]' : '{}';
      return emitCollection(value, indent);
    default:
      return undefined;
  }
}

/** `Yaml.stringify(manifest)` for a plain-JSON mapping by the rules above, or undefined. */
export function emitManifest(manifest: object): string | undefined {
  if (Array.isArray(manifest) || Object.keys(manifest).length === 0) return undefined;
  const text = emitCollection(manifest, '');
  return text === undefined ? undefined : `${text}\n`;
}

/**
 * A cache of manifest texts by the object's JSON text. Bounded: once it holds `maxChars`
 * characters of keys and texts it starts again empty (a long-lived process synthesizing many
 * apps does not grow without end).
 */
export class ManifestYamlCache {
  private readonly texts = new Map<string, string>();
  private chars = 0;

  public constructor(private readonly maxChars = 64 * 1024 * 1024) {}

  /** `Yaml.stringify(manifest)`, rendered once per distinct plain-JSON object. */
  public stringify(manifest: unknown): string {
    if (!isPlainJson(manifest, new Set())) return Yaml.stringify(manifest);
    const key = JSON.stringify(manifest);
    const hit = this.texts.get(key);
    if (hit !== undefined) return hit;
    const text = (typeof manifest === 'object' && manifest !== null && emitManifest(manifest)) || Yaml.stringify(manifest);
    if (this.chars + key.length + text.length > this.maxChars) {
      this.texts.clear();
      this.chars = 0;
    }
    this.texts.set(key, text);
    this.chars += key.length + text.length;
    return text;
  }

  /** Distinct texts held. */
  public get size(): number {
    return this.texts.size;
  }
}

/** The cache every synth of this process shares (manifest texts depend on nothing but the object). */
export const SHARED_MANIFEST_CACHE = new ManifestYamlCache();

// Block lists of plain scalars --------------------------------------------------------------------

/*
 * The strings below are written by yaml as plain scalars in both YAML 1.1 (what cdk8s writes) and
 * YAML 1.2 (what yaml's parse reads): they start with a letter, digit or `_`, contain no indicator
 * (`:`, `#`, quotes, brackets, ...), no leading or trailing space and no control character, and
 * cannot be read as another type (yaml/dist/stringify/stringifyString.js plainString: the
 * indicator test and the schema tags' `test`; yaml/dist/schema/core/ and yaml-1.1/ for the tags):
 * - a path ending in `.yaml` is no number, boolean, null or timestamp;
 * - a description with a space is none either (the only types with spaces, timestamps, need `:`);
 * - a sha256 digest with a letter other than `e` is no number (1.2 floats allow `e` as exponent).
 */
const PLAIN_PATH = /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.yaml$/;
const PLAIN_DESCRIPTION = /^[A-Za-z0-9_][A-Za-z0-9_./ -]* [A-Za-z0-9_./ -]*[A-Za-z0-9_./-]$/;
const PLAIN_SHA256 = /^(?=[0-9a-f]*[a-df])[0-9a-f]{64}$/;

/** True when yaml writes `path` as a plain scalar (see above). */
export function isPlainPath(p: string): boolean {
  return PLAIN_PATH.test(p);
}

/** One entry of an index's `files` list. */
export interface IndexFileEntry {
  readonly path: string;
  readonly sha256: string;
  readonly objects?: readonly string[];
}

/**
 * `Yaml.stringify({ ...head, files })`, with the `files` list (the bulk of an index) built as a
 * string when every value in it is a plain scalar; otherwise the whole document by yaml.
 * (A block mapping's entries are written one after another, so `head` followed by the `files`
 * entry is the text of the whole mapping.)
 */
export function stringifyIndex(head: Record<string, unknown>, files: readonly IndexFileEntry[]): string {
  if (!isPlainIndexList(head, files)) return Yaml.stringify({ ...head, files });
  const parts: string[] = [Yaml.stringify(head), 'files:\n'];
  for (const f of files) {
    parts.push('  - path: ', f.path, '\n    sha256: ', f.sha256, '\n');
    if (f.objects) {
      parts.push('    objects:\n');
      for (const d of f.objects) parts.push('      - ', d, '\n');
    }
  }
  return parts.join('');
}

/** Objects reachable from `value` (yaml aliases an object met twice, across the whole document). */
function collectObjects(value: unknown, into: Set<object>): void {
  if (value === null || typeof value !== 'object' || into.has(value)) return;
  into.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectObjects(v, into);
}

/** True when every value of `files` is a plain scalar, each entry is `{ path, sha256[, objects] }` and no list is met twice. */
function isPlainIndexList(head: Record<string, unknown>, files: readonly IndexFileEntry[]): boolean {
  if (files.length === 0 || Object.keys(head).length === 0 || Object.prototype.hasOwnProperty.call(head, 'files')) return false;
  const seen = new Set<object>();
  collectObjects(head, seen);
  for (const f of files) {
    if (seen.has(f) || Object.getPrototypeOf(f) !== Object.prototype) return false;
    seen.add(f);
    const keys = Object.keys(f);
    if (keys[0] !== 'path' || keys[1] !== 'sha256' || !PLAIN_PATH.test(f.path) || !PLAIN_SHA256.test(f.sha256)) return false;
    if (keys.length === 2) continue;
    const objects = f.objects;
    if (keys.length !== 3 || keys[2] !== 'objects' || !Array.isArray(objects) || objects.length === 0 || seen.has(objects)) return false;
    if (Object.getPrototypeOf(objects) !== Array.prototype) return false;
    seen.add(objects);
    for (let i = 0; i < objects.length; i++) if (typeof objects[i] !== 'string' || !PLAIN_DESCRIPTION.test(objects[i])) return false;
  }
  return true;
}

/** `Yaml.stringify({ ...head, [key]: items })` for a list of paths, built as a string when every path is a plain scalar. */
export function stringifyWithPathList(head: Record<string, unknown>, key: string, items: readonly string[]): string {
  if (
    items.length === 0 ||
    Object.prototype.hasOwnProperty.call(head, key) ||
    Object.keys(head).length === 0 ||
    // A key of letters only that YAML 1.1 would read as a boolean or null is quoted by yaml.
    !/^[a-z][A-Za-z]*$/.test(key) ||
    /^(?:y|yes|n|no|true|false|on|off|null)$/i.test(key) ||
    !items.every((p) => typeof p === 'string' && isPlainPath(p))
  ) {
    return Yaml.stringify({ ...head, [key]: items });
  }
  return `${Yaml.stringify(head)}${key}:\n${items.map((p) => `  - ${p}\n`).join('')}`;
}

// Reading an index ------------------------------------------------------------------------------

/** The lines of the `files:` list, in the shape stringifyIndex writes (the values: the plain scalars above). */
const FILE_PATH_LINE = /^ {2}- path: ([A-Za-z0-9_][A-Za-z0-9_./-]*\.yaml)$/;
const FILE_SHA_LINE = /^ {4}sha256: ((?=[0-9a-f]*[a-df])[0-9a-f]{64})$/;
const FILE_OBJECTS_LINE = '    objects:';
const FILE_OBJECT_LINE = /^ {6}- [A-Za-z0-9_][A-Za-z0-9_./ -]* [A-Za-z0-9_./ -]*[A-Za-z0-9_./-]$/;

/** A mapping key of the header: letters and digits (no merge key `<<`, no `__proto__`, never quoted by yaml). */
const HEADER_KEY_LINE = /^((?: {2})*)([A-Za-z][A-Za-z0-9]{0,63}):(?: (.*))?$/;
const HEADER_ITEM_LINE = /^((?: {2})+)- (.*)$/;
/**
 * A scalar that yaml parses without error as some scalar: plain (printable ASCII, no indicator first, no `: `, ` #`
 * or trailing space or colon), or single- or double-quoted without escapes.
 */
const SAFE_SCALAR = /^(?:(?![-?:,[\]{}#&*!|>'"%@`])[\x21-\x7e][\x20-\x7e]*|"[\x20\x21\x23-\x5b\x5d-\x7e]*"|'[\x20-\x26\x28-\x7e]*')$/;
/** A scalar that yaml's 1.2 core schema reads as exactly this string: a DNS-1123 label that is no boolean or null. */
const PLAIN_NAME = /^(?!(?:true|false|null)$)[a-z](?:[-a-z0-9]*[a-z0-9])?$/;

function isSafeScalar(value: string): boolean {
  return SAFE_SCALAR.test(value) && !value.includes(': ') && !value.includes(' #') && !/[ :]$/.test(value);
}

/** The string a safe scalar of the header stands for, when it provably is one (see PLAIN_NAME); else undefined. */
function nameValue(value: string): string | undefined {
  if (PLAIN_NAME.test(value)) return value;
  if (/^"[\x20\x21\x23-\x5b\x5d-\x7e]*"$/.test(value) || /^'[\x20-\x26\x28-\x7e]*'$/.test(value)) return value.slice(1, -1);
  return undefined;
}

interface Frame {
  readonly indent: number;
  readonly kind: 'map' | 'seq';
  readonly keys: Set<string>;
}

/**
 * The `mesh` of an index header (the lines before `files:`), when the header is a block mapping that yaml provably
 * parses without error: `key: scalar`, `key:` followed by a mapping or a list of scalars indented two more, comments at
 * column 0, no key twice in one mapping. Undefined for anything else (including a `mesh` that is no plain string).
 */
function headerMesh(lines: readonly string[]): string | undefined {
  const stack: Frame[] = [{ indent: 0, kind: 'map', keys: new Set() }];
  let pending: number | undefined; // the indentation of a `key:` with its value on the next lines
  let mesh: string | undefined;
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    const item = HEADER_ITEM_LINE.exec(line);
    const entry = item ? null : HEADER_KEY_LINE.exec(line);
    const match = item ?? entry;
    if (!match) return undefined;
    const indent = match[1].length;
    const kind = item ? 'seq' : 'map';
    if (pending !== undefined && indent === pending + 2) {
      stack.push({ indent, kind, keys: new Set() });
    } else {
      while (stack.length > 1 && stack[stack.length - 1].indent > indent) stack.pop();
      const top = stack[stack.length - 1];
      if (top.indent !== indent || top.kind !== kind) return undefined;
    }
    pending = undefined;
    if (item || !entry) {
      if (!isSafeScalar(match[2])) return undefined;
      continue;
    }
    const [, , key, value] = entry;
    const frame = stack[stack.length - 1];
    if (frame.keys.has(key)) return undefined;
    frame.keys.add(key);
    if (value === undefined) pending = indent;
    else if (!isSafeScalar(value)) return undefined;
    else if (stack.length === 1 && key === 'mesh') {
      mesh = nameValue(value);
      if (mesh === undefined) return undefined;
    }
  }
  // A `files` key in the header would be a second one.
  return stack[0].keys.has('files') ? undefined : mesh;
}

/** What a reader of an index uses: the mesh it names and the files it lists. */
export interface IndexSummary {
  readonly mesh: string;
  readonly files: readonly IndexFileEntry[];
}

/**
 * The `mesh` and `files` of `yaml.parse(text)` for an index in the shape spiremesh writes, without the YAML parser; or
 * undefined when the text is in any other shape (the caller then parses it with yaml, which gives the same values or the
 * error). The last top-level entry must be the `files:` list of `path`, `sha256` and optional `objects` entries, every
 * value a plain scalar; the lines before it must form a block mapping of plain or simply quoted scalars that yaml parses
 * without error (so no document marker, directive, anchor, alias, tag, flow collection or multi-line scalar), naming
 * `mesh` by a plain name.
 */
export function parseIndexText(text: string): IndexSummary | undefined {
  if (text.includes('\r') || !text.endsWith('\n')) return undefined;
  const at = text.startsWith('files:\n') ? 0 : text.indexOf('\nfiles:\n') + 1;
  if (at <= 0) return undefined;
  const mesh = headerMesh(text.slice(0, at - 1).split('\n'));
  if (mesh === undefined) return undefined;
  const lines = text.slice(at + 'files:\n'.length, -1).split('\n');
  const files: IndexFileEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const p = FILE_PATH_LINE.exec(lines[i]);
    const s = i + 1 < lines.length ? FILE_SHA_LINE.exec(lines[i + 1]) : null;
    if (!p || !s) return undefined;
    i += 2;
    if (lines[i] === FILE_OBJECTS_LINE) {
      const objects: string[] = [];
      for (i++; i < lines.length && FILE_OBJECT_LINE.test(lines[i]); i++) objects.push(lines[i].slice(8));
      if (objects.length === 0) return undefined;
      files.push({ path: p[1], sha256: s[1], objects });
    } else {
      files.push({ path: p[1], sha256: s[1] });
    }
  }
  return files.length === 0 ? undefined : { mesh, files };
}
