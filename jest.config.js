const path = require('path');

// One helm render cache for the whole run (lib/delivery/helm-render.ts): the workers inherit this
// environment, so a release that several test files render with the same inputs runs helm once.
// Under .cache/ (git-ignored); its key holds the helm version and the chart archive's bytes.
process.env.SPIREMESH_HELM_RENDER_CACHE ??= path.join(__dirname, '.cache', 'helm-render');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest without its type-check: `npm test` type-checks every file first (`tsc --noEmit -p .`), so
  // each test file is only transpiled, file by file (isolatedModules in tsconfig.jest.json makes
  // ts-jest use TypeScript's transpileModule, with the same emit as tsc: esModuleInterop's live
  // bindings, which jest.spyOn on a module's functions relies on).
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  // Jest's default is one worker less than the CPUs (1 on a 2-core machine); most test files wait on
  // child processes (helm, kubectl, the CLI) or the disk, so every core gets a worker.
  maxWorkers: '100%',
  // Snapshots live in the top-level __snapshots__/ folder (design card), one file per test file.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testTimeout: 120000,
  // The run's throwaway keys: generated once at the start and handed out per test file
  // (test/support/test-keys/pool.cjs), removed at the end.
  globalSetup: '<rootDir>/test/support/test-keys/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/test-keys/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/test-keys/setup-file.ts'],
};
