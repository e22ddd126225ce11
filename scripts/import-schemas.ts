/**
 * Regenerates the offline JSON Schemas behind the synth-time schema gate (lib/validation).
 *
 *   npx ts-node scripts/import-schemas.ts          write imports/schemas/
 *   npx ts-node scripts/import-schemas.ts --check  regenerate into a temp dir; exit 1 if imports/schemas/ differs
 *
 * Outputs (deterministic: sorted keys, 2-space JSON, trailing newline):
 *   imports/schemas/crds/<group>_<version>_<Kind>.json  one per served version of each CRD in cdk8s.yaml `imports:`
 *   imports/schemas/kubernetes-1.30.json                 every built-in kind, with shared definitions, from the
 *                                                        Kubernetes 1.30 L1 types of cdk8s-plus-30 (lib/imports/k8s.d.ts)
 *
 * Upstream prose stays out of the project: every schema `description` (and `example`, and CEL rule
 * messages) is dropped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as kplus from 'cdk8s-plus-30';
import * as ts from 'typescript';
import * as YAML from 'yaml';
import { createFormatter, createParser, DEFAULT_CONFIG, SchemaGenerator, type CompletedConfig } from 'ts-json-schema-generator';
import { sortKeysDeep } from '../lib/spec/canonical-json';
import { KUBERNETES_SCHEMA_FILE } from '../lib/validation/schema-registry';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const SCHEMAS_DIR = path.join(PROJECT_ROOT, 'imports', 'schemas');
const CRD_SUBDIR = 'crds';

// ---------------------------------------------------------------------------------------------
// Deterministic JSON
// ---------------------------------------------------------------------------------------------

function stableJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value), null, 2) + '\n';
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
    .map((line) =>
      line
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split('|')
        .map((cell) => cell.trim()),
    );
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
// Kubernetes built-in kinds, from the cdk8s-plus-30 L1 types via ts-json-schema-generator
// ---------------------------------------------------------------------------------------------

/**
 * The L1 types that cdk8s-plus-30 ships: generated by `cdk8s import` (json2jsii) from the
 * Kubernetes 1.30 OpenAPI spec. They are complete, unlike kubernetes-types 1.30.0, which silently
 * drops every property whose upstream description contains a comment terminator (e.g.
 * RuleWithOperations.resources/scope, authorization ResourceRule.resources/verbs).
 *
 * Every interface and property there carries a `@schema` tag naming its upstream definition and
 * JSON field (`io.k8s.api.core.v1.ServiceSpec#clusterIP`). The artifact is built from those tags,
 * not from the TypeScript names:
 *   - definitions are named after the upstream definition, shortened the way the earlier
 *     kubernetes-types source named them (`apps.v1.DeploymentSpec`, `meta.v1.ObjectMeta`);
 *   - properties get their JSON names back: json2jsii renames acronyms (clusterIP -> clusterIp,
 *     hostPID -> hostPid, nonResourceURLs -> nonResourceUrLs, openAPIV3Schema -> openApiv3Schema)
 *     and names that are no identifiers ($ref -> ref, x-kubernetes-list-type -> xKubernetesListType).
 *
 * What the L1 types lack, the artifact lacks: `status` of every kind (cdk8s drops it; an authored
 * manifest never sets it, so it is an unknown field), core/v1 Event and EventList (cdk8s keeps
 * events.k8s.io/v1 Event only), and the discovery documents (APIGroup, APIResourceList, ...). The
 * kinds are the `Kube<Kind>` classes, List kinds included. Integers are `number`, as in k8s.d.ts.
 */
const CDK8S_PLUS_DIR = path.dirname(require.resolve('cdk8s-plus-30/package.json'));
const L1_DECLARATIONS = path.join(CDK8S_PLUS_DIR, 'lib', 'imports', 'k8s.d.ts');

/** The classes of k8s.d.ts that are values on the wire, as the aliases that replace them. */
const SCALAR_CLASSES: Record<string, string> = {
  Quantity: 'string | number',
  IntOrString: 'number | string',
};

/**
 * Final schemas of definitions whose TypeScript shape says too little. Kubernetes accepts a number
 * for a quantity (`cpu: 2`); int-or-string takes integers only.
 */
