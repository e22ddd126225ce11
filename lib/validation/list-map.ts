/**
 * The `x-kubernetes-list-type: map` uniqueness check as an ajv keyword defined by generated code, so that
 * validators using it can be precompiled into standalone modules (ajv cannot emit standalone code for
 * keywords defined by a `validate` function: https://ajv.js.org/standalone.html#requirements-and-limitations).
 * The generated code calls `listMapDuplicates` through a `require` of this module.
 */
import type { ErrorObject, KeywordDefinition } from 'ajv';
import { _, Name, str } from 'ajv';
import { LIST_MAP_KEYWORD, type ListMapKeys } from './crd-schema';

/** The module the generated code requires, relative to imports/schemas/validators/ (and build/imports/schemas/validators/). */
export const LIST_MAP_RUNTIME_MODULE = '../../../lib/validation/list-map';

/** Bump when the code listMapKeyword generates changes: precompiled validators record it (schema-registry.ts). */
export const LIST_MAP_CODE_VERSION = 1;

/** One error per item whose key values an earlier item already used (the API server rejects those). */
export function listMapDuplicates(spec: ListMapKeys, data: unknown[], instancePath: string): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const firstIndex = new Map<string, number>();
  data.forEach((item, index) => {
    if (!item || typeof item !== 'object') return;
    const values = spec.keys.map((k) => (item as Record<string, unknown>)[k] ?? spec.defaults[k]);
    if (values.some((v) => v === undefined)) return; // a missing key is reported as "required" instead
    const id = JSON.stringify(values);
    const first = firstIndex.get(id);
    if (first === undefined) {
      firstIndex.set(id, index);
      return;
    }
    const keyText = spec.keys.map((k, i) => `${k}=${JSON.stringify(values[i])}`).join(', ');
    errors.push({
      keyword: LIST_MAP_KEYWORD,
      instancePath: `${instancePath}/${index}`,
      schemaPath: '',
      message: `duplicate list entry: ${keyText} is already used by item ${first}`,
      params: { keys: spec.keys, duplicateOf: first },
    });
  });
  return errors;
}

// ajv's generated code keeps its errors in these two variables (ajv 8 lib/compile/names.ts).
const VERRORS = new Name('vErrors');
const ERRORS = new Name('errors');
const INSTANCE_PATH = new Name('instancePath');

/** The keyword: appends listMapDuplicates' errors to the validator's own error list. */
export const listMapKeyword: KeywordDefinition = {
  keyword: LIST_MAP_KEYWORD,
  type: 'array',
  schemaType: 'object',
  code(cxt) {
    const { gen, data, schemaCode, it } = cxt;
    const check = gen.scopeValue('func', {
      ref: listMapDuplicates,
      code: _`require(${LIST_MAP_RUNTIME_MODULE}).listMapDuplicates`,
    });
    const found = gen.const('duplicates', _`${check}(${schemaCode}, ${data}, ${str`${INSTANCE_PATH}${it.errorPath}`})`);
    gen.if(_`${found}.length > 0`, () => {
      gen.code(_`if (${VERRORS} === null) ${VERRORS} = ${found}; else ${VERRORS}.push(...${found})`);
      gen.assign(ERRORS, _`${VERRORS}.length`);
    });
  },
};
