/** The terminal summary of a synthesis: per cluster, objects and files created/changed/pruned, prerequisites, warnings. */
import * as path from 'path';
import { clusterList, groupPrerequisites } from './prerequisites';
import { SYNTH_RECORD_FILE } from './reuse';
import { SynthesisResult } from './synthesize';

export function formatSummary(result: SynthesisResult, options: { check?: boolean; cwd?: string } = {}): string {
  const where = path.relative(options.cwd ?? process.cwd(), result.outdir) || '.';
  const verb = options.check ? 'checked' : 'synthesized';
  const lines = [`spiremesh ${verb} ${result.clusters.length} cluster director${result.clusters.length === 1 ? 'y' : 'ies'} in ${where}/`];
  const width = Math.max(7, ...result.clusters.map((c) => c.cluster.length));
  lines.push(`  ${'cluster'.padEnd(width)}  objects  files  created  changed  unchanged  pruned`);
  for (const c of result.clusters) {
    lines.push(
      `  ${c.cluster.padEnd(width)}  ${String(c.objects).padStart(7)}  ${String(c.files).padStart(5)}  ${String(c.created).padStart(7)}  ${String(c.changed).padStart(7)}  ${String(c.unchanged).padStart(9)}  ${String(c.pruned).padStart(6)}`,
    );
  }
  if (result.reused) {
    lines.push(
      `reused: the inputs and every file are as the last synth left them (${where}/${SYNTH_RECORD_FILE}); nothing was rendered (--no-reuse renders anyway)`,
    );
  }
  if (options.check) {
    lines.push(
      result.upToDate ? 'up to date: the output matches a fresh synth' : `out of date: run \`npm run synth\` and commit ${where}/`,
    );
    if (!result.upToDate) {
      for (const d of result.directories) {
        for (const f of d.created) lines.push(`  + ${d.dir}/${f}`);
        for (const f of d.changed) lines.push(`  ~ ${d.dir}/${f}`);
        for (const f of d.pruned) lines.push(`  - ${d.dir}/${f}`);
      }
    }
  }
  const prerequisites = groupPrerequisites(result.prerequisites);
  if (prerequisites.length > 0) {
    lines.push(
      `prerequisites (${prerequisites.length}): what must exist before the directories converge; <context> is each cluster's kube context`,
    );
    for (const { prerequisite: p, clusters } of prerequisites) {
      lines.push(`  * ${p.what}`, `      clusters: ${clusterList(clusters)}`, `      why: ${p.why}`, `      run: ${p.command}`);
    }
  } else lines.push('prerequisites: none');
  lines.push(result.warnings.length === 0 ? 'warnings: none' : `warnings (${result.warnings.length}):`);
  for (const w of result.warnings) lines.push(`  ! ${w}`);
  return lines.join('\n');
}
