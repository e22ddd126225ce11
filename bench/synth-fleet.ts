/**
 * Benchmark: synthesizes a fleet (default 100 clusters, all-to-all peering, about 14,000
 * objects) into a temp folder and prints timings and memory. Speed targets live here, never in
 * unit tests. Usage: npm run bench [-- --clusters N]
 *
 * cert-manager CA delivery keeps the fleet run about the output machinery (no local keys); the
 * PKI is measured separately on the two-cluster example shape (5 RSA-2048 keys).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { PkiStore, SpireMesh, synthesize } from '../lib';
import { fleetSpec } from './fleet';

const arg = process.argv.indexOf('--clusters');
const CLUSTERS = arg > 0 ? Number(process.argv[arg + 1]) : 100;

const fleet = (n: number) => fleetSpec(n);

const seconds = (t: bigint) => (Number(process.hrtime.bigint() - t) / 1e9).toFixed(2);
let peakRss = 0;
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-bench-'));
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'spiremesh-bench-project-'));

let t = process.hrtime.bigint();
const app = new App({ outdir: out });
new SpireMesh(app, 'fleet', fleet(CLUSTERS));
const construct = seconds(t);

t = process.hrtime.bigint();
const first = synthesize(app, { outdir: out, baseDir: base });
const firstSynth = seconds(t);
const objects = first.clusters.reduce((a, c) => a + c.objects, 0);
const files = first.clusters.reduce((a, c) => a + c.files, 0);

t = process.hrtime.bigint();
const app2 = new App({ outdir: out });
new SpireMesh(app2, 'fleet', fleet(CLUSTERS));
const again = synthesize(app2, { outdir: out, baseDir: base });
const rerun = seconds(t);

t = process.hrtime.bigint();
const store = new PkiStore({ mesh: 'bench', clusters: ['cluster1', 'cluster2'], baseDir: base });
store.ensure();
const pki = seconds(t);

clearInterval(sample);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
console.log(`clusters: ${CLUSTERS}`);
console.log(`objects: ${objects}, files: ${files + 1} (including dist/README.md)`);
console.log(`construct tree: ${construct} s`);
console.log(`first synth (validate, check, render, write): ${firstSynth} s`);
console.log(`second synth, nothing to write (construct + synth): ${rerun} s, up to date: ${again.upToDate}`);
console.log(`PKI for a two-cluster mesh (1 root + 4 intermediates, RSA-2048): ${pki} s`);
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
fs.rmSync(out, { recursive: true, force: true });
fs.rmSync(base, { recursive: true, force: true });
