/**
 * spiremesh CLI for meshes declared in a YAML inventory instead of TypeScript:
 *   npx ts-node bin/spiremesh.ts synth --inventory mesh.yaml [--out DIR] [--check]
 */
import { SpireMesh, UsageError, synthMain } from '../lib';

const [command, ...rest] = process.argv.slice(2);
if (command !== 'synth') {
  process.stderr.write('usage: spiremesh synth --inventory FILE [--out DIR] [--check]\n');
  process.exit(2);
}
synthMain((app, args) => {
  if (!args.inventory) throw new UsageError('synth needs --inventory FILE (a YAML mesh spec; see README.md)');
  SpireMesh.fromInventoryFile(app, 'mesh', args.inventory);
}, rest);
