// Public API of the schema gate; see schema-registry.ts.
export {
  SchemaRegistry,
  KUBERNETES_SCHEMA_FILE,
  PRECOMPILED_VALIDATORS_DIRECTORY,
  type KnownKind,
  type SchemaViolation,
} from './schema-registry';
export { formatViolation } from './format-violation';
