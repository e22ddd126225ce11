/**
 * Regenerates the committed expected output of the variant matrix (test/variants/expected/) and
 * the variants' public certificates (test/variants/pki/) after a deliberate output change.
 * Private keys are generated in scratch folders and removed; only certificates are kept.
 *
 *   npx ts-node --transpile-only scripts/update-variants.ts [variant ...]
 */
import * as fs from 'fs';
import * as path from 'path';
import { certificatesDir, expectedDir, helmBinary, synthVariant } from '../test/variants/harness';
import { VARIANTS } from '../test/variants/matrix';

function writeTree(dir: string, tree: Record<string, string>): void {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [rel, text] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

const wanted = process.argv.slice(2);
const helm = helmBinary();
for (const variant of VARIANTS.filter((v) => wanted.length === 0 || wanted.includes(v.name))) {
  const { tree, pki } = synthVariant(variant, helm);
  writeTree(expectedDir(variant), tree);
  if (Object.keys(pki).length > 0) writeTree(certificatesDir(variant), pki);
  else fs.rmSync(certificatesDir(variant), { recursive: true, force: true });
  process.stdout.write(`${variant.name}: ${Object.keys(tree).length} files\n`);
}
