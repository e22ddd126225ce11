/** Loads a mesh spec from a YAML inventory file, with line numbers for every problem. */
import * as fs from 'fs';
import { LineCounter, parseDocument } from 'yaml';
import { SpecPath, SpecValidationError } from './errors';
import { MeshModel, resolveMeshSpec } from './model';

/** Reads, validates and resolves a YAML inventory; problems name the file, line and path. */
export function loadMeshSpecFile(file: string): MeshModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecValidationError(file, [
      { path: [], message: `cannot read the inventory file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, fix: 'check the path' },
    ]);
  }
  return parseMeshSpecYaml(text, file);
}

/** Validates and resolves YAML inventory text; `source` names it in messages. */
export function parseMeshSpecYaml(text: string, source: string): MeshModel {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      source,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return {
          path: [],
          message: `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}`,
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
  return resolveMeshSpec(doc.toJS(), source, locate);
}
