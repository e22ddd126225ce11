/** @type {import('jest').Config} */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Snapshots live in the top-level __snapshots__/ folder (design card), one file per test file.
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  testTimeout: 120000,
};
