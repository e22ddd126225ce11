/**
 * The first step of `npm run import`: checks that every local CRD file cdk8s.yaml `imports:` names
 * exists before `cdk8s import` reads them (cdk8s-cli would stop at the first one with a raw ENOENT).
 *
 *   npx ts-node --transpile-only scripts/import-inputs.ts [--project DIR]
 *
 * Exit 0 when all are there. Otherwise exit 1 with one message: the folder(s) that are missing,
 * each missing file, and where it comes from — the upstream repository, path, tag and commit
 * recorded in the committed schema artifacts (imports/schemas/crds/*.json `header.source`, written
 * by scripts/import-schemas.ts from ../shared/crds/SOURCES.md), with its raw.githubusercontent.com
 * URL. A fresh clone does not need `npm run import` to synthesize or test: imports/ and
 * imports/schemas/ are committed; the command only regenerates them.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

export interface CrdSourceRecord {
  readonly repository: string;
  readonly path: string;
  readonly tag?: string;
  readonly commit?: string;
}

export interface MissingInput {
  /** As cdk8s.yaml names it (relative to the project folder). */
  readonly file: string;
  readonly absolute: string;
  readonly source?: CrdSourceRecord;
}

/** Local files of cdk8s.yaml `imports:` (`name:=path` or a bare path; `k8s` and URLs are not files). */
export function importedFiles(projectDir: string): string[] {
  const config = YAML.parse(fs.readFileSync(path.join(projectDir, 'cdk8s.yaml'), 'utf8')) ?? {};
  const entries: unknown[] = Array.isArray(config.imports) ? config.imports : [];
  return entries
    .filter((e): e is string => typeof e === 'string')
    .map((e) => (e.includes(':=') ? e.slice(e.indexOf(':=') + 2) : e))
    .filter((source) => !/^[a-z]+:\/\//i.test(source) && /\.(ya?ml|json)$/i.test(source));
}

/** Upstream provenance by file name, from the committed schema artifacts. */
export function recordedSources(schemasDir: string): Map<string, CrdSourceRecord> {
  const byName = new Map<string, CrdSourceRecord>();
  const dir = path.join(schemasDir, 'crds');
  if (!fs.existsSync(dir)) return byName;
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const source = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).header?.source;
    if (source?.repository && source?.path) byName.set(path.posix.basename(source.path), source);
  }
  return byName;
}

export function missingInputs(projectDir: string, schemasDir: string = path.join(projectDir, 'imports', 'schemas')): MissingInput[] {
  const sources = recordedSources(schemasDir);
  return importedFiles(projectDir)
    .map((file) => ({ file, absolute: path.resolve(projectDir, file) }))
    .filter((f) => !fs.existsSync(f.absolute))
    .map((f) => ({ ...f, source: sources.get(path.basename(f.file)) }));
}

/** The message for missing inputs (empty list: none). */
export function describeMissing(projectDir: string, missing: readonly MissingInput[], total: number): string {
  // The folders to provide: the top-most missing folder of each file (e.g. ../shared/crds, not its sub-folders).
  const folders = new Set<string>();
  for (const m of missing) {
    let dir = path.dirname(m.absolute);
    if (fs.existsSync(dir)) continue; // only the file is missing
    while (!fs.existsSync(path.dirname(dir))) dir = path.dirname(dir);
    folders.add(dir);
  }
  const rel = (p: string) => path.relative(process.cwd(), p) || '.';
  const lines = [
    `npm run import: ${missing.length} of the ${total} CRD files that cdk8s.yaml imports are missing, so nothing was generated.`,
    ...(folders.size > 0
      ? [`missing folder${folders.size === 1 ? '' : 's'}: ${[...folders].map((d) => `${rel(d)}/ (${d})`).join(', ')}`]
      : []),
    'missing files, and where each comes from (recorded in imports/schemas/crds/*.json):',
  ];
  for (const m of missing) {
    lines.push(`  ${m.file}`);
    if (m.source) {
      const at = m.source.commit ?? m.source.tag;
      lines.push(
        `      ${m.source.repository} ${m.source.path}${m.source.tag ? ` at ${m.source.tag}` : ''}${m.source.commit ? ` (commit ${m.source.commit})` : ''}`,
      );
      if (at) lines.push(`      https://raw.githubusercontent.com/${m.source.repository}/${at}/${m.source.path}`);
    } else {
      lines.push('      no recorded source: it is not imported yet (a new entry of cdk8s.yaml); put the upstream file at that path');
    }
  }
  lines.push(
    `Put each file at its path (relative to ${projectDir}), e.g. by placing the shared CRD folder beside this clone, then run npm run import again.`,
    'A fresh clone does not need npm run import to synthesize or test: imports/ and imports/schemas/ are committed; import only regenerates them.',
  );
  return lines.join('\n');
}

function main(argv: string[]): number {
  const at = argv.indexOf('--project');
  const projectDir = path.resolve(at >= 0 ? argv[at + 1] : path.join(__dirname, '..'));
  const missing = missingInputs(projectDir);
  if (missing.length === 0) return 0;
  console.error(describeMissing(projectDir, missing, importedFiles(projectDir).length));
  return 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
