/**
 * Strict, offline schema gate for every object spiremesh emits.
 *
 * Schemas come only from the committed artifacts in imports/schemas/ (written by
 * scripts/import-schemas.ts): Kubernetes 1.30 built-in kinds, and the CRDs listed in cdk8s.yaml.
 * Unknown fields are errors everywhere, including in custom resources, whose metadata is checked
 * against the Kubernetes ObjectMeta schema. Integers are integers (`replicas: 1.5` fails), and
 * `status` is accepted where the upstream schema has one (a built-in kind's upstream status type,
 * a CRD's own `status` schema), checked like any other field.
 *
 * Validators come precompiled: `npm run import` writes every kind's validator as ajv standalone code
 * (imports/schemas/validators.js, https://ajv.js.org/standalone.html), so no process compiles a schema
 * (compiling was most of a small synth's time). A directory without that file (a test's own schemas) is
 * compiled lazily, once per kind, with the same ajv options.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { _, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { version as AJV_VERSION } from 'ajv/package.json';
import { customResourceSchema, type JsonSchema } from './crd-schema';
import { child, describeErrors } from './errors';
import { FORMATS_RUNTIME_MODULE, addKubernetesFormats } from './formats';
import { LIST_MAP_CODE_VERSION, listMapKeyword } from './list-map';

export interface SchemaViolation {
  /** The offending object, e.g. "apps/v1 Deployment spire-server/spire-server" (just the name when it has no namespace). */
  readonly object: string;
  /** JSON pointer to the offending field, e.g. /spec/template/spec/containers/0/imagePullPolicyy ("" for the whole object). */
  readonly field: string;
  /** What is wrong, e.g. "unknown field 'imagePullPolicyy'" or "must be integer (got "3")". */
  readonly message: string;
  /**
   * The schema that judged it, e.g. "Kubernetes 1.30 apps/v1 Deployment" or
   * "CRD gateways.gateway.networking.k8s.io v1 (kubernetes-sigs/gateway-api v1.4.0)".
   */
  readonly schema: string;
}

/** One kind the registry can validate. */
export interface KnownKind {
  readonly apiVersion: string;
  readonly kind: string;
  /** Human-readable name of the schema, as used in SchemaViolation.schema. */
  readonly schema: string;
}

/** Layout of imports/schemas/kubernetes-1.30.json. */
interface KubernetesSchemaFile {
  readonly kubernetesVersion: string;
  readonly kinds: Record<string, Record<string, string>>; // apiVersion -> kind -> definition name
  readonly definitions: Record<string, unknown>;
}

/** Layout of imports/schemas/crds/<group>_<version>_<Kind>.json. */
interface CrdSchemaFile {
  readonly header: {
    readonly group: string;
    readonly version: string;
    readonly kind: string;
    readonly plural: string;
    readonly scope: string;
    readonly source: { repository?: string; tag?: string; file?: string };
  };
  readonly openAPIV3Schema: unknown;
}

interface KindEntry extends KnownKind {
  schemaFor(): JsonSchema;
}

export const KUBERNETES_SCHEMA_FILE = 'kubernetes-1.30.json';
/**
 * The folder of precompiled validators beside the schemas (git-ignored, written by `npm run build`/`prepare` and
 * `npm run import`): one CommonJS module per kind exporting `validate` and the `inputDigest` it was compiled from.
 */
export const PRECOMPILED_VALIDATORS_DIRECTORY = 'validators';
/**
 * What the generated code depends on besides the schemas: ajv's version and options (createAjv below) and the
 * list-map keyword's code generator. A module compiled from anything else is not used (its kind compiles at run time).
 */
const GENERATOR_FINGERPRINT = () =>
  `ajv ${AJV_VERSION} ${JSON.stringify(AJV_OPTIONS)} code.optimize false; list-map code ${LIST_MAP_CODE_VERSION}`;
const KUBERNETES_SCHEMA_ID = 'kubernetes';
const OBJECT_META_REF = `${KUBERNETES_SCHEMA_ID}#/definitions/meta.v1.ObjectMeta`;
const NO_SCHEMA = 'none';

