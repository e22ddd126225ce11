/**
 * Regenerates the offline JSON Schemas behind the synth-time schema gate (lib/validation).
 *
 *   npx ts-node scripts/import-schemas.ts          write imports/schemas/
 *   npx ts-node scripts/import-schemas.ts --check  regenerate into a temp dir; exit 1 if imports/schemas/ differs
 *
 * Outputs (deterministic: sorted keys, 2-space JSON, trailing newline):
 *   imports/schemas/crds/<group>_<version>_<Kind>.json  one per served version of each CRD in cdk8s.yaml `imports:`
 *   imports/schemas/kubernetes-1.30.json                 every built-in kind, with shared definitions, from the
 *                                                        Kubernetes 1.30 L1 types of cdk8s-plus-30 (lib/imports/k8s.d.ts);
 *                                                        integer types and `status` from the Kubernetes v1.30.1 OpenAPI
 *                                                        models of @kubernetes/client-node (a devDependency)
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
import { KUBERNETES_SCHEMA_FILE, PRECOMPILED_VALIDATORS_DIRECTORY, SchemaRegistry } from '../lib/validation/schema-registry';

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
 * What the L1 types lack, the artifact lacks: core/v1 Event and EventList (cdk8s keeps
 * events.k8s.io/v1 Event only), and the discovery documents (APIGroup, APIResourceList, ...). The
 * kinds are the `Kube<Kind>` classes, List kinds included. Two things k8s.d.ts loses are restored
 * from the upstream OpenAPI models (see OPENAPI_MODELS_PACKAGE below): integers (k8s.d.ts says `number`)
 * and the `status` of every kind that has one (cdk8s drops it).
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

/** A closed object schema, as the generator writes one (write integers as `number`: typeIntegers types them). */
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

// ---------------------------------------------------------------------------------------------
// Integer types and status, from the upstream OpenAPI models of @kubernetes/client-node
// ---------------------------------------------------------------------------------------------

/**
 * k8s.d.ts says `number` for every integer and has no `status`; both are restored from the models
 * that @kubernetes/client-node 1.0.0-rc7 generates (openapi-generator) from the Kubernetes v1.30.1
 * OpenAPI spec. That is the package's only release built from 1.30 whose models keep the formats
 * (0.22.x, also 1.30, drops them; 1.0.0 is built from 1.32). Each model class lists its fields with
 * their JSON name, type and format (`attributeTypeMap`: `number` with `int32`/`int64` is an upstream
 * integer, `number` with `double` is not), and its .d.ts marks the optional ones with `?`.
 *
 * Models are matched to artifact definitions by name (apps.v1.DeploymentSpec -> V1DeploymentSpec;
 * CoreV1EndpointPort where two groups share a name), and a match must have exactly the definition's
 * fields (a kind's model may have `status` besides), so a wrong match fails the generator. Every
 * `number` of the artifact must be explained by a model: typed `integer`, or left a double.
 */
const OPENAPI_MODELS_PACKAGE = '@kubernetes/client-node';
const OPENAPI_MODELS_DIR = path.join(path.dirname(require.resolve(`${OPENAPI_MODELS_PACKAGE}/package.json`)), 'dist', 'gen', 'models');
/** The `OpenAPI spec version` the model files must state. */
const OPENAPI_SPEC_VERSION = /^v1\.30\.\d+$/;
const INTEGER_FORMATS = new Set(['int32', 'int64']);

/**
 * Status-only models used by kinds of several groups: the group they belong to upstream (every
 * other status-only model belongs to the group of the kinds whose status uses it). Checked against
 * the v1.30.1 spec: with this, every status definition gets its upstream name.
 */
const STATUS_MODEL_GROUPS: Record<string, string> = {
  V1Condition: 'meta', // io.k8s.apimachinery.pkg.apis.meta.v1.Condition
};

