/**
 * spiremesh CLI for meshes declared in a YAML inventory instead of TypeScript:
 *   npx ts-node bin/spiremesh.ts synth --inventory mesh.yaml [--out DIR] [--check]
 *   npx ts-node bin/spiremesh.ts pki status --inventory mesh.yaml
 */
import { SpireMesh, UsageError, synthMain } from '../lib';

synthMain((app, args) => {
  if (!args.inventory) throw new UsageError('this command needs --inventory FILE (a YAML mesh spec; see README.md)');
  SpireMesh.fromInventoryFile(app, 'mesh', args.inventory);
});
