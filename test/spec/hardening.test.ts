/**
 * Input that looks valid but cannot work, and input that would make a bad error message: each
 * refused with one clear, located, short message.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SpecValidationError, formatSpecPath, loadMeshSpecFile, validateMeshSpec } from '../../lib';
import { errorOf, meshDocument, tempDir } from '../helpers';

function problemsOf(mutate: (doc: ReturnType<typeof meshDocument>) => void): string[] {
  const doc = meshDocument(2);
  mutate(doc);
  return validateMeshSpec(doc).map((p) => `${formatSpecPath(p.path)}: ${p.message}`);
}

function inventory(text: string | Buffer): string {
  const file = path.join(tempDir(), 'mesh.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('spec input hardening', () => {
  test.each([
    ['999.1.1.1', 'looks like an IP address but is not a valid one'],
    ['1.2.3', 'looks like an IP address but is not a valid one'],
    ['0.0.0.0', 'is the unspecified address, which peers cannot connect to'],
    ['::', 'is the unspecified address, which peers cannot connect to'],
  ])('east-west address %s is refused', (address, why) => {
    expect(problemsOf((d) => (d.clusters[0].eastWestAddress = address))).toEqual([
      `clusters[0].eastWestAddress: east-west address '${address}' ${why}`,
    ]);
  });

  test('real IP addresses and DNS names stay valid', () => {
    for (const address of ['192.0.2.10', '2001:db8::10', 'eastwest.c1.example.com', 'gw-1.example']) {
      expect(problemsOf((d) => (d.clusters[0].eastWestAddress = address))).toEqual([]);
    }
  });

  test("an istio version with the '-solo' suffix is refused instead of rendering '-solo-solo'", () => {
    const found = validateMeshSpec({ ...meshDocument(2), istio: { ...meshDocument(2).istio, version: '1.29.1-solo' } });
    expect(found.map((p) => formatSpecPath(p.path))).toEqual(['istio.version']);
    expect(found[0].message).toContain("carries the '-solo' suffix");
    expect(found[0].fix).toBe("write '1.29.1'");
  });

  test('an inventory that is not valid UTF-8 is refused', () => {
    const file = inventory(Buffer.concat([Buffer.from('name: m\nclusters:\n  - name: c'), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    const e = errorOf(() => loadMeshSpecFile(file));
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.message).toContain('the inventory file is not valid UTF-8');
  });

  test('a duplicate key names its line and column once', () => {
    const e = errorOf(() => loadMeshSpecFile(inventory('name: m\nclusters:\n  - name: a\n    name: b\n')));
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.message).toContain('YAML syntax error at line 4, column 5: Map keys must be unique');
    expect(e.message).not.toMatch(/at line 4, column 5.*at line 4/);
  });

  test('an alias bomb is refused with a clear message', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    const e = errorOf(() => loadMeshSpecFile(inventory(bomb)));
    expect(e).toBeInstanceOf(SpecValidationError);
    expect(e.message).toContain('the YAML cannot be read: Excessive alias count');
  });

  test('a huge value is cut in the message, which stays small', () => {
    const huge = 'x'.repeat(5_000_000);
    const e = errorOf(() => loadMeshSpecFile(inventory(`name: m\nclusters:\n  - name: ${huge}\n`)));
    // The whole stack when it is another error, so that a failure says where it came from.
    expect(e instanceof SpecValidationError ? 'SpecValidationError' : String(e.stack).slice(0, 3000)).toBe('SpecValidationError');
    expect(e.message.length).toBeLessThan(10_000);
    expect(e.message).toContain('(5000000 characters)');
  });
});
