/**
 * Regenerates the offline JSON Schemas behind the synth-time schema gate (lib/validation).
 *
 *   npx ts-node scripts/import-schemas.ts          write imports/schemas/
 *   npx ts-node scripts/import-schemas.ts --check  regenerate into a temp dir; exit 1 if imports/schemas/ differs
 *
 * Outputs (deterministic: sorted keys, 2-space JSON, trailing newline):
 *   imports/schemas/crds/<group>_<version>_<Kind>.json  one per served version of each CRD in cdk8s.yaml `imports:`
 *   imports/schemas/kubernetes-1.30.json                 every built-in kind, with shared definitions
 *
 * Upstream prose stays out of the project: every schema `description` (and `example`, and CEL rule
 * messages) is dropped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as YAML from 'yaml';
import {
  createFormatter,
  createParser,
  DEFAULT_CONFIG,
  ExposeNodeParser,
  SchemaGenerator,
  type CompletedConfig,
} from 'ts-json-schema-generator';
import { KUBERNETES_SCHEMA_FILE } from '../lib/validation/schema-registry';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const SCHEMAS_DIR = path.join(PROJECT_ROOT, 'imports', 'schemas');
const CRD_SUBDIR = 'crds';

// ---------------------------------------------------------------------------------------------
// Deterministic JSON
// ---------------------------------------------------------------------------------------------

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------------
// cdk8s.yaml and SOURCES.md
// ---------------------------------------------------------------------------------------------

interface CrdImport {
  readonly name: string;
  readonly file: string; // absolute
}

/** Local CRD files named in cdk8s.yaml `imports:` (`name:=path` or a bare path); `k8s` and URLs are skipped. */
function readCrdImports(projectRoot: string): CrdImport[] {
  const config = YAML.parse(fs.readFileSync(path.join(projectRoot, 'cdk8s.yaml'), 'utf8')) ?? {};
  const entries: unknown[] = Array.isArray(config.imports) ? config.imports : [];
  const result: CrdImport[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') continue;
    const sep = entry.indexOf(':=');
    const name = sep >= 0 ? entry.slice(0, sep) : path.basename(entry);
    const source = sep >= 0 ? entry.slice(sep + 2) : entry;
    if (/^[a-z]+:\/\//i.test(source) || !/\.(ya?ml|json)$/i.test(source)) {
      console.warn(`import-schemas: skipping '${entry}' (not a local CRD file)`);
      continue;
    }
    result.push({ name, file: path.resolve(projectRoot, source) });
  }
  return result;
}

export interface CrdSource {
  readonly repository?: string;
  readonly path?: string;
  readonly tag?: string;
  readonly commit?: string;
  /** Only set when SOURCES.md has no row for the file. */
  readonly file?: string;
}

/** Parses the markdown table of a SOURCES.md into file (relative to its folder) -> provenance. */
function parseSourcesTable(markdown: string): Map<string, CrdSource> {
  const rows = markdown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) => line.replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim()));
  const headerIndex = rows.findIndex((cells) => cells.some((c) => c.toLowerCase() === 'file'));
  const result = new Map<string, CrdSource>();
  if (headerIndex < 0) return result;
  const header = rows[headerIndex].map((c) => c.toLowerCase());
  const column = (pred: (h: string) => boolean) => header.findIndex(pred);
  const fileCol = column((h) => h === 'file');
  const repoCol = column((h) => h.includes('repository') || h === 'repo');
  const pathCol = column((h) => h === 'path');
  const tagCol = column((h) => h === 'tag' || h === 'version');
  const commitCol = column((h) => h === 'commit');
  for (const cells of rows.slice(headerIndex + 1)) {
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue; // the |---| separator row
    const cell = (i: number) => (i >= 0 && cells[i] ? cells[i] : undefined);
    const file = cell(fileCol);
    if (!file) continue;
    result.set(path.normalize(file), {
      repository: cell(repoCol),
      path: cell(pathCol),
      tag: cell(tagCol),
      commit: cell(commitCol),
    });
  }
  return result;
}

/** Finds the provenance row for a CRD file in the nearest SOURCES.md above it; falls back to the file name. */
function lookUpSource(crdFile: string): CrdSource {
  let dir = path.dirname(crdFile);
  for (let depth = 0; depth < 4; depth++) {
    const sources = path.join(dir, 'SOURCES.md');
    if (fs.existsSync(sources)) {
      const row = parseSourcesTable(fs.readFileSync(sources, 'utf8')).get(path.relative(dir, crdFile));
      if (row) return row;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { file: path.basename(crdFile) };
}

// ---------------------------------------------------------------------------------------------
// CRD schemas
// ---------------------------------------------------------------------------------------------

/**
 * Schema keywords that carry upstream prose rather than structure: `description`, `example`, and
 * CEL rules (`x-kubernetes-validations`, whose messages are prose; the gate does not evaluate CEL).
 */
const PROSE_KEYWORDS = new Set(['description', 'example', 'x-kubernetes-validations']);

/**
 * Drops PROSE_KEYWORDS from every schema node. Walks schema positions only, so a *property* that
 * happens to be called "description" (under `properties`) survives.
 */
export function stripProse(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(stripProse);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (PROSE_KEYWORDS.has(key)) continue;
    if ((key === 'properties' || key === 'patternProperties' || key === 'definitions') && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, stripProse(sub)]));
    } else if (['items', 'additionalProperties', 'not', 'additionalItems'].includes(key)) {
      out[key] = stripProse(value);
    } else if (['allOf', 'anyOf', 'oneOf'].includes(key) && Array.isArray(value)) {
      out[key] = value.map(stripProse);
    } else {
      // enum/default/x-kubernetes-* values are data, not schemas: keep them as they are.
      out[key] = value;
    }
  }
  return out;
}

