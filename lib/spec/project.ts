/**
 * The project folder: the folder a spec's relative paths (PKI certificates and keys, kubectl
 * Secret manifests) belong to, whatever folder a command is run from.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The output folder of a project, relative to it (`dist`; `cdk8s.yaml`'s `output` and `CDK8S_OUTDIR` may move it). */
export const DEFAULT_OUTPUT_DIRECTORY = 'dist';

/** Files that mark a project folder. */
export const PROJECT_MARKERS: readonly string[] = ['cdk8s.yaml', 'package.json'];

/**
 * The project folder of `startDir`: the nearest folder, `startDir` itself or one of its parents,
 * that holds `cdk8s.yaml` or `package.json` (the nearest one wins, so a package of a monorepo is
 * a project of its own). When no folder up to the file-system root holds either, `startDir`.
 * A mesh loaded from a YAML inventory has its own project folder: the folder of the inventory
 * file (`MeshModel.sourceDir`).
 */
export function findProjectDir(startDir: string): string {
  const start = path.resolve(startDir);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (PROJECT_MARKERS.some((marker) => isFile(path.join(dir, marker)))) return dir;
    if (path.dirname(dir) === dir) return start;
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
