import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generateRsaPrivateKeys } from '../../../lib/pki/keygen-pool';

/**
 * Jest globalSetup: generates the run's pool of throwaway RSA-2048 keys (pool.cjs explains why and
 * how they are handed out) on every core, in a private temporary folder, and makes every Node
 * process of the run load pool.cjs (NODE_OPTIONS; jest starts its workers after this returns).
 */

/** Keys in the pool: more than any test file needs in-process and in its CLI processes together (a file asking for more generates the rest). */
export const POOL_SIZE = 36;
const PREFIX = 'spiremesh-test-keys-';
const OWNER_FILE = 'owner.pid';

export default function globalSetup(): void {
  removeAbandonedPools();
  const pool = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX)); // 0700
  fs.writeFileSync(path.join(pool, OWNER_FILE), `${process.pid}\n`);
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
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(os.tmpdir(), name);
    let owner = NaN;
    try {
      owner = Number(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8'));
    } catch {
      // no owner recorded: abandoned while being created
    }
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
