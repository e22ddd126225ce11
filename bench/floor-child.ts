/**
 * A measured process of `npm run bench` (bench/synth-fleet.ts): the write floor. It writes the bytes
 * of spiremesh's output, handed over by the bench as JSON (reading and parsing it is part of this
 * process's cost), to the same relative files in an empty folder: one mkdirSync per directory, one
 * writeFileSync per file, nothing else.
 *
 *   node floor-child.js <input.json> <outdir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { FloorInput, report, runChild } from './bench-report';

runChild(() => {
  const [input, outdir] = process.argv.slice(2);
  const data: FloorInput = JSON.parse(fs.readFileSync(input, 'utf8'));
  fs.mkdirSync(outdir, { recursive: true });
  for (const d of data.dirs) fs.mkdirSync(path.join(outdir, d));
  for (const f of data.files) fs.writeFileSync(path.join(outdir, f.file), f.text);
  report({});
});