export interface CrdSchemaHeader {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: string;
  readonly source: CrdSource;
}

function crdArtifacts(projectRoot: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const imp of readCrdImports(projectRoot)) {
    if (!fs.existsSync(imp.file)) throw new Error(`import-schemas: CRD file for '${imp.name}' not found: ${imp.file}`);
    const source = lookUpSource(imp.file);
    const docs = YAML.parseAllDocuments(fs.readFileSync(imp.file, 'utf8')).map((d) => d.toJS());
    let found = 0;
    for (const doc of docs) {
      if (!doc || doc.kind !== 'CustomResourceDefinition') continue;
      const spec = doc.spec ?? {};
      for (const version of spec.versions ?? []) {
        if (!version.served) continue; // unserved versions cannot be applied
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) throw new Error(`import-schemas: ${doc.metadata?.name} ${version.name} has no openAPIV3Schema`);
        const header: CrdSchemaHeader = {
          group: spec.group,
          version: version.name,
          kind: spec.names.kind,
          plural: spec.names.plural,
          scope: spec.scope,
          source,
        };
        const name = `${CRD_SUBDIR}/${header.group}_${header.version}_${header.kind}.json`;
        if (files.has(name)) throw new Error(`import-schemas: two CRDs define ${name}`);
        files.set(name, stableJson({ header, openAPIV3Schema: stripProse(schema) }));
        found++;
      }
    }
    if (found === 0) throw new Error(`import-schemas: no served CRD version in ${imp.file}`);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes built-in kinds, from kubernetes-types via ts-json-schema-generator
// ---------------------------------------------------------------------------------------------

const KUBERNETES_TYPES_DIR = path.dirname(require.resolve('kubernetes-types/package.json'));

/** "apps/v1.d.ts" -> "apps.v1"; "runtime.d.ts" -> "runtime". */
function moduleOf(fileName: string): string {
  return path.relative(KUBERNETES_TYPES_DIR, fileName).replace(/\.d\.ts$/, '').split(path.sep).join('.');
}

/**
 * kubernetes-types reuses short names across groups (autoscaling/v1 and v2 both have
 * HorizontalPodAutoscaler), but the generator names definitions by bare type name. Qualify every
 * definition with its module so that one artifact can hold all groups without collisions.
 */
function qualifyDefinitionNames(): void {
  const proto = ExposeNodeParser.prototype as unknown as {
    getDefinitionName(node: ts.Node, context: unknown): string;
  };
  const original = proto.getDefinitionName;
  if ((original as { qualified?: boolean }).qualified) return;
  const qualified = function (this: unknown, node: ts.Node, context: unknown): string {
    const bare = original.call(this, node, context);
    const file = node.getSourceFile().fileName;
    return file.startsWith(KUBERNETES_TYPES_DIR) ? `${moduleOf(file)}.${bare}` : bare;
  };
  (qualified as { qualified?: boolean }).qualified = true;
  proto.getDefinitionName = qualified;
}

function literalOf(member: ts.TypeElement): string | undefined {
  if (!ts.isPropertySignature(member) || !member.type) return undefined;
  const type = member.type;
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return type.literal.text;
  return undefined;
}

interface KindRoot {
  readonly apiVersion: string;
  readonly kind: string;
  readonly definition: string;
  readonly node: ts.InterfaceDeclaration;
}

/** Every exported interface whose apiVersion and kind are string literals is a top-level kind. */
function findKinds(program: ts.Program): KindRoot[] {
  const kinds: KindRoot[] = [];
  for (const sourceFile of program.getSourceFiles()) {
    if (!sourceFile.fileName.startsWith(KUBERNETES_TYPES_DIR)) continue;
    for (const statement of sourceFile.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const member = (name: string) => statement.members.find((m) => m.name && ts.isIdentifier(m.name) && m.name.text === name);
      const apiVersionMember = member('apiVersion');
      const kindMember = member('kind');
      const apiVersion = apiVersionMember && literalOf(apiVersionMember);
      const kind = kindMember && literalOf(kindMember);
      if (!apiVersion || !kind) continue;
      kinds.push({ apiVersion, kind, definition: `${moduleOf(sourceFile.fileName)}.${statement.name.text}`, node: statement });
    }
  }
  const order = (k: KindRoot) => `${k.apiVersion} ${k.kind}`;
  return kinds.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)); // locale-independent
}