const SCALAR_DEFINITIONS: Record<string, object> = {
  'api.resource.Quantity': { type: ['string', 'number'] },
  'util.intstr.IntOrString': { type: ['integer', 'string'] },
};

/**
 * Upstream types that json2jsii renders as `any`, keyed by `<definition>#<JSON field>`: every `any`
 * property of k8s.d.ts must be listed here (the generator fails otherwise), with the upstream type.
 */
const UNTYPED_PROPERTIES: Record<string, object> = {
  'apiextensions.v1.CustomResourceSubresources#status': ref('apiextensions.v1.CustomResourceSubresourceStatus'),
  'apiextensions.v1.JSONSchemaProps#additionalItems': ref('apiextensions.v1.JSONSchemaPropsOrBool'),
  'apiextensions.v1.JSONSchemaProps#additionalProperties': ref('apiextensions.v1.JSONSchemaPropsOrBool'),
  'apiextensions.v1.JSONSchemaProps#default': ref('apiextensions.v1.JSON'),
  'apiextensions.v1.JSONSchemaProps#dependencies': {
    type: 'object',
    additionalProperties: ref('apiextensions.v1.JSONSchemaPropsOrStringArray'),
  },
  'apiextensions.v1.JSONSchemaProps#enum': { type: 'array', items: ref('apiextensions.v1.JSON') },
  'apiextensions.v1.JSONSchemaProps#example': ref('apiextensions.v1.JSON'),
  'apiextensions.v1.JSONSchemaProps#items': ref('apiextensions.v1.JSONSchemaPropsOrArray'),
  'apiserverinternal.v1alpha1.StorageVersion#spec': ref('apiserverinternal.v1alpha1.StorageVersionSpec'),
  'apps.v1.ControllerRevision#data': ref('runtime.RawExtension'),
  'meta.v1.ManagedFieldsEntry#fieldsV1': ref('meta.v1.FieldsV1'),
  'resource.v1alpha2.DriverRequests#vendorParameters': ref('runtime.RawExtension'),
  'resource.v1alpha2.ResourceRequest#vendorParameters': ref('runtime.RawExtension'),
  'resource.v1alpha2.VendorParameters#parameters': ref('runtime.RawExtension'),
};

/**
 * json2jsii gives same-named upstream definitions of different groups one TypeScript type, so a few
 * properties of k8s.d.ts point at another group's type (flowcontrol.v1 FlowSchema subjects are typed
 * as rbac.v1.Subject). Their upstream types are restored here, keyed by `<definition>#<JSON field>`,
 * with the definition k8s.d.ts uses instead (checked, so that a corrected k8s.d.ts is noticed).
 * A reference to another group (other than core/meta) that is not listed here fails the generator;
 * conflations with a core.v1 type cannot be told apart from the many legitimate uses of core.v1.
 */
const CONFLATED_PROPERTIES: Record<string, { readonly conflatedWith: string; readonly schema: object }> = {
  'apiextensions.v1.WebhookConversion#clientConfig': {
    conflatedWith: 'admissionregistration.v1.WebhookClientConfig', // same shape, but its own name upstream
    schema: ref('apiextensions.v1.WebhookClientConfig'),
  },
  'apiregistration.v1.APIServiceSpec#service': {
    conflatedWith: 'admissionregistration.v1.ServiceReference', // that one has `path` and requires name/namespace
    schema: ref('apiregistration.v1.ServiceReference'),
  },
  'discovery.v1.EndpointSlice#ports': {
    conflatedWith: 'core.v1.EndpointPort', // that one requires `port`; an EndpointSlice port may omit it
    schema: { type: 'array', items: ref('discovery.v1.EndpointPort') },
  },
  'flowcontrol.v1.PolicyRulesWithSubjects#subjects': {
    conflatedWith: 'rbac.v1.Subject', // a different shape altogether
    schema: { type: 'array', items: ref('flowcontrol.v1.Subject') },
  },
};

const str = { type: 'string' };
const num = { type: 'number' };

/** Groups whose types every other group may use. */
const SHARED_GROUPS = /^(core\.v1|meta\.v1|api\.resource|util\.intstr|runtime)\./;

