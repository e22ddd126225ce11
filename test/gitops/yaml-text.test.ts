/**
 * The fast YAML paths of the output (lib/gitops/yaml-text.ts) give exactly what the yaml library gives: manifests
 * rendered once per distinct object, index and kustomization lists built as strings, and indexes read back line by
 * line. Each fast answer is compared with the library's own on the same input, including inputs made to trip it.
 */
import { Yaml } from 'cdk8s';
import { parse as parseYaml } from 'yaml';
import {
  IndexFileEntry,
  ManifestYamlCache,
  emitManifest,
  parseIndexText,
  stringifyIndex,
  stringifyWithPathList,
} from '../../lib/gitops/yaml-text';
import { renderedOutputs, declareFleet } from './output-helpers';

const SHA = 'a'.repeat(64);

describe('ManifestYamlCache: Yaml.stringify once per distinct object', () => {
  const shared = { app: 'x' };
  const cases: [string, unknown][] = [
    ['a plain manifest', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'x' } }, data: { k: 'v' } }],
    ['strings that need quotes', { a: 'yes', b: '0123', c: 'a: b', d: '#x', e: '', f: 'multi\nline\n', g: 'tab\there', h: '~' }],
    ['numbers, booleans, null', { a: 1, b: 1.5, c: 1e21, d: true, e: null, f: [0, -1, 2.5e-7] }],
    ['an undefined value (yaml writes null, JSON drops the key)', { a: 1, b: undefined }],
    ['-0 (JSON writes 0)', { a: -0 }],
    ['NaN and Infinity (JSON writes null)', { a: Number.NaN, b: Number.POSITIVE_INFINITY }],
    ['an object reached twice (yaml writes an alias)', { a: shared, b: shared }],
    ['a Date (yaml and JSON differ)', { a: new Date(0) }],
    ['an array with a hole', { a: [1, , 3] }], // eslint-disable-line no-sparse-arrays
    ['a toJSON method', { a: { toJSON: () => 'other' } }],
    ['a Map', { a: new Map([['k', 'v']]) }],
  ];

  test.each(cases)('%s: the text of Yaml.stringify', (_, value) => {
    const cache = new ManifestYamlCache();
    expect(cache.stringify(value)).toBe(Yaml.stringify(value));
    // Asked again (the cached text, or again uncached): the same.
    expect(cache.stringify(value)).toBe(Yaml.stringify(value));
  });

  test('objects that look alike in JSON but not in YAML never share a text', () => {
    const cache = new ManifestYamlCache();
    const pairs: [unknown, unknown][] = [
      [{ a: 1 }, { a: 1, b: undefined }],
      [{ a: 0 }, { a: -0 }],
      [{ a: null }, { a: Number.NaN }],
      [
        { a: { x: 1 }, b: { x: 1 } },
        { a: shared, b: shared },
      ],
    ];
    for (const [first, second] of pairs) {
      expect(cache.stringify(first)).toBe(Yaml.stringify(first));
      expect(cache.stringify(second)).toBe(Yaml.stringify(second));
      expect(Yaml.stringify(first)).not.toBe(Yaml.stringify(second));
    }
  });

  test('equal objects are rendered once; key order is part of the text', () => {
    const cache = new ManifestYamlCache();
    for (let i = 0; i < 50; i++) cache.stringify({ kind: 'Gateway', metadata: { name: `peer-${i % 5}` } });
    expect(cache.size).toBe(5);
    expect(cache.stringify({ b: 1, a: 2 })).toBe('b: 1\na: 2\n');
    expect(cache.stringify({ a: 2, b: 1 })).toBe('a: 2\nb: 1\n');
  });

  test('bounded: past its size it starts again, with the same texts', () => {
    const cache = new ManifestYamlCache(200);
    for (let i = 0; i < 40; i++) {
      const value = { name: `object-${i}`, data: 'x'.repeat(20) };
      expect(cache.stringify(value)).toBe(Yaml.stringify(value));
    }
    expect(cache.size).toBeLessThan(10);
  });
});

