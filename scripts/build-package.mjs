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
import { createHash } from 'node:crypto';
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
// The spec schema's validator too (lib/spec/validate.ts), next to them: imports/schemas/mesh-spec-validator.js.
require(path.join(build, 'lib', 'spec', 'validate')).writeSpecValidatorModule(path.join(schemas, 'mesh-spec-validator.js'));
fs.cpSync(schemas, path.join(build, 'imports', 'schemas'), { recursive: true });

const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

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

// 4. build/package.json, last: only what the compiled code reads, and no `name`, so that nothing mistakes
// build/ for a package of its own. `version` is in every cluster's spiremesh-index.yaml. `codeDigest` (every
// file under build/, by relative path and sha256) and the runtime `dependencies` are what lib/app/reuse.ts
// digests as "the code" of a synth: a run from TypeScript sources has no codeDigest and never reuses output.
const codeFiles = [];
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.isFile()) codeFiles.push(path.relative(build, p).split(path.sep).join('/'));
  }
};
walk(build);
const code = createHash('sha256');
for (const rel of codeFiles.sort()) {
  code.update(
    `${rel}\0${createHash('sha256')
      .update(fs.readFileSync(path.join(build, rel)))
      .digest('hex')}\n`,
  );
}
fs.writeFileSync(
  path.join(build, 'package.json'),
  `${JSON.stringify(
    {
      version: pkg.version,
      private: true,
      codeDigest: `sha256:${code.digest('hex')}`,
      dependencies: Object.keys(pkg.dependencies ?? {}).sort(),
    },
    null,
    2,
  )}\n`,
);
