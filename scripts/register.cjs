// `node -r ./scripts/register.cjs main.ts` in a checkout of spiremesh: lib/cli/register.ts (what
// `node -r spiremesh/register` loads from the built package) straight from the sources, without
// `npm run build`. Sucrase's own hook compiles that one file; lib/cli/register.ts then replaces
// the .ts loader with its cached one, which compiles everything else (main.ts, lib/, imports/).
require('sucrase/register/ts');
require('../lib/cli/register.ts');
