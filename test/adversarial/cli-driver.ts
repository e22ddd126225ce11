/**
 * Runs the real inventory CLI, `bin/spiremesh.ts`, once per job inside this one process (started
 * with `node -r ./scripts/register.cjs test/adversarial/cli-driver.ts JOBS RESULTS`), as
 * `ts-node bin/spiremesh.ts ARGS` run from the job's folder would: same argv, same working
 * directory, the exit code it sets, what it prints. One process for all jobs saves a ts-node
 * start (about 4 s of CPU) per job.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface DriverJob {
  readonly id: string;
  readonly cwd: string;
  readonly argv: readonly string[];
}

export interface DriverResult {
  readonly id: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runJob(bin: string, job: DriverJob): DriverResult {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const savedArgv = process.argv;
  const savedCwd = process.cwd();
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  process.argv = [process.argv[0], bin, ...job.argv];
  process.exitCode = undefined;
  let code: number;
  try {
    process.chdir(job.cwd);
    delete require.cache[bin];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(bin);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    // bin/spiremesh.ts never throws (synthMain catches everything): a throw here is a failure.
    stderr += `driver: bin/spiremesh.ts threw: ${(e as Error).stack ?? String(e)}\n`;
    code = 99;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.argv = savedArgv;
    process.exitCode = undefined;
    process.chdir(savedCwd);
  }
  return { id: job.id, code, stdout, stderr };
}

if (require.main === module) {
  const [jobsFile, resultsFile] = process.argv.slice(2);
  const bin = require.resolve(path.join(__dirname, '..', '..', 'bin', 'spiremesh.ts'));
  const jobs = JSON.parse(fs.readFileSync(jobsFile, 'utf8')) as DriverJob[];
  fs.writeFileSync(resultsFile, JSON.stringify(jobs.map((job) => runJob(bin, job))));
}
