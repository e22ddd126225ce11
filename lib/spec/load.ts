/** Loads a mesh spec from a YAML inventory file, with line numbers for every problem. */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseDocument } from 'yaml';
import { SpecPath, SpecValidationError } from './errors';
import { MeshModel, resolveMeshSpec } from './model';

/** Reads, validates and resolves a YAML inventory; problems name the file, line and path. */
export function loadMeshSpecFile(file: string): MeshModel {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new SpecValidationError(file, [
      { path: [], message: `cannot read the inventory file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, fix: 'check the path' },
    ]);
  }
  let text: string;
  try {
    // YAML 1.2 streams are Unicode (https://yaml.org/spec/1.2.2/#51-character-set); invalid UTF-8
    // would otherwise become U+FFFD and reach the rendered names unnoticed.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SpecValidationError(file, [
      { path: [], message: 'the inventory file is not valid UTF-8', fix: 'save the file as UTF-8 (e.g. `iconv -t UTF-8`)' },
    ]);
  }
  // The inventory's folder is its project folder: relative PKI folders belong there.
  return parseMeshSpecYaml(text, file, path.dirname(path.resolve(file)));
}

/** Validates and resolves YAML inventory text; `source` names it in messages, `sourceDir` is the model's project folder. */
export function parseMeshSpecYaml(text: string, source: string, sourceDir?: string): MeshModel {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: [],
          message: `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
          fix: 'fix the YAML syntax (indentation, quoting, duplicate keys)',
        };
      }),
    );
  }
  const locate = (path: SpecPath): string | undefined => {
    // Point at the deepest node that exists: a missing field is reported at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && node.range) {
        const { line, col } = lineCounter.linePos(node.range[0]);
        return `${line}:${col}`;
      }
    }
    return undefined;
  };
  let value: unknown;
  try {
    // The yaml library refuses documents whose aliases expand excessively (maxAliasCount 100).
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new SpecValidationError(source, [
      {
        path: [],
        message: `the YAML cannot be read: ${(e as Error).message}`,
        fix: 'remove the anchors and aliases (&name / *name) that repeat large parts',
      },
    ]);
  }
  return resolveMeshSpec(value, source, locate, sourceDir);
}