describe('emitManifest: the text of Yaml.stringify, or nothing', () => {
  const tricky = [
    ...['yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'On', 'true', 'True', 'TRUE', 'false', 'null', 'Null', 'NULL', '~', ''],
    ...['1', '-1', '+1', '1.0', '.5', '1e3', '1E3', '1e+3', '0x1F', '0o7', '0b101', '010', '1_000', '12:30', '1:2:3', '190:20:30.15'],
    ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '.inf', '-.Inf', '.NaN', '=', '<<'],
    ...['-', '- a', '-a', '?', '? a', '?a', ':', 'x:', ':x', 'a:b', 'a: b', '#x', 'a #b', 'a#b', '*x', '&x', '!x', '%x', '@x'],
    ...['`x', "'q'", "q'", '"q"', 'q"', '[x', '{x', 'x]', 'x}', ',x', 'x,', ' lead', 'trail ', '..', '...', '---', '---x'],
    ...['x---', 'http://example.com:80/a?b=c#d', 'a\\b', 'tab\tx', 'line\nbreak', 'é', 'spiffe://fleet.example.com/ns/a/sa/b'],
    ...['v1', '1.29.1', '10.0.0.10', '15443', 'sha256:abc', 'app.kubernetes.io/name', 'x'.repeat(1100)],
  ];
  const numbers = [0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e-7, 2 ** 53, -(2 ** 31), 15443];

  test('every tricky string as a value, in a list and as a key', () => {
    let emitted = 0;
    for (const t of tricky) {
      for (const value of [{ a: t }, { a: [t, { b: t }] }, { [t]: 'v' }, { a: { [t]: [t] } }]) {
        const text = emitManifest(value);
        if (text === undefined) continue;
        emitted++;
        expect([t, text]).toEqual([t, Yaml.stringify(value)]);
      }
    }
    expect(emitted).toBeGreaterThan(tricky.length);
  });

  test('random short strings of YAML-significant characters, as keys and values', () => {
    // A fixed linear congruential sequence: the same cases on every run.
    let seed = 15;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const alphabet = ' -?:,[]{}#&*!|>\'"%@`.+_0123456789eExXoObBtTyYnN~<=/\\';
    let emitted = 0;
    for (let i = 0; i < 3000; i++) {
      const t = Array.from({ length: Math.floor(next() * 7) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const value = i % 2 === 0 ? { a: [t, { [t]: t }] } : { [t]: { b: t } };
      const text = emitManifest(value);
      if (text === undefined) continue;
      emitted++;
      expect([t, text]).toEqual([t, Yaml.stringify(value)]);
    }
    expect(emitted).toBeGreaterThan(1000);
  });

  test('numbers, booleans, null, empty and nested collections', () => {
    const values: object[] = [
      { a: numbers, b: true, c: false, d: null, e: {}, f: [], g: [[]], h: [{}], i: [[1, [2, []]], { j: [] }] },
      { a: [{ b: 1, c: [{ d: { e: [1, 2] } }] }, [{ f: 1 }, [{ g: {} }]]] },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } },
        spec: { ports: [{ port: 15443, name: 'tls' }] },
      },
    ];
    for (const value of values) expect(emitManifest(value)).toBe(Yaml.stringify(value));
  });

  test('a shape the rules leave to yaml: nothing emitted', () => {
    expect(emitManifest({})).toBeUndefined();
    expect(emitManifest({ a: 'line\nbreak' })).toBeUndefined();
    expect(emitManifest({ a: '"hi"' })).toBeUndefined();
    expect(emitManifest({ a: 'say "hi"' })).toBe(Yaml.stringify({ a: 'say "hi"' }));
    expect(emitManifest({ a: 'é' })).toBeUndefined();
  });
});

