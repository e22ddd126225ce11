import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The compiled package (build/) that whole-process tests run, as `npm ci` made it (`prepare`): the packed package
 * test and the output-reuse tests, whose code identity only a build has (lib/app/reuse.ts). Rebuilt once, before any
 * test file runs (jest's globalSetup), when a source is newer than its build: never while other files read it.
 */
export const REPO = path.resolve(__dirname, '../..');

/** Every file below `dir`, relative and '/'-separated, sorted. */
export function listFiles(dir: string, base = dir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(path.join(dir, e.name), base) : [path.relative(base, path.join(dir, e.name)).split(path.sep).join('/')],
    )
    .sort();
}

/** The compiled sources (lib/, bin/, imports/ TypeScript, the schemas) whose build/ copy is missing or older than they are. */
export function staleBuildInputs(): string[] {
  return ['lib', 'bin', 'imports']
    .flatMap((dir) => listFiles(path.join(REPO, dir)).map((f) => `${dir}/${f}`))
    .filter((f) => (f.endsWith('.ts') && !f.endsWith('.d.ts')) || (f.startsWith('imports/schemas/') && !f.endsWith('.js')))
    .filter((f) => {
      const built = path.join(REPO, 'build', f.replace(/\.ts$/, '.js'));
      return !fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(path.join(REPO, f)).mtimeMs;
    });
}

/** Runs `npm run build` when the build is stale; throws with its output when the build fails or stays stale. */
export function ensureFreshBuild(): void {
  if (staleBuildInputs().length === 0) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const stale = staleBuildInputs();
  if (r.status !== 0 || stale.length > 0) {
    throw new Error(`npm run build exited ${r.status ?? r.signal}; still stale: ${stale.slice(0, 5).join(', ')}\n${r.stdout}\n${r.stderr}`);
  }
}
