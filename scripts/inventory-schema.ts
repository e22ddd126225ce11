/**
 * Writes the JSON Schema of YAML inventories, `schemas/spiremesh-inventory.schema.json`, for editors
 * (`# yaml-language-server: $schema=…` at the top of an inventory). The shape is `MESH_SPEC_SCHEMA`
 * (lib/spec/schema.ts), the one schema synthesis validates inventories with, never a second one
 * written by hand; this script only adds what an editor shows: each field's description and default,
 * read from the TSDoc of the typed props (lib/spec/props.ts and the types it uses; lib/spec/document.ts
 * where the props hold a class, such as `ChartDelivery`), through the TypeScript compiler API.
 *
 *   npx ts-node --transpile-only scripts/inventory-schema.ts          # writes the file
 *   npx ts-node --transpile-only scripts/inventory-schema.ts --check  # exit 1 when the committed file is stale
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import * as ts from 'typescript';
import * as spec from '../lib/spec';
import { MESH_SPEC_SCHEMA } from '../lib/spec/schema';

const ROOT = path.resolve(__dirname, '..');
/** The committed schema file, relative to the repository root. */
export const INVENTORY_SCHEMA_FILE = 'schemas/spiremesh-inventory.schema.json';
/** The command that regenerates it. */
export const INVENTORY_SCHEMA_COMMAND = 'npx ts-node --transpile-only scripts/inventory-schema.ts';
/** JSON Schema draft of the file: MESH_SPEC_SCHEMA uses draft-07 keywords only (what Ajv 8's default validates). */
const DRAFT = 'http://json-schema.org/draft-07/schema#';
const PRETTIER = require.resolve('prettier/bin/prettier.cjs');

type SchemaNode = { [key: string]: any };

/** The TypeScript types whose TSDoc documents one schema node: the props type and the document type at that path. */
interface DocTypes {
  readonly props?: ts.Type;
  readonly document?: ts.Type;
}

function program(): { checker: ts.TypeChecker; exported: (file: string, name: string) => ts.Type } {
  const files = ['lib/spec/props.ts', 'lib/spec/document.ts'].map((f) => path.join(ROOT, f));
  const p = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, skipLibCheck: true });
  const checker = p.getTypeChecker();
  const exported = (file: string, name: string): ts.Type => {
    const source = p.getSourceFile(path.join(ROOT, file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    const symbol = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === name);
    if (!symbol) throw new Error(`${file} exports no ${name}: the schema generator reads its TSDoc`);
    return checker.getDeclaredTypeOfSymbol(symbol);
  };
  return { checker, exported };
}

/** The element type of an array type, else the type itself; never undefined. */
function itemType(checker: ts.TypeChecker, type: ts.Type): ts.Type {
  const t = checker.getNonNullableType(type);
  return checker.isArrayType(t) ? checker.getTypeArguments(t as ts.TypeReference)[0] : t;
}

/** A property's TSDoc: its text and its `@default` tag. */
function docOf(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): { text: string; default?: string } {
  if (!symbol) return { text: '' };
  // TSDoc lines are wrapped at the source's width: an editor's hover wraps them itself (paragraphs stay).
  const unwrap = (s: string) => s.trim().replace(/([^\n])\n(?!\n)/g, '$1 ');
  const text = unwrap(ts.displayPartsToString(symbol.getDocumentationComment(checker)));
  const tag = symbol.getJsDocTags(checker).find((t) => t.name === 'default');
  return { text, default: tag ? unwrap(ts.displayPartsToString(tag.text)) : undefined };
}

/**
 * A `@default` tag as a JSON value where it is one (`'1.29.1'`, `true`, `3`, `DataplaneMode.AMBIENT` → `ambient`, the
 * value of the choice), with any prose after it; prose defaults (`- the cluster name`) stay prose.
 */
