/**
 * Child process of processes.test.ts. It loads spiremesh once, prints `ready`, then runs the
 * commands it reads on stdin, one a line: `synth a OUTDIR` or `synth b OUTDIR` synthesizes that
 * spec of one mesh into OUTDIR, through a filesystem layer slowed down by SLOW_MS per operation (so
 * that a kill lands inside the write). It prints one line per event on stdout:
 *   op <n> <ms>                   before the n-th filesystem operation of a synth
 *   done <spec> <first> <last>    a synth finished; times of its first and last operation (0 0: nothing to write)
 *   refused <message>             a synth was refused (e.g. the lock was held too long)
 *
 * usage: node -r ./scripts/register.cjs synth-child.ts PROJECT [SLOW_MS] [WAIT_MS]
 */
import * as fs from 'fs';
import { App } from 'cdk8s';
import { SpireMesh, SpiremeshError, synthesize } from '../../lib';
import { HookedOutputFs, NODE_OUTPUT_FS } from '../../lib/gitops/output-fs';
import { resolveMeshSpec } from '../../lib/spec';

/** Spec a: three clusters; spec b: two (c3 is pruned). Same mesh, same PKI. */
export function childSpecDocument(spec: string) {
  const n = spec === 'a' ? 3 : 2;
  return {
    name: 'race',
    istio: { license: { secretName: 'solo-istio-license', secretNamespace: 'istio-system' } },
    clusters: Array.from({ length: n }, (_, i) => ({ name: `c${i + 1}`, eastWestAddress: `192.0.2.${i + 1}` })),
  };
}

function synth(outdir: string, project: string, spec: string, slowMs: number, waitMs: number): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let first = 0;
  let last = 0;
  const outputFs = new HookedOutputFs(NODE_OUTPUT_FS, ({ step }) => {
    last = Date.now();
    first ||= last;
    fs.writeSync(1, `op ${step} ${last}\n`);
    if (slowMs > 0) Atomics.wait(pause, 0, 0, slowMs);
  });
  const app = new App({ outdir });
  SpireMesh.fromModel(app, 'mesh', resolveMeshSpec(childSpecDocument(spec), `spec ${spec}`));
  try {
    synthesize(app, { outdir, baseDir: project, outputFs, lock: { waitMs } });
    fs.writeSync(1, `done ${spec} ${first} ${last}\n`);
  } catch (e) {
    if (!SpiremeshError.isSpiremeshError(e)) throw e;
    fs.writeSync(1, `refused ${e.message.split('\n').join(' ')}\n`);
  }
}

function main(): void {
  const [project, slow = '0', wait = '20000'] = process.argv.slice(2);
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    pending += chunk;
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const [command, spec, outdir] = pending.slice(0, i).trim().split(' ');
      pending = pending.slice(i + 1);
      if (command === 'synth') synth(outdir, project, spec, Number(slow), Number(wait));
    }
  });
  process.stdin.on('end', () => process.exit(0));
  fs.writeSync(1, 'ready\n');
}

if (require.main === module) main();