/** The definitions that UNTYPED_PROPERTIES and CONFLATED_PROPERTIES refer to (k8s.d.ts lacks them). */
const UPSTREAM_DEFINITIONS: Record<string, object> = {
  'apiextensions.v1.CustomResourceSubresourceStatus': { type: 'object', additionalProperties: false }, // an empty struct
  'apiextensions.v1.JSON': {}, // any JSON value (default/enum/example in CRD schemas)
  'apiextensions.v1.JSONSchemaPropsOrArray': {
    anyOf: [ref('apiextensions.v1.JSONSchemaProps'), { type: 'array', items: ref('apiextensions.v1.JSONSchemaProps') }],
  },
  'apiextensions.v1.JSONSchemaPropsOrBool': { anyOf: [ref('apiextensions.v1.JSONSchemaProps'), { type: 'boolean' }] },
  'apiextensions.v1.JSONSchemaPropsOrStringArray': {
    anyOf: [ref('apiextensions.v1.JSONSchemaProps'), { type: 'array', items: { type: 'string' } }],
  },
  'apiextensions.v1.ServiceReference': closed({ name: str, namespace: str, path: str, port: num }, ['name', 'namespace']),
  'apiextensions.v1.WebhookClientConfig': closed({ caBundle: str, service: ref('apiextensions.v1.ServiceReference'), url: str }),
  'apiregistration.v1.ServiceReference': closed({ name: str, namespace: str, port: num }),
  'apiserverinternal.v1alpha1.StorageVersionSpec': { type: 'object', additionalProperties: false }, // an empty struct
  'discovery.v1.EndpointPort': closed({ appProtocol: str, name: str, port: num, protocol: str }),
  'flowcontrol.v1.GroupSubject': closed({ name: str }, ['name']),
  'flowcontrol.v1.ServiceAccountSubject': closed({ name: str, namespace: str }, ['name', 'namespace']),
  'flowcontrol.v1.Subject': closed(
    {
      group: ref('flowcontrol.v1.GroupSubject'),
      kind: str,
      serviceAccount: ref('flowcontrol.v1.ServiceAccountSubject'),
      user: ref('flowcontrol.v1.UserSubject'),
    },
    ['kind'],
  ),
  'flowcontrol.v1.UserSubject': closed({ name: str }, ['name']),
  'meta.v1.FieldsV1': { type: 'object' }, // server-side apply field set
  'runtime.RawExtension': { type: 'object' }, // embedded object of any kind
};

function ref(definition: string): { $ref: string } {
  return { $ref: `#/definitions/${definition}` };
}

/** A closed object schema, as the generator writes one (integers are `number` in k8s.d.ts too). */
function closed(properties: Record<string, object>, required: string[] = []): object {
  return { type: 'object', additionalProperties: false, properties, ...(required.length > 0 ? { required } : {}) };
}

/**
 * Upstream definition -> artifact definition name:
 *   io.k8s.api.apps.v1.Deployment                                      -> apps.v1.Deployment
 *   io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta                    -> meta.v1.ObjectMeta
 *   io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON     -> apiextensions.v1.JSON
 *   io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService      -> apiregistration.v1.APIService
 *   io.k8s.apimachinery.pkg.api.resource.Quantity                      -> api.resource.Quantity
 *   io.k8s.apimachinery.pkg.util.intstr.IntOrString                    -> util.intstr.IntOrString
 */
export function definitionNameOf(upstream: string): string {
  for (const prefix of [/^io\.k8s\.api\./, /^io\.k8s\.[^.]+\.pkg\.apis\./, /^io\.k8s\.[^.]+\.pkg\./]) {
    if (prefix.test(upstream)) return upstream.replace(prefix, '');
  }
  throw new Error(`import-schemas: unexpected upstream definition name '${upstream}'`);
}

function schemaTag(node: ts.Node): string | undefined {
  const tag = ts.getJSDocTags(node).find((t) => t.tagName.text === 'schema');
  return (tag && ts.getTextOfJSDocComment(tag.comment)?.trim()) || undefined;
}

