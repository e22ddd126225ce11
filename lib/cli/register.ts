/**
 * `node -r spiremesh/register main.ts [command]`: runs a TypeScript spiremesh app without
 * type-checking it (type errors are the job of `tsc --noEmit`, in tests and the editor).
 *
 * The loader of .ts files (`require.extensions['.ts']`, replacing any loader registered before,
 * e.g. by scripts/register.cjs in a checkout) compiles with Sucrase 3.35's `typescript` and
 * `imports` transforms — the options of `sucrase/register/ts` (sucrase dist/register.js
 * `registerTS`): TypeScript syntax removed, ES modules compiled to CommonJS;
 * https://github.com/alangpierce/sucrase#transforms. In a project that
 * installed spiremesh, `import { SpireMesh } from 'spiremesh'` loads the compiled package and only
 * main.ts is compiled; in a checkout of spiremesh, main.ts compiles lib/ and imports/ (several MB of
 * generated classes), so each result is kept in a cache keyed by the SHA-256 of the Sucrase version,
 * the file's path and its content: an unchanged file is read back, a changed one compiled again.
 *
 * The cache is `node_modules/.cache/spiremesh-register/` of the node_modules that holds Sucrase (the
 * project's own, written by whoever installed it); `SPIREMESH_REGISTER_CACHE=0` turns it off.
 * Entries are written to a temporary name and renamed, so a concurrent run never reads half a file.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { transform } from 'sucrase';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const SUCRASE_VERSION: string = require('sucrase/package.json').version;
const TRANSFORMS = ['typescript', 'imports'] as const;

function cacheDirectory(): string | undefined {
  if (process.env.SPIREMESH_REGISTER_CACHE === '0') return undefined;
  const sucraseDir = path.dirname(require.resolve('sucrase/package.json'));
  const nodeModules = path.dirname(sucraseDir);
  return path.basename(nodeModules) === 'node_modules' ? path.join(nodeModules, '.cache', 'spiremesh-register') : undefined;
}

const cache = cacheDirectory();
let counter = 0;

function compile(code: string, filePath: string): string {
  const key = createHash('sha256')
    .update(`${SUCRASE_VERSION}\0${TRANSFORMS.join(',')}\0${filePath}\0`)
    .update(code)
    .digest('hex');
  const entry = cache === undefined ? undefined : path.join(cache, `${key}.js`);
  if (entry) {
    try {
      return fs.readFileSync(entry, 'utf8');
    } catch {
      // Not cached yet.
    }
  }
  const out = transform(code, { transforms: [...TRANSFORMS], filePath }).code;
  if (entry) {
    try {
      fs.mkdirSync(path.dirname(entry), { recursive: true });
      const tmp = `${entry}.${process.pid}-${counter++}.tmp`;
      fs.writeFileSync(tmp, out);
      fs.renameSync(tmp, entry);
    } catch {
      // A read-only node_modules: run without the cache.
    }
  }
  return out;
}

// The loader Node's own extension loaders follow (lib/internal/modules/cjs/loader.js: read the file,
// then `module._compile(content, filename)`); set directly rather than chained, so that a file is
// compiled once even when another loader was registered first.
require.extensions['.ts'] = (module, filename) => {
  (module as NodeModule & { _compile(code: string, file: string): void })._compile(
    compile(fs.readFileSync(filename, 'utf8'), filename),
    filename,
  );
};