export class SchemaRegistry {
  private static defaultRegistry?: SchemaRegistry;

  /** The registry over the project's committed schemas (imports/schemas), loaded once per process. */
  static default(): SchemaRegistry {
    return (SchemaRegistry.defaultRegistry ??= SchemaRegistry.fromDirectory(path.join(__dirname, '../../imports/schemas')));
  }

  /** Loads the artifacts that scripts/import-schemas.ts writes into dir. */
  static fromDirectory(dir: string): SchemaRegistry {
    const kubernetesFile = path.join(dir, KUBERNETES_SCHEMA_FILE);
    if (!fs.existsSync(kubernetesFile)) {
      throw new Error(`SchemaRegistry: ${kubernetesFile} not found; run \`npm run import\` to generate imports/schemas/`);
    }
    const kubernetesText = fs.readFileSync(kubernetesFile, 'utf8');
    const crdDir = path.join(dir, 'crds');
    const crds = fs.existsSync(crdDir)
      ? fs
          .readdirSync(crdDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => fs.readFileSync(path.join(crdDir, f), 'utf8'))
      : [];
    return new SchemaRegistry(kubernetesText, crds, path.join(dir, PRECOMPILED_VALIDATORS_DIRECTORY));
  }

  private readonly entries = new Map<string, KindEntry>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly kubernetesDefinitions: Record<string, unknown>;
  private ajvInstance?: Ajv;
  private readonly kubernetesDigest: string;

  private constructor(
    kubernetesText: string,
    crdTexts: readonly string[],
    private readonly precompiledDirectory?: string,
  ) {
    const kubernetes = JSON.parse(kubernetesText) as KubernetesSchemaFile;
    const crds = crdTexts.map((text) => JSON.parse(text) as CrdSchemaFile);
    this.kubernetesDefinitions = kubernetes.definitions;
    this.kubernetesDigest = sha256(kubernetesText);
    for (const [apiVersion, kinds] of Object.entries(kubernetes.kinds)) {
      for (const [kind, definition] of Object.entries(kinds)) {
        this.entries.set(key(apiVersion, kind), {
          apiVersion,
          kind,
          schema: `Kubernetes ${kubernetes.kubernetesVersion} ${apiVersion} ${kind}`,
          schemaFor: () => ({ $ref: `${KUBERNETES_SCHEMA_ID}#/definitions/${definition}` }),
        });
      }
    }
    for (const crd of crds) {
      const { group, version, kind, plural, source } = crd.header;
      const apiVersion = group ? `${group}/${version}` : version;
      const origin = source.repository ? `${source.repository}${source.tag ? ` ${source.tag}` : ''}` : source.file;
      this.entries.set(key(apiVersion, kind), {
        apiVersion,
        kind,
        schema: `CRD ${plural}.${group} ${version}${origin ? ` (${origin})` : ''}`,
        schemaFor: () => customResourceSchema(crd.openAPIV3Schema, apiVersion, kind, OBJECT_META_REF),
      });
    }
  }

  /** Whether a schema is known for this apiVersion/kind. */
  has(apiVersion: string, kind: string): boolean {
    return this.entries.has(key(apiVersion, kind));
  }

  /** Every kind the registry knows, sorted by apiVersion then kind. */
  kinds(): KnownKind[] {
    return [...this.entries.values()]
      .map(({ apiVersion, kind, schema }) => ({ apiVersion, kind, schema }))
      .sort((a, b) => (key(a.apiVersion, a.kind) < key(b.apiVersion, b.kind) ? -1 : 1));
  }

  /**
   * Whether this kind is checked by a precompiled validator (PRECOMPILED_VALIDATORS_DIRECTORY) rather than one
   * compiled in this process; undefined for an unknown kind.
   */
  isPrecompiled(apiVersion: string, kind: string): boolean | undefined {
    const entry = this.entries.get(key(apiVersion, kind));
    return entry ? !('schemaEnv' in this.validatorFor(entry)) : undefined;
  }

