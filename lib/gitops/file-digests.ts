import * as os from 'os';
import { Worker } from 'worker_threads';
import { sha256OfRegularFile } from './output-fs';

/*
 * The sha256 of many files at once, behind a synchronous call: an unchanged re-synth reads every file of the output
 * folder (14,000 at 100 clusters, 100,000 at 300), which is bound by the file system's latency as much as by hashing.
 * Worker threads claim files from one shared counter and write each digest into shared memory; the calling thread
 * claims files too and waits (`Atomics.wait`) for the ones claimed by others. A worker that cannot start or stops
 * only leaves its claimed files undone: they are hashed here.
 */

const NEXT = 0; // next file index to claim
const COMPLETED = 1; // files finished by any thread
const SLOTS = 2;
/** Per file: 0 not done, 1 digest written, 2 not a regular file there (or unreadable). */
const DONE = 1;
const NOT_REGULAR = 2;

/** The worker's program (plain CommonJS, run as is): the loop of {@link hashClaimed} with its own reader. */
const WORKER_SOURCE = `'use strict';
const { workerData } = require('worker_threads');
const fs = require('fs');
const { createHash } = require('crypto');
const { files, control, state, digests, slots } = workerData;
const buffer = Buffer.allocUnsafe(256 * 1024);
const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
function digestOf(file) {
  let fd;
  try { fd = fs.openSync(file, O_RDONLY | (O_NOFOLLOW || 0) | (O_NONBLOCK || 0)); } catch { return undefined; }
  try {
    if (O_NOFOLLOW === undefined && fs.lstatSync(file).isSymbolicLink()) return undefined;
    if (!fs.fstatSync(fd).isFile()) return undefined;
    const hash = createHash('sha256');
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
    return hash.digest();
  } catch { return undefined; } finally { fs.closeSync(fd); }
}
const out = Buffer.from(digests.buffer);
for (;;) {
  const index = Atomics.add(control, slots.NEXT, 1);
  if (index >= files.length) break;
  const digest = digestOf(files[index]);
  if (digest) digest.copy(out, index * 32);
  Atomics.store(state, index, digest ? ${DONE} : ${NOT_REGULAR});
  Atomics.add(control, slots.COMPLETED, 1);
  Atomics.notify(control, slots.COMPLETED);
}
`;

/** Below this many files one thread is quicker than starting others (a worker thread starts in about 20 ms). */
const PARALLEL_FROM = 2000;
/** Threads at most, the calling thread included: the work waits on the file system as much as on a core. */
const MAX_THREADS = 4;
/** How long the calling thread waits without any file finishing before it hashes the claimed ones itself. */
const STALL_MS = 30_000;

/**
 * The sha256 (hex) of each file's bytes, in order, read without following a symbolic link at its path; undefined for
 * one that is not a regular file there. Synchronous; keeps nothing of the contents.
 */
export function sha256OfRegularFiles(files: readonly string[]): (string | undefined)[] {
  const threads = files.length < PARALLEL_FROM ? 1 : Math.min(MAX_THREADS, Math.max(2, os.availableParallelism()));
  if (threads === 1) return files.map(sha256OfRegularFile);
  const control = new Int32Array(new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const state = new Int32Array(new SharedArrayBuffer(files.length * Int32Array.BYTES_PER_ELEMENT));
  const digests = new Uint8Array(new SharedArrayBuffer(files.length * 32));
  const workers: Worker[] = [];
  const results: (string | undefined)[] = new Array(files.length);
  try {
    for (let i = 1; i < threads; i++) {
      try {
        const worker = new Worker(WORKER_SOURCE, {
          eval: true,
          execArgv: [], // no preloaded modules (a TypeScript loader, a profiler) in a thread that runs plain JS
          workerData: { files, control, state, digests, slots: { NEXT, COMPLETED } },
        });
        worker.unref();
        workers.push(worker);
      } catch {
        break; // the threads that started, and this one, do the work
      }
    }
    hashClaimed(files, control, state, results);
    awaitOthers(files.length, control);
    for (let i = 0; i < files.length; i++) {
      const s = Atomics.load(state, i);
      if (s === DONE && results[i] === undefined) results[i] = Buffer.from(digests.buffer, i * 32, 32).toString('hex');
      else if (s === 0) results[i] = sha256OfRegularFile(files[i]); // claimed by a worker that stopped
    }
  } finally {
    for (const worker of workers) void worker.terminate();
  }
  return results;
}

/** The worker loop, on the calling thread (digests straight into `results`). */
function hashClaimed(files: readonly string[], control: Int32Array, state: Int32Array, results: (string | undefined)[]): void {
  for (;;) {
    const index = Atomics.add(control, NEXT, 1);
    if (index >= files.length) return;
    const digest = sha256OfRegularFile(files[index]);
    results[index] = digest;
    Atomics.store(state, index, digest === undefined ? NOT_REGULAR : DONE);
    Atomics.add(control, COMPLETED, 1);
  }
}

/** Blocks until every file is done, or until none has finished for STALL_MS (the caller hashes what is left). */
function awaitOthers(total: number, control: Int32Array): void {
  let completed = Atomics.load(control, COMPLETED);
  let lastProgress = Date.now();
  while (completed < total) {
    Atomics.wait(control, COMPLETED, completed, 1000);
    const now = Atomics.load(control, COMPLETED);
    if (now !== completed) {
      completed = now;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) return;
  }
}
