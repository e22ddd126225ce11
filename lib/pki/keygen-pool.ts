import * as crypto from 'crypto';
import * as os from 'os';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { PkiError } from './errors';

/*
 * RSA key generation on every core, behind a synchronous call.
 *
 * A key costs 0.1-0.4 s of one core (RSA-2048; about 5x that for RSA-4096) and nothing else in a
 * PKI run comes close, so a mesh of N clusters (2N + 1 keys) is bound by it. Every caller of the
 * PKI (PkiStore.ensure, synthesis, the CLI) is synchronous, so the calling thread stays blocked
 * (`Atomics.wait`) while worker threads generate keys, and takes jobs itself too. Keys travel from
 * the workers to this thread as messages in memory (`receiveMessageOnPort`): nothing is written
 * to disk or logged here, and a worker never sees a path, a certificate or another key.
 *
 * Jobs are claimed from one shared counter (RSA prime search time varies a lot from key to key,
 * so a fixed split would leave cores idle). When one job fails, no further job is claimed, the
 * jobs already claimed are awaited, every key generated so far is dropped, and the call throws:
 * the caller writes nothing.
 */

/** Slots of the shared control array (Int32). */
const NEXT = 0; // next job index to claim (grows past the job count as threads find no more work)
const COMPLETED = 1; // jobs finished (key or error posted)
const FAILED = 2; // 1 once a job failed: claim nothing more
const SLOTS = 3;

/**
 * The worker's program (plain CommonJS: it runs as is, not through a TypeScript loader). It is
 * the loop of {@link runJobs} below with `postMessage` in place of an array store; the key
 * options come from {@link rsaKeyOptions} through workerData, so both paths generate the same keys.
 */
const WORKER_SOURCE = `'use strict';
const { workerData } = require('worker_threads');
const { generateKeyPairSync } = require('crypto');
const { jobs, control, port, slots } = workerData;
while (Atomics.load(control, slots.FAILED) === 0) {
  const index = Atomics.add(control, slots.NEXT, 1);
  if (index >= jobs.length) break;
  try {
    port.postMessage({ index, pem: generateKeyPairSync('rsa', jobs[index]).privateKey });
  } catch (e) {
    Atomics.store(control, slots.FAILED, 1);
    port.postMessage({ index, error: String((e && e.message) || e) });
  }
  Atomics.add(control, slots.COMPLETED, 1);
  Atomics.notify(control, slots.COMPLETED);
}
`;

/**
 * How long the calling thread waits without any job finishing before it gives up on the workers
 * (a worker that died mid-job). Far above the slowest key: an RSA-4096 key on a loaded core takes
 * seconds, not minutes.
 */
const STALL_MS = 120_000;

/**
 * Most threads used unless more are asked for: each worker thread is a V8 isolate of its own
 * (about 10 MB), and eight threads already generate a 100-cluster mesh's 201 keys in a few seconds.
 */
export const DEFAULT_MAX_KEYGEN_THREADS = 8;

/** Options of {@link generateRsaPrivateKeys}. */
export interface KeyGenerationOptions {
  /**
   * Threads generating keys at the same time, the calling thread included (1: no worker thread).
   * @default - os.availableParallelism(), at most DEFAULT_MAX_KEYGEN_THREADS (8)
   */
  readonly parallelism?: number;
}

/** Node's key options for an RSA key of `bits` (e = 65537, PKCS#8 PEM): the same for every thread. */
export function rsaKeyOptions(bits: number): crypto.RSAKeyPairOptions<'pem', 'pem'> {
  return {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  };
}

/** The number of threads {@link generateRsaPrivateKeys} uses for `jobs` keys. */
export function keyGenerationThreads(jobs: number, options: KeyGenerationOptions = {}): number {
  const parallelism = options.parallelism ?? Math.min(os.availableParallelism(), DEFAULT_MAX_KEYGEN_THREADS);
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new PkiError({
      code: 'INVALID_ARGUMENT',
      reason: `key generation parallelism must be a whole number of threads of at least 1, got ${parallelism}.`,
      fix: 'pass 1 (generate on the calling thread only) or more, or omit it to use every core.',
    });
  }
  return Math.max(1, Math.min(parallelism, jobs));
}

