/**
 * Trust gates that every rendered object passes before anything is written:
 * strict schema validation, and no secret material in the committed output.
 */
import { Finding, containsPrivateKey } from '../spec';
import { SchemaRegistry } from '../validation';
import { RenderedObject, describeObject } from './layout';

/** One reason to refuse the output, naming the object and the code that made it. */
export interface GateFinding extends Finding {
  /** The object, as `describeObject` names it. @default - not about one object */
  readonly object?: string;
  /** The construct that made it. @default - not about one construct */
  readonly constructPath?: string;
}

/** An error finding of a gate (`source`: schema, secrets, layout, construct, pki), its subject naming the object and construct. */
export function gateFinding(
  source: string,
  message: string,
  where: { readonly object?: string; readonly constructPath?: string } = {},
  fix?: string,
): GateFinding {
  const subject = [where.object, where.constructPath ? `(construct ${where.constructPath})` : undefined].filter(Boolean).join(' ');
  return { severity: 'error', source, ...(subject ? { subject } : {}), message, ...(fix ? { fix } : {}), ...where };
}

/** Every object against its schema: Kubernetes 1.30 for built-in kinds, the imported CRD schemas otherwise. */
export function schemaGate(objects: readonly RenderedObject[], registry: SchemaRegistry): GateFinding[] {
  return objects.flatMap((o) =>
    registry.validate(o.manifest).map((v) =>
      gateFinding('schema', `${v.field || '/'}: ${v.message} (schema: ${v.schema})`, {
        object: v.object,
        constructPath: o.constructPath,
      }),
    ),
  );
}

/** dist/ is committed: a Secret with data, or a private key anywhere, must never be emitted. */
export function secretsGate(objects: readonly RenderedObject[]): GateFinding[] {
  const findings: GateFinding[] = [];
  for (const o of objects) {
    const m = o.manifest;
    if (m?.kind === 'Secret' && m?.apiVersion === 'v1') {
      const keys = [...Object.keys(m.data ?? {}), ...Object.keys(m.stringData ?? {})];
      if (keys.length > 0) {
        findings.push(
          gateFinding(
            'secrets',
            `a Secret with data (${keys.sort().join(', ')}) would be committed to dist/`,
            { object: describeObject(m), constructPath: o.constructPath },
            'deliver it with External Secrets, cert-manager or the git-ignored kubectl folder instead',
          ),
        );
      }
    }
    if (containsPrivateKey(JSON.stringify(m))) {
      findings.push(
        gateFinding(
          'secrets',
          'contains a PEM private key',
          { object: describeObject(m), constructPath: o.constructPath },
          'CA keys must stay in the local key folder or a secret store, never in dist/',
        ),
      );
    }
  }
  return findings;
}

/** The same check on final file text (covers files that are not objects, e.g. indexes). */
export function fileTextHasPrivateKey(text: string): boolean {
  return containsPrivateKey(text);
}
