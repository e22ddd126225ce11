// The precompiled validators (imports/schemas/validators/, ajv standalone code written by `npm run build`,
// which `npm ci` runs as `prepare`): used when present and compiled from the same schema, identical in their
// verdicts to validators compiled at run time, and never used when stale.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { PRECOMPILED_VALIDATORS_DIRECTORY, SchemaRegistry } from '../../lib/validation';
import { tempDir } from '../helpers';

const root = path.join(__dirname, '../..');
const schemas = path.join(root, 'imports/schemas');
const precompiledDir = path.join(schemas, PRECOMPILED_VALIDATORS_DIRECTORY);

/** Every document of the committed outputs (the example's dist/ and the examples' dist/ folders). */
function committedDocuments(): any[] {
  const docs: any[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.yaml')) for (const d of parseAllDocuments(fs.readFileSync(p, 'utf8'))) docs.push(d.toJSON());
    }
  };
  walk(path.join(root, 'dist'));
  for (const example of fs.readdirSync(path.join(root, 'examples'))) {
    const dist = path.join(root, 'examples', example, 'dist');
    if (fs.existsSync(dist)) walk(dist);
  }
  const registry = SchemaRegistry.default();
  return docs.filter((d) => d && typeof d === 'object' && registry.has(d.apiVersion, d.kind));
}

/** A copy of the committed schemas without precompiled validators: every kind compiles at run time. */
function runtimeOnlyRegistry(dir: string): SchemaRegistry {
  fs.cpSync(schemas, dir, { recursive: true, filter: (src) => !src.startsWith(precompiledDir) });
  return SchemaRegistry.fromDirectory(dir);
}

/** The same objects broken in the ways the gate must catch: an unknown field, a wrong type, a missing field. */
function broken(doc: any): any {
  const copy = structuredClone(doc);
  copy.metadata = { ...copy.metadata, labell: 'typo' };
  if (copy.spec && typeof copy.spec === 'object') copy.spec.replicas = '3';
  if (copy.kind === 'Gateway' && Array.isArray(copy.spec?.listeners)) copy.spec.listeners.push(copy.spec.listeners[0]);
  if (copy.kind === 'ConfigMap') delete copy.data;
  else delete copy.metadata.name;
  return copy;
}

describe('precompiled schema validators', () => {
  test('npm run build wrote one module per known kind, and the default registry uses them', () => {
    expect(fs.existsSync(precompiledDir)).toBe(true); // missing: run `npm run build` (npm ci runs it as prepare)
    const registry = SchemaRegistry.default();
    const kinds = registry.kinds();
    expect(fs.readdirSync(precompiledDir).filter((f) => f.endsWith('.js'))).toHaveLength(kinds.length);
    const emitted = new Set(committedDocuments().map((d) => `${d.apiVersion} ${d.kind}`));
    expect(emitted.size).toBeGreaterThan(20);
    for (const k of emitted) {
      const [apiVersion, kind] = k.split(' ');
      expect([k, registry.isPrecompiled(apiVersion, kind)]).toEqual([k, true]);
    }
  });

  test('their verdicts equal those of validators compiled at run time, on every committed object and a broken copy of it', () => {
    const dir = tempDir();
    try {
      const runtime = runtimeOnlyRegistry(dir);
      const precompiled = SchemaRegistry.default();
      const docs = committedDocuments();
      const seen = new Set<string>();
      let broke = 0;
      for (const doc of docs) {
        const k = `${doc.apiVersion} ${doc.kind}`;
        if (seen.has(k)) continue; // one object per kind keeps the runtime compile cheap
        seen.add(k);
        expect(runtime.isPrecompiled(doc.apiVersion, doc.kind)).toBe(false);
        expect(precompiled.validate(doc)).toEqual(runtime.validate(doc));
        const bad = broken(doc);
        const violations = precompiled.validate(bad);
        expect(violations.length).toBeGreaterThan(0);
        expect(violations).toEqual(runtime.validate(bad));
        broke++;
      }
      expect(broke).toBe(seen.size);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the x-kubernetes-list-type=map check reports each duplicate item the same way in both', () => {
    const dir = tempDir();
    try {
      const runtime = runtimeOnlyRegistry(dir);
      const gateway = {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'gw', namespace: 'istio-system' },
        spec: {
          gatewayClassName: 'istio',
          listeners: [
            { name: 'a', port: 80, protocol: 'HTTP' },
            { name: 'a', port: 81, protocol: 'HTTP' },
            { name: 'b', port: 82, protocol: 'HTTP' },
            { name: 'a', port: 83, protocol: 'HTTP' },
          ],
        },
      };
      const violations = SchemaRegistry.default().validate(gateway);
      expect(violations.filter((v) => v.message.startsWith('duplicate list entry'))).toEqual([
        expect.objectContaining({ field: '/spec/listeners/1', message: 'duplicate list entry: name="a" is already used by item 0' }),
        expect.objectContaining({ field: '/spec/listeners/3', message: 'duplicate list entry: name="a" is already used by item 0' }),
      ]);
      expect(violations).toEqual(runtime.validate(gateway));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a module compiled from another schema, or cut short, is not used: its kind is compiled at run time', () => {
    // Two levels below the project like imports/schemas/, so that the modules' relative requires of lib/ resolve.
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(root, 'tmp', 'schemas-'));
    try {
      fs.cpSync(schemas, dir, { recursive: true });
      const moduleFile = path.join(dir, PRECOMPILED_VALIDATORS_DIRECTORY, 'kind-v1-ConfigMap.js');
      expect(fs.existsSync(moduleFile)).toBe(true);
      // A validator that accepts anything, recorded as compiled from some other input.
      fs.writeFileSync(moduleFile, 'exports.validate = () => true; exports.inputDigest = "0000";\n');
      // A module cut short (a build interrupted while writing it): compiled at run time too, no crash.
      const serviceModule = path.join(dir, PRECOMPILED_VALIDATORS_DIRECTORY, 'kind-v1-Service.js');
      fs.writeFileSync(serviceModule, fs.readFileSync(serviceModule, 'utf8').slice(0, 500));
      const registry = SchemaRegistry.fromDirectory(dir);
      expect(registry.isPrecompiled('v1', 'Service')).toBe(false);
      expect(registry.validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 'x' }] } })).toEqual([
        expect.objectContaining({ field: '/spec/ports/0/port', message: 'must be integer (got "x")' }),
      ]);
      expect(registry.isPrecompiled('v1', 'ConfigMap')).toBe(false);
      expect(registry.isPrecompiled('v1', 'Secret')).toBe(true);
      const bad = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { k: 1 } };
      expect(registry.validate(bad)).toEqual([expect.objectContaining({ field: '/data/k', message: 'must be string (got 1)' })]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
