/**
 * Jest setupFilesAfterEnv entry, run before each test file: gives the file its own key scope (pool.cjs).
 * In a jest worker the preload already wrapped crypto (NODE_OPTIONS); when jest runs one file in
 * its own process there is no preload, so this installs it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { CONTROL, SCOPE_ENV } = require('./pool.cjs') as { CONTROL: symbol; SCOPE_ENV: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const control = (require('crypto') as Record<symbol, { newScope(testPath: string | undefined): string | undefined } | undefined>)[CONTROL];
const scope = control?.newScope(expect.getState().testPath);
// The test file's `process.env` is jest's copy: set the scope there too, for the processes a test starts with `{ ...process.env }`.
if (scope !== undefined) process.env[SCOPE_ENV] = scope;
