'use strict';
/*
 * Throwaway RSA-2048 keys for the test run, generated once at its start (global-setup.ts) and
 * handed out instead of generating a new key for every CA a test creates.
 *
 * Why: the tests build several hundred CAs (a mesh declared from nothing in a fresh folder is
 * 2N + 1 keys), and an RSA-2048 key costs about 0.25 s of one core on this machine: a third of the
 * suite's CPU was prime search. A key is only ever used once per test file (its "scope"), so
 * within a file, in-process or in the CLI processes it starts, every CA still gets a key no other
 * CA of that file has; across files the same throwaway keys come back, which no test can observe.
 *
 * How: loaded in every Node process of the run (jest's workers through setupFiles, and their
 * child processes through NODE_OPTIONS, set by global-setup.ts), this wraps
 * crypto.generateKeyPairSync on the process's main thread. A call asking for exactly what
 * lib/pki/keygen-pool.ts asks for (RSA, 2048 bits, e = 65537, PKCS#8 and SPKI PEM) takes the next
 * unclaimed key of the scope: claims are directories made with mkdir, which is atomic across
 * processes. Anything else (other sizes, other encodings, worker threads, a file that opted out
 * with useRealKeyGeneration(), a process outside any scope, the pool used up) goes to the real
 * generator. The pool lives in a private temporary folder (0700, keys 0600) that the run's global
 * teardown removes; no key is ever written into the repository or printed.
 */
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { isMainThread } = require('worker_threads');

const POOL_ENV = 'SPIREMESH_TEST_KEY_POOL';
const SCOPE_ENV = 'SPIREMESH_TEST_KEY_SCOPE';
const CONTROL = Symbol.for('spiremesh.test-key-pool');
/** The key files of a pool: 0.pem, 1.pem, ... */
const keyFile = (pool, index) => path.join(pool, 'keys', `${index}.pem`);

function servesFromPool(type, options) {
  return (
    type === 'rsa' &&
    options !== null &&
    typeof options === 'object' &&
    options.modulusLength === 2048 &&
    (options.publicExponent === undefined || options.publicExponent === 0x10001) &&
    options.privateKeyEncoding?.type === 'pkcs8' &&
    options.privateKeyEncoding?.format === 'pem' &&
    options.privateKeyEncoding?.cipher === undefined &&
    options.publicKeyEncoding?.type === 'spki' &&
    options.publicKeyEncoding?.format === 'pem'
  );
}

function install() {
  if (!isMainThread || crypto[CONTROL]) return;
  const real = crypto.generateKeyPairSync;
  const state = { optedOut: false, next: 0, scope: undefined, served: 0 };

  /** The next key of the current scope no process has claimed yet, or undefined when none is left. */
  function claim() {
    const pool = process.env[POOL_ENV];
    const scope = process.env[SCOPE_ENV];
    if (state.optedOut || !pool || !scope) return undefined;
    if (scope !== state.scope) {
      state.scope = scope;
      state.next = 0;
    }
    for (;;) {
      const index = state.next++;
      const file = keyFile(pool, index);
      if (!fs.existsSync(file)) return undefined; // pool used up: generate for real
      try {
        fs.mkdirSync(path.join(scope, String(index)));
      } catch (e) {
        if (e.code === 'EEXIST') continue; // another process of this scope has it
        return undefined;
      }
      return fs.readFileSync(file, 'utf8');
    }
  }

  crypto.generateKeyPairSync = function generateKeyPairSync(type, options) {
    if (servesFromPool(type, options)) {
      const privateKey = claim();
      if (privateKey !== undefined) {
        state.served++;
        const publicKey = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'pem' });
        return { publicKey, privateKey };
      }
    }
    return real.apply(this, arguments);
  };

  crypto[CONTROL] = {
    real,
    /** A new scope for the test file about to run: its keys are distinct from each other, in every process it starts. */
    newScope(testPath) {
      const pool = process.env[POOL_ENV];
      state.optedOut = false;
      if (!pool) return undefined;
      const scope = fs.mkdtempSync(path.join(pool, 'scopes', `${process.pid}-`));
      fs.writeFileSync(path.join(scope, 'test-file'), String(testPath)); // for the run's key report (global-teardown.ts)
      process.env[SCOPE_ENV] = scope;
      return scope;
    },
    /** This test file generates every key for real (it tests key generation itself). */
    optOut() {
      state.optedOut = true;
      delete process.env[SCOPE_ENV];
    },
    served: () => state.served,
  };
}

install();
module.exports = { POOL_ENV, SCOPE_ENV, CONTROL, keyFile };