describe('index and kustomization lists built as strings', () => {
  const head = { generator: { name: 'spiremesh', version: '0.1.0' }, mesh: 'fleet', specDigest: `sha256:${SHA}` };
  const files: IndexFileEntry[] = [
    { path: 'delivery/application_argocd_istiod.yaml', sha256: SHA, objects: ['argoproj.io/v1alpha1 Application argocd/istiod'] },
    { path: 'kustomization.yaml', sha256: 'b'.repeat(64) },
    { path: '_after-crds/gateway_istio-eastwest_x.yaml', sha256: 'c'.repeat(64), objects: ['v1 A a', 'v1 B b/c'] },
  ];

  test('the plain shape: byte-identical to Yaml.stringify of the whole document', () => {
    expect(stringifyIndex(head, files)).toBe(Yaml.stringify({ ...head, files }));
  });

  const odd: [string, IndexFileEntry[]][] = [
    ['no files', []],
    ['a path yaml quotes', [{ path: 'a: b.yaml', sha256: SHA }]],
    ['a path that is no .yaml file', [{ path: 'README.md', sha256: SHA }]],
    ['a digest of digits only (a number to YAML)', [{ path: 'a.yaml', sha256: '1'.repeat(64) }]],
    ['a digest of digits and one e (a float to YAML 1.2)', [{ path: 'a.yaml', sha256: `${'1'.repeat(30)}e${'2'.repeat(33)}` }]],
    ['an object description with a colon', [{ path: 'a.yaml', sha256: SHA, objects: ['v1 A a: b'] }]],
    ['an empty objects list', [{ path: 'a.yaml', sha256: SHA, objects: [] }]],
    ['objects: undefined', [{ path: 'a.yaml', sha256: SHA, objects: undefined }]],
  ];
  test.each(odd)('%s: Yaml.stringify', (_, list) => {
    expect(stringifyIndex(head, list)).toBe(Yaml.stringify({ ...head, files: list }));
  });

  test('one objects list in two entries (yaml writes an alias): Yaml.stringify', () => {
    const objects = ['v1 A a'];
    const list = [
      { path: 'a.yaml', sha256: SHA, objects },
      { path: 'b.yaml', sha256: SHA, objects },
    ];
    expect(stringifyIndex(head, list)).toBe(Yaml.stringify({ ...head, files: list }));
    expect(stringifyIndex(head, list)).toContain('*a1');
  });

  test('the kustomization resources list', () => {
    const k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', sortOptions: { order: 'fifo' } };
    for (const resources of [['a/b.yaml', '_s/c.yaml'], [], ['odd: name.yaml'], ['x.yml']]) {
      expect(stringifyWithPathList(k, 'resources', resources)).toBe(Yaml.stringify({ ...k, resources }));
    }
    // A key YAML 1.1 reads as a boolean is quoted by yaml.
    expect(stringifyWithPathList(k, 'on', ['a.yaml'])).toBe(Yaml.stringify({ ...k, on: ['a.yaml'] }));
  });

  test('every index and kustomization of a rendered fleet is the library text', () => {
    const { outputs } = renderedOutputs(declareFleet(3));
    for (const out of outputs) {
      const index = parseYaml(out.files.get('spiremesh-index.yaml')!);
      const { files: listed, ...rest } = index;
      expect(out.files.get('spiremesh-index.yaml')!.endsWith(Yaml.stringify({ ...rest, files: listed }))).toBe(true);
      const k = parseYaml(out.files.get('kustomization.yaml')!);
      expect(out.files.get('kustomization.yaml')!.endsWith(Yaml.stringify(k))).toBe(true);
    }
  });
});

