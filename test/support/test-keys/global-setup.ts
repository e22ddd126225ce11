import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { isRunning } from '../../../lib/gitops/lock';
import { generateRsaPrivateKeys } from '../../../lib/pki/keygen-pool';
import { ensureFreshBuild } from '../fresh-build';

/**
 * Jest globalSetup: generates the run's pool of throwaway RSA-2048 keys (pool.cjs explains why and
 * how they are handed out) on every core, in a private temporary folder, and makes every Node
 * process of the run load pool.cjs (NODE_OPTIONS; jest starts its workers after this returns).
 */

/** Keys in the pool: more than any test file needs in-process and in its CLI processes together (a file asking for more generates the rest). */
export const POOL_SIZE = 36;
const PREFIX = 'spiremesh-test-keys-';

export default function globalSetup(): void {
  // The whole-process tests of the compiled package need a build no older than the sources.
  ensureFreshBuild();
  removeAbandonedPools();
  // The owner's pid is in the folder's name, so that another run starting at the same time never takes it for abandoned.
  const pool = fs.mkdtempSync(path.join(os.tmpdir(), `${PREFIX}${process.pid}-`)); // 0700
  fs.mkdirSync(path.join(pool, 'keys'), { mode: 0o700 });
  fs.mkdirSync(path.join(pool, 'scopes'), { mode: 0o700 });
  const keys = generateRsaPrivateKeys(new Array<number>(POOL_SIZE).fill(2048));
  keys.forEach((pem, index) => fs.writeFileSync(path.join(pool, 'keys', `${index}.pem`), pem, { mode: 0o600 }));
  process.env.SPIREMESH_TEST_KEY_POOL = pool;
  const preload = `--require ${JSON.stringify(path.join(__dirname, 'pool.cjs'))}`;
  process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');
}

/** Pools of earlier runs that were killed before their teardown (their jest process is gone). */
function removeAbandonedPools(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const owner = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!owner || isRunning(Number(owner[1]))) continue;
    fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}