/**
 * Fields of status models that are a Quantity upstream (the models type them `string`), keyed by
 * `<definition>#<JSON field>`; they take a number too, like every Quantity of the artifact.
 */
const STATUS_QUANTITY_PROPERTIES: readonly string[] = [
  'autoscaling.v2.MetricValueStatus#averageValue',
  'autoscaling.v2.MetricValueStatus#value',
  'core.v1.ContainerStatus#allocatedResources',
  'core.v1.NodeStatus#allocatable',
  'core.v1.NodeStatus#capacity',
  'core.v1.PersistentVolumeClaimStatus#allocatedResources',
  'core.v1.PersistentVolumeClaimStatus#capacity',
  'core.v1.ResourceQuotaStatus#hard',
  'core.v1.ResourceQuotaStatus#used',
];

/** Fields of status models typed `any`, with their upstream type; every one must be listed. */
const STATUS_UNTYPED_PROPERTIES: Record<string, object> = {
  'resource.v1alpha2.DriverAllocationResult#vendorRequestParameters': ref('runtime.RawExtension'),
  'resource.v1alpha2.StructuredResourceHandle#vendorClaimParameters': ref('runtime.RawExtension'),
  'resource.v1alpha2.StructuredResourceHandle#vendorClassParameters': ref('runtime.RawExtension'),
};

interface ModelField {
  /** The TypeScript name (`ref`, `_default`). */
  readonly name: string;
  /** The JSON name (`$ref`, `default`). */
  readonly baseName: string;
  /** `string`, `number`, `boolean`, `Date`, `IntOrString`, `any`, a model class, `Array<T>`, `{ [key: string]: T; }`. */
  readonly type: string;
  readonly format: string;
}

interface Model {
  readonly className: string;
  readonly fields: readonly ModelField[];
  /** Its .d.ts, which tells the optional fields. */
  readonly declarations: string;
}

interface OpenApiModels {
  /** The package version and the spec version its models were generated from. */
  readonly source: string;
  readonly models: ReadonlyMap<string, Model>;
}

function readOpenApiModels(): OpenApiModels {
  const models = new Map<string, Model>();
  const specVersions = new Set<string>();
  for (const file of fs.readdirSync(OPENAPI_MODELS_DIR).sort()) {
    if (!file.endsWith('.js') || file === 'all.js' || file === 'ObjectSerializer.js') continue;
    const js = path.join(OPENAPI_MODELS_DIR, file);
    const specVersion = /OpenAPI spec version: (\S+)/.exec(fs.readFileSync(js, 'utf8'))?.[1];
    if (!specVersion) throw new Error(`import-schemas: ${js} names no OpenAPI spec version`);
    specVersions.add(specVersion);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- plain data modules, loaded by path
    const exported = require(js) as Record<string, { attributeTypeMap?: ModelField[] } | undefined>;
    for (const [className, value] of Object.entries(exported)) {
      if (!Array.isArray(value?.attributeTypeMap)) continue;
      const fields = value.attributeTypeMap.map(({ name, baseName, type, format }) => ({ name, baseName, type, format: format ?? '' }));
      models.set(className, { className, fields, declarations: js.replace(/\.js$/, '.d.ts') });
    }
  }
  const [specVersion, ...others] = [...specVersions];
  if (others.length > 0 || !OPENAPI_SPEC_VERSION.test(specVersion ?? '')) {
    throw new Error(
      `import-schemas: ${OPENAPI_MODELS_PACKAGE} models come from OpenAPI ${[...specVersions].join(', ')}, not Kubernetes 1.30`,
    );
  }
  return { source: `${OPENAPI_MODELS_PACKAGE} ${packageVersion(OPENAPI_MODELS_PACKAGE)} (OpenAPI ${specVersion})`, models };
}

