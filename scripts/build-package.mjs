// Builds the installable package into build/ (git-ignored): `npm run build`, and `prepare`
// (npm runs it after `npm ci`/`npm install` in this checkout, and before `npm pack`/`npm publish`).
//
//   1. tsc -p tsconfig.build.json: lib/, bin/ and imports/ as CommonJS with declarations,
//      mirrored under build/ (build/lib, build/bin, build/imports).
//   2. The precompiled schema validators (imports/schemas/validators/, see lib/validation/schema-registry.ts),
//      then the files the library reads from disk next to its code, at the same relative place:
//      lib/validation/schema-registry.ts and lib/delivery/kind-scopes.ts read
//      `path.join(__dirname, '../../imports/schemas')`, lib/gitops/provenance.ts requires
//      `../../package.json` for the tool version; from build/lib/<layer>/ those are
//      build/imports/schemas/ and build/package.json.
//   3. The CLI entry build/bin/spiremesh.js gets its `#!/usr/bin/env node` line and mode 0755
//      (npm links `bin` entries as executables; without the line the shell would run it as sh).
//
// Exit 1 with tsc's own diagnostics when the compile fails.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.join(root, 'build');
const require = createRequire(import.meta.url);

fs.rmSync(build, { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error('build: tsc -p tsconfig.build.json failed (see above)');
  process.exit(1);
}

// 2. Runtime files, at the paths the compiled code resolves them from.
const schemas = path.join(root, 'imports', 'schemas');
if (!fs.existsSync(path.join(schemas, 'kubernetes-1.30.json'))) {
  console.error(`build: ${schemas}/kubernetes-1.30.json is missing; run \`npm run import\` (see README "Regenerating imports/")`);
  process.exit(1);
}
// The precompiled validators (ajv standalone code, one module per kind; git-ignored), compiled by the library
// itself from the committed schemas, so that no run of the CLI or of the tests compiles a schema.
const { SchemaRegistry, PRECOMPILED_VALIDATORS_DIRECTORY } = require(path.join(build, 'lib', 'validation'));
const started = Date.now();
const count = SchemaRegistry.fromDirectory(schemas).writeStandaloneModules(path.join(schemas, PRECOMPILED_VALIDATORS_DIRECTORY));
console.log(`build: ${count} precompiled validators in imports/schemas/${PRECOMPILED_VALIDATORS_DIRECTORY}/ (${Date.now() - started} ms)`);
fs.cpSync(schemas, path.join(build, 'imports', 'schemas'), { recursive: true });

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// Only what the compiled code reads (the version in every cluster's spiremesh-index.yaml); no
// `name`, so nothing mistakes build/ for a package of its own.
fs.writeFileSync(path.join(build, 'package.json'), `${JSON.stringify({ version: pkg.version, private: true }, null, 2)}\n`);

// 3. The executable.
for (const rel of Object.values(typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {}))) {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) {
    console.error(`build: package.json bin '${rel}' was not produced by tsc`);
    process.exit(1);
  }
  const text = fs.readFileSync(file, 'utf8');
  if (!text.startsWith('#!')) fs.writeFileSync(file, `#!/usr/bin/env node\n${text}`);
  fs.chmodSync(file, 0o755);
}