/**
 * Types whose TypeScript shape (an empty interface) would otherwise become a closed, empty object,
 * but that carry arbitrary JSON on the wire.
 */
const OPEN_DEFINITIONS: Record<string, object> = {
  'runtime.RawExtension': { type: 'object' }, // embedded object of any kind
  'apiextensions.v1.JSON': {}, // any JSON value (default/enum/example in CRD schemas)
  'meta.v1.FieldsV1': { type: 'object' }, // server-side apply field set
  'meta.v1.Patch': { type: 'object' },
};

/** Aliases of `string` that have a wire format worth checking. */
const FORMATTED_DEFINITIONS: Record<string, object> = {
  'meta.v1.Time': { type: 'string', format: 'date-time' },
  'meta.v1.MicroTime': { type: 'string', format: 'date-time' },
};

function kubernetesArtifact(): string {
  const entryFiles: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.d.ts')) entryFiles.push(full);
    }
  };
  walk(KUBERNETES_TYPES_DIR);
  entryFiles.sort();

  const program = ts.createProgram(entryFiles, { noEmit: true, skipLibCheck: true, types: [] });
  const config: CompletedConfig = {
    ...DEFAULT_CONFIG,
    expose: 'export',
    topRef: true, // keep every root kind as a named definition
    jsDoc: 'none', // no upstream prose in the artifact
    additionalProperties: false, // interfaces are closed: unknown fields are errors
    sortProps: true,
    skipTypeCheck: true,
    encodeRefs: false,
  };
  qualifyDefinitionNames();
  const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
  const kinds = findKinds(program);
  const schema = generator.createSchemaFromNodes(kinds.map((k) => k.node)) as { definitions: Record<string, unknown> };

  const definitions = { ...schema.definitions };
  for (const [name, replacement] of Object.entries({ ...OPEN_DEFINITIONS, ...FORMATTED_DEFINITIONS })) {
    if (name in definitions) definitions[name] = replacement;
  }
  const index: Record<string, Record<string, string>> = {};
  for (const k of kinds) {
    if (!(k.definition in definitions)) throw new Error(`import-schemas: no definition generated for ${k.definition}`);
    (index[k.apiVersion] ??= {})[k.kind] = k.definition;
  }
  const pkgVersion = (name: string) => require(`${name}/package.json`).version as string;
  return stableJson({
    generator: `ts-json-schema-generator ${pkgVersion('ts-json-schema-generator')} from kubernetes-types ${pkgVersion('kubernetes-types')}`,
    kubernetesVersion: '1.30',
    kinds: index,
    definitions: stripProse(definitions),
  });
}

// ---------------------------------------------------------------------------------------------
// Write / check
// ---------------------------------------------------------------------------------------------

export function generateArtifacts(projectRoot: string = PROJECT_ROOT): Map<string, string> {
  const files = crdArtifacts(projectRoot);
  files.set(KUBERNETES_SCHEMA_FILE, kubernetesArtifact());
  return files;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** Writes the artifacts into dir, removing generated files that are no longer produced. */
function writeArtifacts(dir: string, files: Map<string, string>): void {
  for (const stale of listFiles(dir)) {
    if (stale.endsWith('.json') && !files.has(stale)) fs.rmSync(path.join(dir, stale));
  }
  for (const [rel, content] of files) {
    const target = path.join(dir, rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  const started = Date.now();
  const files = generateArtifacts();
  if (!check) {
    writeArtifacts(SCHEMAS_DIR, files);
    const bytes = [...files.values()].reduce((n, c) => n + Buffer.byteLength(c), 0);
    console.log(`import-schemas: wrote ${files.size} files (${(bytes / 1024).toFixed(0)} KiB) to ${path.relative(process.cwd(), SCHEMAS_DIR) || '.'} in ${Date.now() - started} ms`);
    return 0;
  }
  // Regenerate into a temp dir so that the comparison sees exactly what a write would produce.
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-schemas-'));
  try {
    writeArtifacts(temp, files);
    const expected = listFiles(temp).filter((f) => f.endsWith('.json'));
    const actual = listFiles(SCHEMAS_DIR).filter((f) => f.endsWith('.json'));
    const problems: string[] = [];
    for (const f of expected) {
      if (!actual.includes(f)) problems.push(`missing: ${f}`);
      else if (!fs.readFileSync(path.join(temp, f)).equals(fs.readFileSync(path.join(SCHEMAS_DIR, f)))) problems.push(`differs: ${f}`);
    }
    for (const f of actual) if (!expected.includes(f)) problems.push(`stale:   ${f}`);
    if (problems.length > 0) {
      console.error(`import-schemas --check: imports/schemas/ is out of date (${problems.length} file(s)):`);
      for (const p of problems) console.error(`  ${p}`);
      console.error('Run `npx ts-node scripts/import-schemas.ts` (or `npm run import`) and commit the result.');
      return 1;
    }
    console.log(`import-schemas --check: imports/schemas/ is up to date (${expected.length} files, ${Date.now() - started} ms)`);
    return 0;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
