/**
 * A measured process of `npm run bench` (bench/synth-fleet.ts): spiremesh itself. The bench
 * transpiles this file and bench/fleet.ts next to a snapshot of build/ (so `../lib` is the compiled
 * package, never the TypeScript sources) and starts it with plain `node`: every figure is a whole
 * process (Node start, loading, the work). The last stdout line is its own resource usage.
 *
 *   node fleet-child.js synth <outdir> <clusters> <baseDir>   SpireMesh(fleetSpec(clusters)) + synthesize()
 *   node fleet-child.js pki <clusters> <baseDir>              PkiStore.ensure() from nothing
 */
import { App } from 'cdk8s';
import { PkiStore, SpireMesh, synthesize } from '../lib';
import { fleetSpec } from './fleet';
import { report, runChild } from './bench-report';

function synth(outdir: string, clusters: number, baseDir: string): void {
  const app = new App({ outdir });
  new SpireMesh(app, 'fleet', fleetSpec(clusters));
  const result = synthesize(app, { outdir, baseDir });
  report({ objects: result.clusters.reduce((a, c) => a + c.objects, 0), upToDate: result.upToDate });
}

async function pki(clusters: number, baseDir: string): Promise<void> {
  const store = new PkiStore({ mesh: 'fleet', clusters: fleetSpec(clusters).clusters.map((c) => c.name), baseDir });
  // Awaited, so that this measures the whole generation whether ensure() stays synchronous or returns a promise.
  const result = await store.ensure();
  report({ keysGenerated: result.created.filter((f) => f.endsWith('.key')).length });
}

runChild(async () => {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'synth') synth(a, Number(b), c);
  else if (mode === 'pki') await pki(Number(a), b);
  else throw new Error(`fleet-child: unknown mode '${mode}'; give synth or pki (see bench/fleet-child.ts)`);
});
