/**
 * A measured process of `npm run bench` (bench/synth-fleet.ts): the bare cdk8s baseline. It emits
 * the objects of spiremesh's output, read back by the bench beforehand and handed over as JSON
 * (reading and parsing that JSON is part of this process's cost): one App per output directory
 * (cdk8s writes a chart's file flat into its App's outdir, named Names.toDnsLabel(chart), i.e. the
 * file name with a hash suffix), one Chart per output file, one
 * ApiObject per document, `app.synth()`; files without objects are written as they are.
 *
 *   node bare-child.js <input.json> <outdir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, YamlOutputType } from 'cdk8s';
import { BareInput, report, runChild } from './bench-report';

runChild(() => {
  const [input, outdir] = process.argv.slice(2);
  const data: BareInput = JSON.parse(fs.readFileSync(input, 'utf8'));
  let objects = 0;
  for (const d of data.directories) {
    const app = new App({ outdir: path.join(outdir, d.dir), outputFileExtension: '.yaml', yamlOutputType: YamlOutputType.FILE_PER_CHART });
    for (const c of d.charts) {
      const chart = new Chart(app, c.id);
      c.docs.forEach((doc, i) => new ApiObject(chart, `o${i}`, doc));
      objects += c.docs.length;
    }
    app.synth();
  }
  for (const r of data.raw) {
    const file = path.join(outdir, r.file);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, r.text);
  }
  report({ objects });
});
