/**
 * The variant matrix (test/variants/matrix.ts): each committed example mesh synthesizes to
 * exactly its committed output, byte for byte, through the real helm binary and the real chart
 * archives where the mode renders charts. A refactoring that changes any byte fails here; a
 * deliberate change is regenerated with scripts/update-variants.ts and reviewed as a diff.
 */
import * as fs from 'fs';
import * as path from 'path';
import { readTree } from './helpers';
import { certificatesDir, expectedDir, helmBinary, synthVariant } from './variants/harness';
import { VARIANTS } from './variants/matrix';

describe('variant matrix: committed output is reproduced byte for byte', () => {
  let helm: string;
  beforeAll(() => {
    helm = helmBinary();
  });

  test('the matrix covers at least eight variants besides the example', () => {
    expect(VARIANTS.filter((v) => v.name !== 'example').length).toBeGreaterThanOrEqual(8);
  });

  test.each(VARIANTS.map((v) => [v.name, v] as const))('%s', (_name, variant) => {
    const expected = readTree(expectedDir(variant));
    expect(Object.keys(expected).length).toBeGreaterThan(0);
    const { tree, pki, result } = synthVariant(variant, helm);
    // The committed certificates were reused, not regenerated.
    const committedPki = readTree(certificatesDir(variant));
    for (const [file, text] of Object.entries(committedPki)) expect(pki[file]).toBe(text);
    expect(Object.keys(tree).sort()).toEqual(Object.keys(expected).sort());
    const differing = Object.keys(expected).filter((file) => tree[file] !== expected[file]);
    expect(differing).toEqual([]);
    expect(result.clusters.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(expectedDir(variant), 'README.md'))).toBe(true);
  });
});
