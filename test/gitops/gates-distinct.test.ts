/**
 * The schema, secrets and policy gates judge each distinct manifest text once (issue 15: a 100-cluster fleet has
 * 14,000 objects but about 1,131 distinct texts, since each peer Gateway repeats in every other cluster), and report
 * every finding for every object, with that object's construct path, exactly as judging each object alone would.
 */
import * as crypto from 'crypto';
import { RenderedObject, policyGate, schemaGate, secretsGate } from '../../lib/gitops';
import { objectGates } from '../../lib/gitops/gates';
import { SchemaRegistry } from '../../lib/validation';

const object = (constructPath: string, manifest: any, cluster = 'c1'): RenderedObject => ({
  cluster,
  component: 'extra',
  constructPath,
  manifest,
});

const badConfigMap = () => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'Bad_Name', namespace: 'ns', labels: { 'app/': 'x' } },
  data: { 'bad key': 'x' },
  unknownField: true,
});
const pinlessDeployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'app', namespace: 'ns' },
  spec: {
    selector: { matchLabels: { app: 'app' } },
    template: {
      metadata: { labels: { app: 'app' } },
      spec: { containers: [{ name: 'app', image: 'registry.example.com/app', env: [{ name: 'SOLO_LICENSE_KEY', value: 'KEY' }] }] },
    },
  },
});
// A throwaway key generated at run time (P-256: instant), so no key material is committed; one for every copy.
const THROWAWAY_KEY = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const keySecret = () => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'leak', namespace: 'ns' },
  stringData: {
    'tls.key': THROWAWAY_KEY,
  },
});

/** Repeats of the same texts (distinct objects, equal JSON) in several clusters, interleaved with other objects. */
function fleetOfRepeats(): RenderedObject[] {
  const objects: RenderedObject[] = [];
  for (const cluster of ['c1', 'c2', 'c3']) {
    objects.push(object(`mesh/${cluster}/Bad`, badConfigMap(), cluster));
    objects.push(object(`mesh/${cluster}/App`, pinlessDeployment(), cluster));
    objects.push(object(`mesh/${cluster}/Leak`, keySecret(), cluster));
    objects.push(object(`mesh/${cluster}/Fine`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: cluster } }, cluster));
  }
  return objects;
}

/** The gates one object at a time: no two objects ever share an answer. */
function oneByOne(objects: readonly RenderedObject[], gate: (objects: readonly RenderedObject[]) => unknown[]): unknown[] {
  return objects.flatMap((o) => gate([o]));
}

describe('gates over repeated manifest texts', () => {
  const registry = SchemaRegistry.default();
  const objects = fleetOfRepeats();

  test('every object gets its own findings, labelled with its construct path, as judged alone', () => {
    const schema = schemaGate(objects, registry);
    expect(schema).toEqual(oneByOne(objects, (os) => schemaGate(os, registry)));
    expect(secretsGate(objects)).toEqual(oneByOne(objects, secretsGate));
    expect(policyGate(objects, { acknowledgedLicenseValues: [] })).toEqual(oneByOne(objects, (os) => policyGate(os)));
    // Each repeat is reported once per object, not once per text.
    for (const cluster of ['c1', 'c2', 'c3']) {
      expect(schema.filter((f) => f.constructPath === `mesh/${cluster}/Bad`).length).toBeGreaterThan(0);
      expect(
        secretsGate(objects)
          .filter((f) => f.constructPath === `mesh/${cluster}/Leak`)
          .map((f) => f.message),
      ).toEqual(['a Secret with data (tls.key) would be committed to dist/', 'contains a PEM private key']);
    }
    expect(schema.filter((f) => f.constructPath === 'mesh/c2/Bad')).toEqual(
      schema
        .filter((f) => f.constructPath === 'mesh/c1/Bad')
        .map((f) => ({ ...f, constructPath: 'mesh/c2/Bad', subject: f.subject?.replace('mesh/c1/Bad', 'mesh/c2/Bad') })),
    );
  });

  test('objectGates is the three gates one after the other', () => {
    const options = { acknowledgedLicenseValues: ['OTHER'] };
    expect(objectGates(objects, registry, options)).toEqual([
      ...schemaGate(objects, registry),
      ...secretsGate(objects),
      ...policyGate(objects, options),
    ]);
    // An acknowledged license value is refused nowhere.
    expect(objectGates(objects, registry, { acknowledgedLicenseValues: ['KEY'] }).filter((f) => f.message.includes('license'))).toEqual([]);
  });

  test('the schema of each distinct text is checked once', () => {
    // 12 objects: three texts repeated in 3 clusters, and one Namespace per cluster (named after it).
    const distinct = new Set(objects.map((o) => JSON.stringify(o.manifest))).size;
    expect(distinct).toBe(6);
    const validate = jest.spyOn(registry, 'validate');
    try {
      schemaGate(objects, registry);
      expect(validate).toHaveBeenCalledTimes(distinct);
      validate.mockClear();
      objectGates(objects, registry);
      expect(validate).toHaveBeenCalledTimes(distinct);
    } finally {
      validate.mockRestore();
    }
  });

  test('objects whose texts differ in one value are judged apart', () => {
    const fine = object('mesh/c1/Good', { ...pinlessDeployment() });
    fine.manifest.spec.template.spec.containers[0].image = 'registry.example.com/app:1.0.0';
    fine.manifest.spec.template.spec.containers[0].env = [];
    const pair = [object('mesh/c1/App', pinlessDeployment()), fine];
    expect(policyGate(pair).map((f) => f.constructPath)).toEqual(['mesh/c1/App', 'mesh/c1/App']);
  });
});