function parseDefault(tag: string): { value?: unknown; prose?: string } {
  const quoted = /^'([^']*)'\s*(.*)$/s.exec(tag);
  if (quoted) return { value: quoted[1], prose: quoted[2] || undefined };
  const literal = /^(true|false|-?\d+(?:\.\d+)?)\s*(.*)$/s.exec(tag);
  if (literal) return { value: JSON.parse(literal[1]), prose: literal[2] || undefined };
  const choice = /^([A-Z]\w+)\.([A-Z][A-Z0-9_]*)\s*(.*)$/s.exec(tag);
  const cls = choice ? (spec as Record<string, any>)[choice[1]] : undefined;
  const member = cls?.[choice![2]];
  if (member instanceof spec.Choice) return { value: member.value, prose: choice![3] || undefined };
  return { prose: tag.replace(/^-\s*/, '') };
}

/** Whether `value` is a value the schema node accepts (a default must be one). */
function fits(node: SchemaNode, value: unknown): boolean {
  if (node.enum && !node.enum.includes(value)) return false;
  switch (node.type) {
    case 'string':
      return typeof value === 'string' && value.length >= (node.minLength ?? 0);
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    default:
      return false;
  }
}

/** `node` with the descriptions and defaults of its properties, recursively (the shape is never changed). */
function annotate(checker: ts.TypeChecker, node: SchemaNode, types: DocTypes): SchemaNode {
  const out: SchemaNode = { ...node };
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties as Record<string, SchemaNode>).map(([name, child]) => {
        const propsSymbol = types.props?.getProperty(name);
        const documentSymbol = types.document?.getProperty(name);
        const fromProps = docOf(checker, propsSymbol);
        const fromDocument = docOf(checker, documentSymbol);
        const text = fromProps.text || fromDocument.text;
        const tag = fromProps.default ?? fromDocument.default;
        const parsed = tag !== undefined ? parseDefault(tag) : {};
        const hasDefault = parsed.value !== undefined && fits(child, parsed.value);
        const prose = hasDefault ? parsed.prose : (parsed.prose ?? (parsed.value !== undefined ? tag : undefined));
        const stated = hasDefault && prose ? `Default: ${JSON.stringify(parsed.value)} ${prose}` : prose ? `Default: ${prose}` : '';
        const description = [text, stated].filter(Boolean).join('\n\n');
        const childTypes: DocTypes = {
          props: propsSymbol && itemType(checker, checker.getTypeOfSymbol(propsSymbol)),
          document: documentSymbol && itemType(checker, checker.getTypeOfSymbol(documentSymbol)),
        };
        const annotated = annotate(checker, child.type === 'array' ? child.items : child, childTypes);
        const body = child.type === 'array' ? { ...child, items: annotated } : annotated;
        return [name, { ...(description ? { description } : {}), ...(hasDefault ? { default: parsed.value } : {}), ...body }];
      }),
    );
  }
  return out;
}

/** The schema file's text, as committed (formatted by the repository's prettier settings). */
export function inventorySchemaText(): string {
  const { checker, exported } = program();
  const annotated = annotate(checker, MESH_SPEC_SCHEMA as unknown as SchemaNode, {
    props: exported('lib/spec/props.ts', 'MeshSpec'),
    document: exported('lib/spec/document.ts', 'MeshSpecDocument'),
  });
  const { $id, ...rest } = annotated;
  const schema = {
    $schema: DRAFT,
    $id,
    title: 'spiremesh inventory',
    description: `A spiremesh mesh spec as a YAML inventory (the same spec as the TypeScript props, lib/spec/props.ts). Generated from lib/spec/schema.ts by \`${INVENTORY_SCHEMA_COMMAND}\`; do not edit.`,
    ...rest,
  };
  // The repository's prettier settings, through its CLI (prettier 3's API loads ES modules, which jest's CommonJS runtime cannot).
  return execFileSync(process.execPath, [PRETTIER, '--stdin-filepath', path.join(ROOT, INVENTORY_SCHEMA_FILE)], {
    cwd: ROOT,
    input: JSON.stringify(schema),
    encoding: 'utf8',
  });
}

async function main(): Promise<number> {
  const file = path.join(ROOT, INVENTORY_SCHEMA_FILE);
  const text = inventorySchemaText();
  if (process.argv.includes('--check')) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (committed === text) return 0;
    console.error(`${INVENTORY_SCHEMA_FILE} is ${committed === undefined ? 'missing' : 'stale'}: run \`${INVENTORY_SCHEMA_COMMAND}\``);
    return 1;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`wrote ${INVENTORY_SCHEMA_FILE}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
