import type { SchemaViolation } from './schema-registry';

/** One line per violation, for synth output and CI logs. */
export function formatViolation(v: SchemaViolation): string {
  return `${v.object}: ${v.field || '(object)'}: ${v.message} [${v.schema}]`;
}