describe('parseIndexText: the mesh and files yaml.parse reads, or nothing', () => {
  const { outputs } = renderedOutputs(declareFleet(3));
  const indexes = outputs.map((o) => o.files.get('spiremesh-index.yaml')!);
  const summary = (text: string) => {
    const doc = parseYaml(text);
    return { mesh: doc.mesh, files: doc.files };
  };

  test('the indexes spiremesh writes are read without the parser, with the same values', () => {
    for (const text of indexes) {
      expect(parseIndexText(text)).toBeDefined();
      expect(parseIndexText(text)).toEqual(summary(text));
    }
  });

  test('a header with quoted values, comments and lists is still read', () => {
    const text = `# c\nmesh: 'fleet'\ntrust:\n  root:\n    notAfter: "2036-01-01T00:00:00.000Z"\n    names:\n      - a\n      - b\nfiles:\n  - path: a.yaml\n    sha256: ${SHA}\n`;
    expect(parseIndexText(text)).toEqual(summary(text));
  });

  // Texts yaml reads differently, or refuses: the fast path must step aside (undefined) or agree.
  const base = indexes[0];
  const edits: [string, string][] = [
    ['a duplicate key in the header', base.replace('mesh: fleet\n', 'mesh: fleet\nmesh: other\n')],
    ['a second files key', base.replace('mesh: fleet\n', 'files: []\nmesh: fleet\n')],
    ['a mesh that is a number', base.replace('mesh: fleet\n', 'mesh: 123\n')],
    ['a mesh that is a boolean', base.replace('mesh: fleet\n', 'mesh: true\n')],
    ['a mesh with an alias', base.replace('mesh: fleet\n', 'mesh: *x\n')],
    ['a document end marker', base.replace('mesh: fleet\n', 'mesh: fleet\n...\n')],
    ['a second document', base.replace('mesh: fleet\n', 'mesh: fleet\n---\n')],
    ['a flow mapping left open', base.replace('mesh: fleet\n', 'mesh: fleet\nx: {a: 1,\n')],
    ['a quoted scalar left open', base.replace('mesh: fleet\n', 'mesh: fleet\nx: "abc\n')],
    ['a block scalar', base.replace('mesh: fleet\n', 'mesh: fleet\nx: |\n  files:\n')],
    ['a tab', base.replace('mesh: fleet\n', 'mesh:\tfleet\n')],
    ['CRLF line ends', base.replace(/\n/g, '\r\n')],
    ['a path in quotes', base.replace(/- path: (\S+)/, '- path: "$1"')],
    ['a digest of digits', base.replace(/sha256: [0-9a-f]{64}/, `sha256: ${'1'.repeat(64)}`)],
    ['an entry key twice', base.replace(/(\n {4}sha256: [0-9a-f]{64})/, '$1$1')],
    ['a comment in the files list', base.replace(/(\n {4}sha256: [0-9a-f]{64})/, '$1\n    # note')],
    ['a key after the files list', `${base}extra: 1\n`],
    ['an object description with ": "', base.replace(/( {6}- \S+ \S+ )(\S+)/, '$1a: $2')],
    ['no final newline', base.slice(0, -1)],
    ['a nested key indented by three', base.replace('  istio:\n', '   istio:\n')],
    ['a list at the indentation of its key', base.replace(/clusters:\n {4}- /, 'clusters:\n  - ')],
  ];
  test.each(edits)('%s: undefined, or what yaml reads', (_, text) => {
    const fast = parseIndexText(text);
    let slow: { mesh: unknown; files: unknown } | Error;
    try {
      slow = summary(text);
    } catch (e) {
      slow = e as Error;
    }
    if (fast !== undefined) expect(slow).toEqual(fast);
  });

  test('single-character edits anywhere in an index: never a different answer', () => {
    const text = indexes[1];
    const chars = [' ', ':', '#', '-', '"', "'", '\n', '&', '*', '!', '[', '{', '|', '>', '%', '1', 'e'];
    let fastAnswers = 0;
    // About 1,500 edited texts, spread over the whole index (header and files list).
    const step = Math.ceil((text.length * chars.length * 2) / 1500);
    for (let at = 0; at < text.length; at += step) {
      for (const c of chars) {
        for (const edited of [text.slice(0, at) + c + text.slice(at), text.slice(0, at) + c + text.slice(at + 1)]) {
          const fast = parseIndexText(edited);
          if (fast === undefined) continue;
          fastAnswers++;
          expect(summary(edited)).toEqual(fast);
        }
      }
    }
    // Many edits keep the shape (a changed value) and are still read fast: the comparison above ran.
    expect(fastAnswers).toBeGreaterThan(100);
  });
});
