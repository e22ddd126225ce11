import * as fs from 'fs';
import * as path from 'path';

/**
 * Jest globalTeardown: removes the run's key pool (global-setup.ts). With
 * SPIREMESH_TEST_KEY_REPORT=1 it first prints how many pool keys each test file took.
 */
export default function globalTeardown(): void {
  const pool = process.env.SPIREMESH_TEST_KEY_POOL;
  if (!pool) return;
  if (process.env.SPIREMESH_TEST_KEY_REPORT === '1') {
    const scopes = path.join(pool, 'scopes');
    const rows = fs.readdirSync(scopes).map((s) => {
      const dir = path.join(scopes, s);
      const file = fs.readFileSync(path.join(dir, 'test-file'), 'utf8');
      return [fs.readdirSync(dir).filter((e) => /^\d+$/.test(e)).length, path.relative(process.cwd(), file)] as const;
    });
    rows.sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]));
    process.stdout.write(`\npool keys per test file:\n${rows.map(([n, f]) => `${String(n).padStart(4)} ${f}`).join('\n')}\n`);
  }
  fs.rmSync(pool, { recursive: true, force: true });
}