  /** Checks one manifest object; an empty list means it is valid. */
  validate(obj: any): SchemaViolation[] {
    const object = describeObject(obj);
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      return [{ object, field: '', message: 'must be a Kubernetes object (a mapping with apiVersion and kind)', schema: NO_SCHEMA }];
    }
    const { apiVersion, kind } = obj;
    const missing = (['apiVersion', 'kind'] as const).filter((f) => typeof obj[f] !== 'string' || obj[f] === '');
    if (missing.length > 0) {
      return missing.map((f) => ({ object, field: child('', f), message: `missing required field '${f}'`, schema: NO_SCHEMA }));
    }
    const entry = this.entries.get(key(apiVersion, kind));
    if (!entry) return [{ object, field: '', message: this.noSchemaMessage(apiVersion, kind), schema: NO_SCHEMA }];

    const validator = this.validatorFor(entry);
    if (validator(obj)) return [];
    // The API server reads a null field as an absent one: built-in kinds decode it to the Go zero
    // value, and a custom resource's non-nullable null fields are pruned before validation
    // (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#defaulting-and-nullable).
    // Upstream files carry them (Gateway API's CRDs end in `status: {conditions: null, storedVersions: null}`).
    if (hasNullField(obj) && validator(withoutNullFields(obj))) return [];
    return describeErrors(validator.errors ?? []).map((e) => ({ object, field: e.field, message: e.message, schema: entry.schema }));
  }

  /** Checks many objects; the violations of all of them, in order. */
  validateAll(objects: Iterable<any>): SchemaViolation[] {
    const violations: SchemaViolation[] = [];
    for (const obj of objects) violations.push(...this.validate(obj));
    return violations;
  }

  private noSchemaMessage(apiVersion: string, kind: string): string {
    const otherVersions = [...this.entries.values()].filter((e) => e.kind === kind).map((e) => e.apiVersion);
    const known = otherVersions.length > 0 ? ` (known for ${otherVersions.sort().join(', ')})` : '';
    return (
      `no schema is known for ${apiVersion} ${kind}${known}; ` +
      'if it is a custom resource, add its CRD to cdk8s.yaml imports and run `npm run import`'
    );
  }

  /**
   * Every kind's validator as a standalone module (file name → source), for PRECOMPILED_VALIDATORS_DIRECTORY.
   * Deterministic; each module is self-contained (the definitions it uses are emitted into it), while one ajv
   * compiles each shared definition once for all of them.
   */
  standaloneModules(): Map<string, string> {
    const ajv = createAjv(this.kubernetesDefinitions, true);
    const sorted = [...this.entries.values()].sort((a, b) => (key(a.apiVersion, a.kind) < key(b.apiVersion, b.kind) ? -1 : 1));
    const modules = new Map<string, string>();
    for (const entry of sorted) {
      const schema = entry.schemaFor();
      // A schema id without '/' or ':', so that the relative $ref to the Kubernetes definitions still resolves to them.
      const id = moduleNameOf(entry).replace(/\.js$/, '');
      ajv.addSchema(schema, id);
      const code = standaloneCode(ajv, { validate: id });
      const header = `// ${entry.schema}: validator precompiled by spiremesh (lib/validation/schema-registry.ts); generated, do not edit.`;
      modules.set(moduleNameOf(entry), `${header}\n${code};exports.inputDigest = ${JSON.stringify(this.inputDigest(schema))};\n`);
    }
    return modules;
  }

  /**
   * Writes standaloneModules() into dir and removes the modules it no longer produces. A module whose bytes are
   * unchanged is not touched, a changed one is replaced by rename: a process loading validators meanwhile (another
   * test worker, a running synth) reads either the old module or the new one, never a part.
   */
  writeStandaloneModules(dir: string): number {
    const modules = this.standaloneModules();
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, source] of modules) {
      const file = path.join(dir, name);
      if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === source) continue;
      const temp = `${file}.tmp-${process.pid}`;
      fs.writeFileSync(temp, source);
      fs.renameSync(temp, file);
    }
    for (const name of fs.readdirSync(dir)) if (!modules.has(name)) fs.rmSync(path.join(dir, name), { force: true });
    return modules.size;
  }

  private validatorFor(entry: KindEntry): ValidateFunction {
    const k = key(entry.apiVersion, entry.kind);
    let validator = this.validators.get(k);
    if (!validator) {
      const schema = entry.schemaFor();
      validator = this.precompiledValidator(entry, schema) ?? this.ajv().compile(schema);
      this.validators.set(k, validator);
    }
    return validator;
  }

  /** The precompiled validator of a kind, when its module exists and was compiled from this very schema. */
  private precompiledValidator(entry: KindEntry, schema: JsonSchema): ValidateFunction | undefined {
    if (!this.precompiledDirectory) return undefined;
    const file = path.join(this.precompiledDirectory, moduleNameOf(entry));
    if (!fs.existsSync(file)) return undefined;
    let module: { validate?: ValidateFunction; inputDigest?: string };
    try {
      // A generated CommonJS module at a path known only at run time.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      module = require(file);
    } catch {
      // A damaged module (a build cut short) or one a bundler cannot reach: the kind compiles here instead.
      return undefined;
    }
    return module.inputDigest === this.inputDigest(schema) ? module.validate : undefined;
  }

  private inputDigest(schema: JsonSchema): string {
    return sha256(`${GENERATOR_FINGERPRINT()}\n${this.kubernetesDigest}\n${JSON.stringify(schema)}`);
  }

  /** One ajv for all kinds, so that shared Kubernetes definitions are compiled only once. */
  private ajv(): Ajv {
    return (this.ajvInstance ??= createAjv(this.kubernetesDefinitions, false));
  }
}