function containsAny(type: ts.Node | undefined): boolean {
  if (!type) return false;
  if (type.kind === ts.SyntaxKind.AnyKeyword) return true;
  return ts.forEachChild(type, (c) => (containsAny(c) ? true : undefined)) ?? false;
}

interface KindRoot {
  readonly apiVersion: string;
  readonly kind: string;
  /** The props interface of the Kube<Kind> class (its shape without apiVersion and kind). */
  readonly props: string;
  readonly definition: string;
}

/** What k8s.d.ts says, with the names the artifact uses. */
interface L1Types {
  /** Interfaces, enums and the SCALAR_CLASSES aliases, without comments: input of the generator. */
  readonly source: string;
  /** TypeScript type name -> artifact definition name (enums are inlined, so they have none). */
  readonly definitionNames: ReadonlyMap<string, string>;
  readonly enums: ReadonlySet<string>;
  /** TypeScript type name -> TypeScript property name -> JSON name, where the two differ. */
  readonly propertyNames: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** `<definition>#<JSON field>` of every property typed (partly) `any`. */
  readonly untypedProperties: readonly string[];
  readonly kinds: readonly KindRoot[];
}

function readL1Types(): L1Types {
  const sourceFile = ts.createSourceFile(L1_DECLARATIONS, fs.readFileSync(L1_DECLARATIONS, 'utf8'), ts.ScriptTarget.Latest, true);
  const printer = ts.createPrinter({ removeComments: true }); // no upstream prose, even in the temp copy
  const chunks: string[] = [];
  const definitionNames = new Map<string, string>();
  const enums = new Set<string>();
  const propertyNames = new Map<string, Map<string, string>>();
  const untypedProperties: string[] = [];
  const kindClasses: string[] = [];
  const interfaces = new Set<string>();
  const claimed = new Map<string, string>(); // artifact definition -> TypeScript name

  const name = (tsName: string, upstream: string) => {
    const definition = definitionNameOf(upstream);
    const other = claimed.get(definition);
    if (other) throw new Error(`import-schemas: ${other} and ${tsName} both map to ${definition}`);
    claimed.set(definition, tsName);
    definitionNames.set(tsName, definition);
    return definition;
  };

  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) || ts.isFunctionDeclaration(statement)) continue; // cdk8s plumbing, toJson_* helpers
    if (ts.isClassDeclaration(statement) && statement.name) {
      const className = statement.name.text;
      if (className in SCALAR_CLASSES) {
        const upstream = schemaTag(statement);
        if (!upstream) throw new Error(`import-schemas: class ${className} has no @schema tag`);
        name(className, upstream);
        chunks.push(`export type ${className} = ${SCALAR_CLASSES[className]};`);
      } else if (/^Kube[A-Z]/.test(className)) {
        kindClasses.push(className);
      } else {
        throw new Error(`import-schemas: unexpected class ${className} in ${L1_DECLARATIONS}; map it in SCALAR_CLASSES`);
      }
      continue;
    }
    if (ts.isEnumDeclaration(statement)) {
      enums.add(statement.name.text);
      chunks.push(printer.printNode(ts.EmitHint.Unspecified, statement, sourceFile));
      continue;
    }
    if (!ts.isInterfaceDeclaration(statement)) {
      throw new Error(`import-schemas: unexpected ${ts.SyntaxKind[statement.kind]} in ${L1_DECLARATIONS}`);
    }
    const tsName = statement.name.text;
    const upstream = schemaTag(statement);
    if (!upstream) throw new Error(`import-schemas: interface ${tsName} has no @schema tag`);
    const definition = name(tsName, upstream);
    interfaces.add(tsName);
    const renames = new Map<string, string>();
    for (const member of statement.members) {
      if (!ts.isPropertySignature(member) || !ts.isIdentifier(member.name)) {
        throw new Error(`import-schemas: unexpected member ${member.getText(sourceFile)} of ${tsName}`);
      }
      const tag = schemaTag(member);
      const hash = tag?.indexOf('#') ?? -1;
      if (!tag || hash < 0 || tag.slice(0, hash) !== upstream) {
        throw new Error(`import-schemas: ${tsName}.${member.name.text} has no @schema tag '${upstream}#<field>'`);
      }
      const json = tag.slice(hash + 1);
      if (json !== member.name.text) renames.set(member.name.text, json);
      if (containsAny(member.type)) untypedProperties.push(`${definition}#${json}`);
    }
    if (renames.size > 0) propertyNames.set(tsName, renames);
    chunks.push(printer.printNode(ts.EmitHint.Unspecified, statement, sourceFile));
  }

  // apiVersion and kind of each Kube<Kind> class: its static GVK, read at runtime.
  const l1 = kplus.k8s as unknown as Record<string, { GVK?: { apiVersion: string; kind: string } }>;
  const kinds = kindClasses.map((className): KindRoot => {
    const gvk = l1[className]?.GVK;
    const props = `${className}Props`;
    if (!gvk) throw new Error(`import-schemas: cdk8s-plus-30 k8s.${className} has no GVK`);
    if (!interfaces.has(props)) throw new Error(`import-schemas: ${className} has no interface ${props}`);
    const definition = definitionNames.get(props)!;
    if (!definition.endsWith(`.${gvk.kind}`)) throw new Error(`import-schemas: ${props} is ${definition}, not a ${gvk.kind}`);
    return { apiVersion: gvk.apiVersion, kind: gvk.kind, props, definition };
  });
  const order = (k: KindRoot) => `${k.apiVersion} ${k.kind}`;
  kinds.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)); // locale-independent
  for (let i = 1; i < kinds.length; i++) {
    if (order(kinds[i]) === order(kinds[i - 1])) throw new Error(`import-schemas: two classes for ${order(kinds[i])}`);
  }
  return { source: chunks.join('\n') + '\n', definitionNames, enums, propertyNames, untypedProperties, kinds };
}

