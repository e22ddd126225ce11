/**
 * For a test file about key generation itself: every key of this file (in-process and in the
 * processes it starts) is generated for real instead of coming from the run's pool (pool.cjs).
 * Call it at the top level of the file.
 */
export function useRealKeyGeneration(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { CONTROL, SCOPE_ENV } = require('./pool.cjs') as { CONTROL: symbol; SCOPE_ENV: string };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('crypto') as Record<symbol, { optOut(): void } | undefined>)[CONTROL]?.optOut();
  delete process.env[SCOPE_ENV];
}
