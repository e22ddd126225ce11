/**
 * The spec schema's validator that `npm run build` precompiles (ajv standalone code, lib/spec/validate.ts): current
 * for this schema and ajv, and giving the same verdict and errors as one compiled at run time.
 */
import * as fs from 'fs';
import Ajv, { ValidateFunction } from 'ajv';
import { MESH_SPEC_SCHEMA } from '../../lib/spec';
import { SPEC_AJV_OPTIONS, SPEC_VALIDATOR_MODULE, specValidatorDigest, validateMeshSpec } from '../../lib/spec/validate';
import { meshDocument } from '../helpers';

describe('the precompiled spec validator', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const precompiled: ValidateFunction & { inputDigest?: string } = require(SPEC_VALIDATOR_MODULE);
  const compiled = new Ajv(SPEC_AJV_OPTIONS).compile(MESH_SPEC_SCHEMA);

  test('the build wrote it for this schema and this ajv (so no process compiles the spec schema)', () => {
    expect(fs.existsSync(SPEC_VALIDATOR_MODULE)).toBe(true);
    expect(precompiled.inputDigest).toBe(specValidatorDigest());
    expect(compiled(meshDocument(3))).toBe(true);
  });

  const documents: [string, unknown][] = [
    ['a valid three-cluster mesh', meshDocument(3)],
    ['an unknown field', { ...meshDocument(2), colour: 'blue' }],
    ['a wrong type', { ...meshDocument(2), clusters: 'c1' }],
    ['a cluster without its name', { ...meshDocument(2), clusters: [{ eastWestAddress: '192.0.2.1' }] }],
    ['no clusters at all, and a number for a name', { name: 7 }],
    ['not an object', ['a']],
  ];
  test.each(documents)('%s: the same verdict and errors', (_, doc) => {
    const a = precompiled(doc);
    const b = compiled(doc);
    expect(a).toBe(b);
    expect(precompiled.errors ?? null).toEqual(compiled.errors ?? null);
  });

  test('validateMeshSpec reports the schema errors (through the precompiled validator)', () => {
    expect(validateMeshSpec(meshDocument(2))).toEqual([]);
    expect(
      validateMeshSpec({ ...meshDocument(2), colour: 'blue' })
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/colour/);
  });
});
