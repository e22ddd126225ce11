/**
 * Strict, offline schema gate for every object spiremesh emits.
 *
 * Schemas come only from the committed artifacts in imports/schemas/ (written by
 * scripts/import-schemas.ts): Kubernetes 1.30 built-in kinds, and the CRDs listed in cdk8s.yaml.
 * Unknown fields are errors everywhere, including in custom resources, whose metadata is checked
 * against the Kubernetes ObjectMeta schema. Integers are integers (`replicas: 1.5` fails), and
 * `status` is accepted where the upstream schema has one (a built-in kind's upstream status type,
 * a CRD's own `status` schema), checked like any other field. Validators are compiled lazily,
 * once per kind.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import { customResourceSchema, LIST_MAP_KEYWORD, type JsonSchema, type ListMapKeys } from './crd-schema';
import { child, describeErrors } from './errors';
import { addKubernetesFormats } from './formats';

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
    const kubernetes = JSON.parse(fs.readFileSync(kubernetesFile, 'utf8')) as KubernetesSchemaFile;
    const crdDir = path.join(dir, 'crds');
    const crds = fs.existsSync(crdDir)
      ? fs
          .readdirSync(crdDir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => JSON.parse(fs.readFileSync(path.join(crdDir, f), 'utf8')) as CrdSchemaFile)
      : [];
    return new SchemaRegistry(kubernetes, crds);
  }

  private readonly entries = new Map<string, KindEntry>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly kubernetesDefinitions: Record<string, unknown>;
  private ajvInstance?: Ajv;

  private constructor(kubernetes: KubernetesSchemaFile, crds: readonly CrdSchemaFile[]) {
    this.kubernetesDefinitions = kubernetes.definitions;
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

  private validatorFor(entry: KindEntry): ValidateFunction {
    const k = key(entry.apiVersion, entry.kind);
    let validator = this.validators.get(k);
    if (!validator) {
      validator = this.ajv().compile(entry.schemaFor());
      this.validators.set(k, validator);
    }
    return validator;
  }

  /** One ajv for all kinds, so that shared Kubernetes definitions are compiled only once. */
  private ajv(): Ajv {
    if (this.ajvInstance) return this.ajvInstance;
    const ajv = new Ajv({
      allErrors: true, // report every problem in one pass, not just the first
      verbose: true, // errors carry their schema and data: needed for "did you mean" and "(got ...)"
      strict: false, // CRD schemas are external input; crdToAjvSchema already drops what ajv would not know
      allowUnionTypes: true,
      // No optimisation pass over the generated validator code (ajv option `code.optimize`, default 1 pass,
      // https://ajv.js.org/options.html#code): compiling the Argo CD Application and Kubernetes schemas is most of a
      // small synth's time, and the unoptimised validators were not slower on a 50-cluster fleet (bench/synth-fleet.ts).
      code: { optimize: false },
    });
    addKubernetesFormats(ajv);
    ajv.addKeyword({ keyword: LIST_MAP_KEYWORD, type: 'array', schemaType: 'object', errors: true, validate: checkListMapKeys });
    ajv.addSchema({ definitions: this.kubernetesDefinitions }, KUBERNETES_SCHEMA_ID);
    this.ajvInstance = ajv;
    return ajv;
  }
}

/** x-kubernetes-list-type=map: no two items may share the same key values. */
const checkListMapKeys: SchemaValidateFunction = (spec: ListMapKeys, data: unknown[], _parentSchema, dataCxt) => {
  const errors: Partial<ErrorObject>[] = [];
  const firstIndex = new Map<string, number>();
  data.forEach((item, index) => {
    if (!item || typeof item !== 'object') return;
    const values = spec.keys.map((k) => (item as Record<string, unknown>)[k] ?? spec.defaults[k]);
    if (values.some((v) => v === undefined)) return; // a missing key is reported as "required" instead
    const id = JSON.stringify(values);
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return;
    }
    const keyText = spec.keys.map((k, i) => `${k}=${JSON.stringify(values[i])}`).join(', ');
    errors.push({
      keyword: LIST_MAP_KEYWORD,
      instancePath: `${dataCxt?.instancePath ?? ''}/${index}`,
      message: `duplicate list entry: ${keyText} is already used by item ${first}`,
      params: { keys: spec.keys, duplicateOf: first },
    });
  });
  checkListMapKeys.errors = errors;
  return errors.length === 0;
};

function key(apiVersion: string, kind: string): string {
  return `${apiVersion} ${kind}`;
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