function packageVersion(name: string): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** apps.v1.DeploymentSpec -> [AppsV1DeploymentSpec, V1DeploymentSpec]; the model class is the first that exists. */
function modelNamesOf(definition: string): string[] {
  const parts = definition.split('.');
  const kind = parts.pop()!;
  const v = parts.findIndex((p) => /^v\d+((alpha|beta)\d+)?$/.test(p));
  if (v < 0) return [parts.map(capitalize).join('') + kind];
  const versioned = capitalize(parts[v]) + kind;
  return [parts.slice(0, v).map(capitalize).join('') + versioned, versioned];
}

/** V1DeploymentCondition -> { version: v1, kind: DeploymentCondition }; CoreV1Event -> { group: core, ... } */
function parseModelName(className: string): { group?: string; version: string; kind: string } {
  const m = /^([A-Z][a-z]+)?(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/.exec(className);
  if (!m) throw new Error(`import-schemas: unexpected model name ${className}`);
  return { group: m[1]?.toLowerCase(), version: m[2].toLowerCase(), kind: m[3] };
}

/** The leaf types of a model field type: `Array<number>` -> number. */
function leafType(type: string): string {
  const m = /^Array<(.+)>$/.exec(type) ?? /^\{ \[key: string\]: (.+); \}$/.exec(type);
  return m ? leafType(m[1]) : type;
}

/** The schema with its `number` leaf (itself, array items or map values) made `integer`; undefined if it has none. */
function integerLeaf(schema: Schema): Schema | undefined {
  if (schema.type === 'number') return { ...schema, type: 'integer' };
  for (const key of ['items', 'additionalProperties'] as const) {
    if (schema[key] && typeof schema[key] === 'object') {
      const leaf = integerLeaf(schema[key]);
      if (leaf) return { ...schema, [key]: leaf };
    }
  }
  return undefined;
}

function containsNumber(schema: unknown): boolean {
  let found = false;
  mapSchemas(schema, (s) => {
    if (s.type === 'number') found = true;
    return s;
  });
  return found;
}

/**
 * Pairs each artifact definition with its model and types its integer fields `integer` (in new
 * schema objects: the UPSTREAM_DEFINITIONS constants are shared). Returns definition -> model.
 */
function typeIntegers(
  definitions: Record<string, Schema>,
  kindDefinitions: ReadonlySet<string>,
  { models }: OpenApiModels,
): Map<string, Model> {
  const modelOf = new Map<string, Model>();
  const problems: string[] = [];
  for (const [name, def] of Object.entries(definitions)) {
    const model = modelNamesOf(name)
      .map((n) => models.get(n))
      .find((m) => m !== undefined);
    if (!model) {
      if (containsNumber(def)) problems.push(`${name}: has numbers but no model tells whether they are integers`);
      continue;
    }
    const properties = (def.properties ?? {}) as Record<string, Schema>;
    const fields = new Map(model.fields.map((f) => [f.baseName, f]));
    const extra = [...fields.keys()].filter((f) => !(f in properties) && !(f === 'status' && kindDefinitions.has(name)));
    const missing = Object.keys(properties).filter((p) => !fields.has(p));
    if (extra.length > 0 || missing.length > 0) {
      problems.push(
        `${name} is not ${model.className} (only in the model: ${extra.join(', ') || '-'}; only in k8s.d.ts: ${missing.join(', ') || '-'})`,
      );
      continue;
    }
    modelOf.set(name, model);
    const typed: Record<string, Schema> = {};
    for (const [field, schema] of Object.entries(properties)) {
      const { type, format } = fields.get(field)!;
      const isInteger = leafType(type) === 'number' && INTEGER_FORMATS.has(format);
      const leaf = isInteger ? integerLeaf(schema) : undefined;
      if (isInteger && !leaf) problems.push(`${name}#${field}: an integer upstream (${type} ${format}), not a number here`);
      if (!isInteger && containsNumber(schema) && !(leafType(type) === 'number' && format === 'double')) {
        problems.push(`${name}#${field}: a number here, ${type} ${format} upstream`);
      }
      typed[field] = leaf ?? schema;
    }
    if (def.properties) definitions[name] = { ...def, properties: typed };
  }
  if (problems.length > 0) throw new Error(`import-schemas: the ${OPENAPI_MODELS_PACKAGE} models do not fit:\n  ${problems.join('\n  ')}`);
  return modelOf;
}

/** The required fields of a model: those its .d.ts does not mark optional. */
function requiredFields(model: Model): string[] {
  const source = ts.createSourceFile(model.declarations, fs.readFileSync(model.declarations, 'utf8'), ts.ScriptTarget.Latest, true);
  const declaration = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === model.className);
  if (!declaration) throw new Error(`import-schemas: no class ${model.className} in ${model.declarations}`);
  const optional = new Map<string, boolean>();
  for (const member of declaration.members) {
    if (!ts.isPropertyDeclaration(member) || member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
    if (ts.isStringLiteral(member.name) || ts.isIdentifier(member.name)) optional.set(member.name.text, member.questionToken !== undefined);
  }
  return model.fields
    .filter((f) => {
      const isOptional = optional.get(f.name);
      if (isOptional === undefined)
        throw new Error(`import-schemas: ${model.className}.${f.name} is not declared in ${model.declarations}`);
      return !isOptional;
    })
    .map((f) => f.baseName)
    .sort();
}

/**
 * Adds `status` to every kind whose model has one, with the definitions it needs that the artifact
 * lacks, converted from the models (closed objects, as the rest of the artifact).
 */
function addStatus(
  definitions: Record<string, Schema>,
  kinds: readonly KindRoot[],
  modelOf: ReadonlyMap<string, Model>,
  { models }: OpenApiModels,
): void {
  const existing = new Map([...modelOf].map(([definition, model]) => [model.className, definition]));
  // 1. The status-only models, each with the groups of the kinds whose status reaches it.
  const groupsOf = new Map<string, Set<string>>();
  const roots: [KindRoot, ModelField][] = [];
  for (const kind of kinds) {
    const status = modelOf.get(kind.definition)?.fields.find((f) => f.baseName === 'status');
    if (!status) continue;
    if ('status' in (definitions[kind.definition].properties ?? {}))
      throw new Error(`import-schemas: k8s.d.ts has ${kind.definition}#status now`);
    roots.push([kind, status]);
    const group = kind.definition.split('.')[0];
    const pending = [leafType(status.type)];
    while (pending.length > 0) {
      const className = pending.pop()!;
      if (!models.has(className) || existing.has(className)) continue;
      const groups = groupsOf.get(className);
      if (groups?.has(group)) continue;
      if (groups) groups.add(group);
      else groupsOf.set(className, new Set([group]));
      pending.push(...models.get(className)!.fields.map((f) => leafType(f.type)));
    }
  }
  // 2. Their definition names.
  const nameOf = new Map(existing);
  const claimed = new Set(Object.keys(definitions));
  for (const className of [...groupsOf.keys()].sort()) {
    const { group, version, kind } = parseModelName(className);
    const groups = [...groupsOf.get(className)!].sort();
    const owner = group ?? STATUS_MODEL_GROUPS[className] ?? (groups.length === 1 ? groups[0] : undefined);
    if (!owner)
      throw new Error(
        `import-schemas: ${className} is used by the status of ${groups.join(', ')} kinds; name its group in STATUS_MODEL_GROUPS`,
      );
    const definition = `${owner}.${version}.${kind}`;
    if (claimed.has(definition)) throw new Error(`import-schemas: ${className} would be ${definition}, which already exists`);
    claimed.add(definition);
    nameOf.set(className, definition);
  }
  // 3. Their schemas.
  const quantities = new Set(STATUS_QUANTITY_PROPERTIES);
  const used = new Set<string>();
  const schemaOf = (definition: string, field: ModelField): object => {
    const key = `${definition}#${field.baseName}`;
    const quantity = quantities.has(key);
    if (quantity) used.add(key);
    const convert = (type: string): object => {
      const list = /^Array<(.+)>$/.exec(type);
      if (list) return { type: 'array', items: convert(list[1]) };
      const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
      if (map) return { type: 'object', additionalProperties: convert(map[1]) };
      if (quantity && type !== 'string') throw new Error(`import-schemas: ${key} is ${field.type}, not a Quantity`);
      switch (type) {
        case 'string':
          return quantity ? ref('api.resource.Quantity') : str;
        case 'boolean':
          return { type: 'boolean' };
        case 'number':
          if (INTEGER_FORMATS.has(field.format)) return { type: 'integer' };
          if (field.format === 'double') return num;
          throw new Error(`import-schemas: ${key} is a number of format '${field.format}'`);
        case 'Date':
          return { type: 'string', format: 'date-time' }; // as k8s.d.ts's Date fields
        case 'IntOrString':
          return ref('util.intstr.IntOrString');
        case 'any':
          if (!(key in STATUS_UNTYPED_PROPERTIES))
            throw new Error(`import-schemas: ${key} is 'any'; add its upstream type to STATUS_UNTYPED_PROPERTIES`);
          used.add(key);
          return STATUS_UNTYPED_PROPERTIES[key];
      }
      const target = nameOf.get(type);
      if (!target) throw new Error(`import-schemas: ${key} has the unknown type ${type}`);
      return ref(target);
    };
    return convert(field.type);
  };
  for (const [className, definition] of [...nameOf].filter(([c]) => groupsOf.has(c))) {
    const model = models.get(className)!;
    const properties = Object.fromEntries(model.fields.map((field) => [field.baseName, schemaOf(definition, field)]));
    definitions[definition] = closed(properties, requiredFields(model)) as Schema;
  }
  // 4. The kinds' status fields (meta.v1.Status has a string one), required where upstream says so.
  for (const [kind, status] of roots) {
    const def = definitions[kind.definition];
    def.properties.status = schemaOf(kind.definition, status);
    if (requiredFields(modelOf.get(kind.definition)!).includes('status')) def.required = [...(def.required ?? []), 'status'].sort();
  }
  const stale = [...quantities, ...Object.keys(STATUS_UNTYPED_PROPERTIES)].filter((key) => !used.has(key));
  if (stale.length > 0) throw new Error(`import-schemas: no longer status fields of that type: ${stale.join(', ')}`);
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
  // 5. Integer types and status, from the upstream OpenAPI models.
  const openApi = readOpenApiModels();
  const modelOf = typeIntegers(definitions, new Set(l1.kinds.map((k) => k.definition)), openApi);
  addStatus(definitions, l1.kinds, modelOf, openApi);
  // Every reference resolves.
  mapSchemas(definitions, (schema) => {
    if (typeof schema.$ref === 'string' && !(schema.$ref.replace(/^#\/definitions\//, '') in definitions)) {
      throw new Error(`import-schemas: dangling reference ${schema.$ref}`);
    }
    return schema;
  });

  return stableJson({
    generator:
      `ts-json-schema-generator ${packageVersion('ts-json-schema-generator')} from cdk8s-plus-30 ${packageVersion('cdk8s-plus-30')} ` +
      `lib/imports/k8s.d.ts; integer types and status from ${openApi.source}`,
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
    // The precompiled validators follow the schemas (git-ignored; `npm run build` writes them too).
    const validators = SchemaRegistry.fromDirectory(SCHEMAS_DIR).writeStandaloneModules(
      path.join(SCHEMAS_DIR, PRECOMPILED_VALIDATORS_DIRECTORY),
    );
    console.log(
      `import-schemas: wrote ${files.size} files (${(bytes / 1024).toFixed(0)} KiB) and ${validators} precompiled validators to ${path.relative(process.cwd(), SCHEMAS_DIR) || '.'} in ${Date.now() - started} ms`,
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
