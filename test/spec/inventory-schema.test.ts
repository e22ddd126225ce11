/**
 * The committed JSON Schema of YAML inventories (schemas/spiremesh-inventory.schema.json): what the generator writes
 * from the one schema (lib/spec/schema.ts), the same shape, accepting the committed inventories and refusing what the
 * spec refuses, so an editor's `# yaml-language-server: $schema=…` check agrees with synthesis.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as YAML from 'yaml';
import { MESH_SPEC_SCHEMA, validateMeshSpec } from '../../lib/spec';
import { INVENTORY_SCHEMA_COMMAND, INVENTORY_SCHEMA_FILE, inventorySchemaText } from '../../scripts/inventory-schema';

const ROOT = path.resolve(__dirname, '../..');
const schemaFile = path.join(ROOT, INVENTORY_SCHEMA_FILE);
const committedText = fs.existsSync(schemaFile) ? fs.readFileSync(schemaFile, 'utf8') : '';
const committed = committedText ? JSON.parse(committedText) : {};
const INVENTORIES = ['examples/three-clusters.yaml', 'examples/gloo-operator/mesh.yaml'];

/** The schema without what only editors read (descriptions, defaults, the title and the draft). */
function shapeOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shapeOf);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>)
      .filter(([k]) => !['description', 'default', 'title', '$schema'].includes(k))
      .map(([k, v]) => [k, k === 'enum' || k === 'required' ? v : shapeOf(v)]),
  );
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(committed);

test('the committed schema is what the generator writes from lib/spec/schema.ts', () => {
  const generated = inventorySchemaText();
  if (committedText !== generated) {
    throw new Error(
      `${INVENTORY_SCHEMA_FILE} is ${committedText ? 'stale' : 'missing'}: run \`${INVENTORY_SCHEMA_COMMAND}\` and commit it`,
    );
  }
}, 60_000);

test('it has the shape of the one schema, plus descriptions and defaults from the props docs', () => {
  expect(shapeOf(committed)).toEqual(shapeOf(JSON.parse(JSON.stringify(MESH_SPEC_SCHEMA))));
  expect(committed.$schema).toBe('http://json-schema.org/draft-07/schema#');
  const cluster = committed.properties.clusters.items.properties;
  expect(cluster.dataplaneMode).toMatchObject({ default: 'ambient', enum: ['ambient', 'sidecar'] });
  expect(cluster.trustDomain.description).toContain('SPIFFE trust domain');
  expect(cluster.trustDomain.description).toContain('Default: the cluster name');
  expect(cluster.overrides.description).toContain('merged over the mesh-wide `components.istio.extraValues`');
  expect(committed.properties.istio.properties.version.default).toBe('1.29.1');
  expect(committed.properties.pki.properties.keyAlgorithm.default).toBe('rsa-2048');
});

test.each(INVENTORIES)('%s names the schema for editors and is valid against it', (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const comment = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]);
  expect(comment).not.toBeNull();
  expect(path.resolve(path.dirname(path.join(ROOT, file)), comment![1])).toBe(schemaFile);
  const doc = YAML.parse(text);
  expect(validate(doc) ? [] : validate.errors).toEqual([]);
  expect(validateMeshSpec(doc)).toEqual([]);
});

test.each([
  ['a typo in a cluster field', (doc: any) => (doc.clusters[0].trustDomian = 'x.example.com'), 'trustDomian'],
  ['a typo in an override', (doc: any) => (doc.clusters[0].overrides = { istio: { istoid: {} } }), 'istoid'],
  ['an unknown dataplane mode', (doc: any) => (doc.clusters[0].dataplaneMode = 'sidecars'), undefined],
  [
    'a port that is not an integer',
    (doc: any) => (doc.clusters[0].ingressGateways = [{ name: 'gw', ports: [{ name: 'http', port: 8.5 }] }]),
    undefined,
  ],
])('the schema refuses %s, as the spec does', (_what, change, field) => {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, INVENTORIES[0]), 'utf8'));
  change(doc);
  expect(validate(doc)).toBe(false);
  if (field) expect(validate.errors?.map((e) => e.params.additionalProperty)).toContain(field);
  expect(validateMeshSpec(doc).length).toBeGreaterThan(0);
});
