/** The mesh of the spiremesh command (bin/spiremesh.ts): declared from `--inventory FILE`. */
import { SpireMesh } from '../app/mesh';
import { DeclareMesh } from './main';
import { UsageError } from './parse';

export const declareInventoryMesh: DeclareMesh = (app, args) => {
  if (!args.inventory) throw new UsageError('this command needs --inventory FILE (a YAML mesh spec; see README.md)');
  SpireMesh.fromInventoryFile(app, 'mesh', args.inventory);
};