type Schema = Record<string, any>;

/** apps.v1.DeploymentSpec -> apps.v1 */
function groupVersionOf(definition: string): string {
  return definition.slice(0, definition.lastIndexOf('.'));
}

/** Applies fn to every schema object in value, bottom-up (fn returns the replacement). */
function mapSchemas(value: unknown, fn: (schema: Schema) => Schema): any {
  if (Array.isArray(value)) return value.map((v) => mapSchemas(v, fn));
  if (!value || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'const' || k === 'enum' ? v : mapSchemas(v, fn);
  return fn(out);
}

function kubernetesArtifact(): string {
  const l1 = readL1Types();
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-k8s-types-'));
  let generated: Record<string, Schema>;
  try {
    const file = path.join(temp, 'k8s.d.ts');
    fs.writeFileSync(file, l1.source);
    const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, types: [] });
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
    const generator = new SchemaGenerator(program, createParser(program, config), createFormatter(config), config);
    const roots = new Map<string, ts.Node>();
    for (const statement of program.getSourceFile(file)!.statements) {
      if (ts.isInterfaceDeclaration(statement)) roots.set(statement.name.text, statement);
    }
    const schema = generator.createSchemaFromNodes(l1.kinds.map((k) => roots.get(k.props)!)) as { definitions: Record<string, Schema> };
    generated = schema.definitions;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }

  // 1. JSON property names (still keyed by TypeScript names).
  for (const [tsName, renames] of l1.propertyNames) {
    const def = generated[tsName];
    if (!def) continue; // not reachable from any kind
    def.properties = Object.fromEntries(Object.entries(def.properties ?? {}).map(([p, s]) => [renames.get(p) ?? p, s]));
    if (def.required) def.required = (def.required as string[]).map((p) => renames.get(p) ?? p).sort();
  }
  // 2. Enums inline (json2jsii makes one of a single-kind `kind` field); other definitions renamed.
  const enumSchemas = new Map([...l1.enums].filter((e) => e in generated).map((e) => [e, generated[e]]));
  const renameRef = (schema: Schema): Schema => {
    if (typeof schema.$ref !== 'string') return schema;
    const target = schema.$ref.replace(/^#\/definitions\//, '');
    const inlined = enumSchemas.get(target);
    if (inlined) return inlined;
    const renamed = l1.definitionNames.get(target);
    if (!renamed) throw new Error(`import-schemas: reference to unknown type ${target}`);
    return { ...schema, $ref: `#/definitions/${renamed}` };
  };
  const definitions: Record<string, Schema> = {};
  for (const [tsName, def] of Object.entries(generated)) {
    if (enumSchemas.has(tsName)) continue;
    const renamed = l1.definitionNames.get(tsName);
    if (!renamed) throw new Error(`import-schemas: the generator made a definition for unknown type ${tsName}`);
    definitions[renamed] = mapSchemas(def, renameRef);
  }
  // 3. What the TypeScript types cannot say.
  for (const [name, replacement] of Object.entries(SCALAR_DEFINITIONS)) {
    if (name in definitions) definitions[name] = replacement;
  }
  const stale = Object.keys(UNTYPED_PROPERTIES).filter((p) => !l1.untypedProperties.includes(p));
  const unknown = l1.untypedProperties.filter((p) => !(p in UNTYPED_PROPERTIES));
  if (stale.length > 0 || unknown.length > 0) {
    throw new Error(
      `import-schemas: UNTYPED_PROPERTIES is out of date (not 'any' in k8s.d.ts: ${stale.join(', ') || '-'}; missing: ${unknown.join(', ') || '-'})`,
    );
  }
  for (const [property, replacement] of Object.entries(UNTYPED_PROPERTIES)) {
    const [definition, field] = property.split('#');
    const props = definitions[definition]?.properties;
    if (props) props[field] = replacement;
  }
  for (const [property, { conflatedWith, schema }] of Object.entries(CONFLATED_PROPERTIES)) {
    const [definition, field] = property.split('#');
    const props = definitions[definition]?.properties;
    if (!props) continue;
    if (!JSON.stringify(props[field] ?? null).includes(`"#/definitions/${conflatedWith}"`)) {
      throw new Error(`import-schemas: ${property} no longer refers to ${conflatedWith}; drop it from CONFLATED_PROPERTIES`);
    }
    props[field] = schema;
  }
  for (const [name, def] of Object.entries(definitions)) {
    for (const [field, schema] of Object.entries((def.properties ?? {}) as Record<string, unknown>)) {
      mapSchemas(schema, (s) => {
        const target = typeof s.$ref === 'string' ? s.$ref.replace(/^#\/definitions\//, '') : undefined;
        if (target && !SHARED_GROUPS.test(target) && groupVersionOf(target) !== groupVersionOf(name)) {
          throw new Error(
            `import-schemas: ${name}#${field} refers to ${target} of another group; if json2jsii conflated two types, add it to CONFLATED_PROPERTIES`,
          );
        }
        return s;
      });
    }
  }
  Object.assign(definitions, UPSTREAM_DEFINITIONS);
  // 4. apiVersion and kind of each top-level kind (the props interfaces lack them).
  const index: Record<string, Record<string, string>> = {};
  for (const k of l1.kinds) {
    const def = definitions[k.definition];
    if (!def?.properties) throw new Error(`import-schemas: no definition generated for ${k.definition}`);
    if ('apiVersion' in def.properties || 'kind' in def.properties)
      throw new Error(`import-schemas: ${k.props} already has apiVersion/kind`);
    def.properties.apiVersion = { type: 'string', const: k.apiVersion };
    def.properties.kind = { type: 'string', const: k.kind };
    (index[k.apiVersion] ??= {})[k.kind] = k.definition;
  }
  // Every reference resolves.
  mapSchemas(definitions, (schema) => {
    if (typeof schema.$ref === 'string' && !(schema.$ref.replace(/^#\/definitions\//, '') in definitions)) {
      throw new Error(`import-schemas: dangling reference ${schema.$ref}`);
    }
    return schema;
  });

  const pkgVersion = (name: string) =>
    (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  return stableJson({
    generator: `ts-json-schema-generator ${pkgVersion('ts-json-schema-generator')} from cdk8s-plus-30 ${pkgVersion('cdk8s-plus-30')} lib/imports/k8s.d.ts`,
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
    console.log(
      `import-schemas: wrote ${files.size} files (${(bytes / 1024).toFixed(0)} KiB) to ${path.relative(process.cwd(), SCHEMAS_DIR) || '.'} in ${Date.now() - started} ms`,
    );
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
