/**
 * The helm binary and chart archives of helm-template mode, found and checked before any chart
 * is rendered, so that a missing tool is one clear message with its fix instead of a failed spawn.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ChartRelease } from '../core/delivery';

/** `<cache>/<chart>-<version>.tgz`: the file name `helm pull` writes. */
export function chartArchive(cacheDirectory: string, release: ChartRelease): string {
  return path.join(cacheDirectory, `${release.chart}-${release.version}.tgz`);
}

/** A helm binary found and run: its path, what `helm version` printed, or why it cannot be used. */
export interface HelmExecutable {
  readonly path: string;
  readonly version?: string;
  readonly problem?: string;
}

const verifiedExecutables = new Map<string, HelmExecutable>();

/**
 * Finds the helm binary (a PATH name or a path) and checks that `helm version` runs. The result
 * is cached per process: every cluster of a mesh uses the same binary.
 */
export function verifyHelmExecutable(executable: string, baseDirectory: string): HelmExecutable {
  const key = `${baseDirectory}\0${executable}`;
  const cached = verifiedExecutables.get(key);
  if (cached) return cached;
  const fix = 'install helm (or run scripts/fetch-helm.sh) and put it on PATH, or set chartDelivery.helmExecutable to its path';
  let result: HelmExecutable;
  const resolved = resolveExecutable(executable, baseDirectory);
  if (!resolved) {
    const where = executable.includes('/') ? `at ${path.resolve(baseDirectory, executable)}` : 'on PATH';
    result = { path: executable, problem: `helm executable '${executable}' was not found ${where}: ${fix}` };
  } else {
    const run = spawnSync(resolved, ['version'], { encoding: 'utf8', timeout: 30_000 });
    result =
      run.status === 0
        ? { path: resolved, version: run.stdout.trim() }
        : {
            path: resolved,
            problem: `helm executable ${resolved} does not run (\`helm version\` ${run.error ? `failed: ${run.error.message}` : `exited with ${run.status}: ${(run.stderr ?? '').trim()}`}): ${fix}`,
          };
  }
  verifiedExecutables.set(key, result);
  return result;
}

function resolveExecutable(executable: string, baseDirectory: string): string | undefined {
  if (executable.includes('/') || executable.includes(path.sep)) {
    const candidate = path.resolve(baseDirectory, executable);
    return isExecutableFile(candidate) ? candidate : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, executable);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