/**
 * Generates one RSA private key (PKCS#8 PEM) per entry of `bits`, in that order, on up to
 * `parallelism` threads. Synchronous. Throws a KEY_GENERATION {@link PkiError} when any key
 * fails (OpenSSL refused the size, or a worker thread stopped), and then returns no key at all.
 */
export function generateRsaPrivateKeys(bits: readonly number[], options: KeyGenerationOptions = {}): string[] {
  const jobs = bits.map(rsaKeyOptions);
  const threads = keyGenerationThreads(jobs.length, options);
  const control = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const results: (string | undefined)[] = new Array(jobs.length);
  const errors: string[] = [];
  const workers: { worker: Worker; port: MessagePort }[] = [];
  try {
    for (let i = 1; i < threads; i++) workers.push(startWorker(jobs, control));
    runJobs(jobs, control, results, errors);
    awaitClaimedJobs(jobs.length, control);
    for (const { port } of workers) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const { index, pem, error } = m.message as { index: number; pem?: string; error?: string };
        if (error !== undefined) errors.push(error);
        else results[index] = pem;
      }
    }
  } finally {
    for (const { worker, port } of workers) {
      port.close();
      void worker.terminate();
    }
  }
  const missing = results.findIndex((r) => r === undefined);
  if (errors.length > 0 || missing >= 0) {
    throw new PkiError({
      code: 'KEY_GENERATION',
      reason:
        `generating ${jobs.length} RSA key(s) of ${[...new Set(bits)].join('/')} bits failed` +
        (errors.length > 0 ? `: ${[...new Set(errors)].join('; ')}` : ` (key ${missing + 1} never arrived)`) +
        '; no key was kept and nothing was written.',
      fix: 'use a supported key algorithm (pki.keyAlgorithm rsa-2048 or rsa-4096) and run the command again.',
    });
  }
  return results as string[];
}

function startWorker(jobs: readonly crypto.RSAKeyPairOptions<'pem', 'pem'>[], control: Int32Array): { worker: Worker; port: MessagePort } {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // No preloaded modules (a TypeScript loader, a profiler flag) in a thread that runs plain JS.
    execArgv: [],
    workerData: { jobs, control, port: port2, slots: { NEXT, COMPLETED, FAILED } },
    transferList: [port2],
  });
  // Neither the thread nor the port may keep the process alive; both are closed after the keys arrive.
  worker.unref();
  port1.unref();
  return { worker, port: port1 };
}

/** The worker loop, on the calling thread: claims jobs until none is left or one failed. */
function runJobs(
  jobs: readonly crypto.RSAKeyPairOptions<'pem', 'pem'>[],
  control: Int32Array,
  results: (string | undefined)[],
  errors: string[],
): void {
  while (Atomics.load(control, FAILED) === 0) {
    const index = Atomics.add(control, NEXT, 1);
    if (index >= jobs.length) break;
    try {
      results[index] = crypto.generateKeyPairSync('rsa', jobs[index]).privateKey;
    } catch (e) {
      Atomics.store(control, FAILED, 1);
      errors.push(e instanceof Error ? e.message : String(e));
    }
    Atomics.add(control, COMPLETED, 1);
  }
}

/**
 * Blocks until every claimed job has finished. A worker that never started claims nothing, so
 * it is not waited for; one that stops mid-job (no job finishing for {@link STALL_MS}) fails the call.
 */
function awaitClaimedJobs(total: number, control: Int32Array): void {
  let completed = Atomics.load(control, COMPLETED);
  let lastProgress = Date.now();
  while (completed < Math.min(Atomics.load(control, NEXT), total)) {
    Atomics.wait(control, COMPLETED, completed, 1000);
    const now = Atomics.load(control, COMPLETED);
    if (now !== completed) {
      completed = now;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) {
      Atomics.store(control, FAILED, 1);
      return; // the caller finds the missing keys and throws
    }
  }
}