/** The ajv every validator is compiled with, at run time or into standalone code (`source`). */
/** ajv's options for every validator, at run time or in standalone code (and part of GENERATOR_FINGERPRINT). */
const AJV_OPTIONS = {
  allErrors: true, // report every problem in one pass, not just the first
  verbose: true, // errors carry their schema and data: needed for "did you mean" and "(got ...)"
  strict: false, // CRD schemas are external input; crdToAjvSchema already drops what ajv would not know
  allowUnionTypes: true,
  // A $ref is a call of the referenced definition's own function, not a copy of its code at every use
  // (ajv option `inlineRefs`, https://ajv.js.org/options.html#inlinerefs): smaller generated code.
  inlineRefs: false,
} as const;

/** The ajv every validator is compiled with, at run time or into standalone code (`source`). */
function createAjv(kubernetesDefinitions: Record<string, unknown>, source: boolean): Ajv {
  const ajv = new Ajv({
    ...AJV_OPTIONS,
    // No optimisation pass over the generated validator code (ajv option `code.optimize`, default 1 pass,
    // https://ajv.js.org/options.html#code): validators compiled at run time are ready sooner, and the unoptimised
    // ones were not slower on a 50-cluster fleet. Standalone code reaches the formats through a require of their
    // module (ajv option `code.formats`).
    code: { optimize: false, source, formats: _`require(${FORMATS_RUNTIME_MODULE}).FORMAT_DEFINITIONS` },
  });
  addKubernetesFormats(ajv);
  ajv.addKeyword(listMapKeyword);
  ajv.addSchema({ definitions: kubernetesDefinitions }, KUBERNETES_SCHEMA_ID);
  return ajv;
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
}

/** e.g. kind-apps_v1-Deployment.js: no '/' or ':' (it doubles as the schema's id; see standaloneModules). */
function moduleNameOf(entry: KnownKind): string {
  return `kind-${entry.apiVersion.replace(/[^A-Za-z0-9.-]/g, '_')}-${entry.kind}.js`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function describeObject(obj: any): string {
  if (obj === null || typeof obj !== 'object') return String(obj);
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '(no apiVersion)';
  const kind = typeof obj.kind === 'string' ? obj.kind : '(no kind)';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '(unnamed)';
  const namespace = typeof obj.metadata?.namespace === 'string' && obj.metadata.namespace ? `${obj.metadata.namespace}/` : '';
  return `${apiVersion} ${kind} ${namespace}${name}`;
}

function hasNullField(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullField);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((v) => v === null || hasNullField(v));
}

/** A copy without the object fields whose value is null (as the API server decodes them). */
function withoutNullFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullFields);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNullFields(v)]),
  );
}
