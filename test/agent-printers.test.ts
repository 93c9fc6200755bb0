import test from 'ava';
import fc from 'fast-check';
import { goSort } from '../agent/printers/go-sort.js';
import { printJson } from '../agent/printers/json.js';
import { printNames } from '../agent/printers/name.js';
import { type Table, TablePrinter } from '../agent/printers/table.js';
import { formatTabbed } from '../agent/printers/tabwriter.js';
import { printYaml } from '../agent/printers/yaml.js';
import { byteLess, isQuantity, parseSortPath, valueLess } from '../agent/verbs/sort-by.js';

test('tabwriter - pads every column but the last to its widest cell plus 3, at least 6', (t) => {
  t.is(
    formatTabbed([
      ['NAME', 'AGE'],
      ['a', '5m'],
      ['longer-name', '1d'],
    ]),
    'NAME          AGE\na             5m\nlonger-name   1d\n',
  );
  t.is(formatTabbed([['A', 'B', 'C']]), 'A     B     C\n');
});

test('table printer - adds NAMESPACE first, LABELS last and kind-prefixed names', (t) => {
  const table: Table = {
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', priority: 0 },
      { name: 'IP', type: 'string', priority: 1 },
      { name: 'Age', type: 'string', priority: 0 },
    ],
    rows: [
      {
        cells: ['web', '10.0.0.1', '5m'],
        object: { metadata: { namespace: 'shop', labels: { b: '2', a: '1' } } },
      },
    ],
  };
  const printer = new TablePrinter({
    wide: false,
    noHeaders: false,
    withNamespace: true,
    showLabels: true,
    kindPrefix: 'deployment.apps',
  });
  printer.add(table);
  t.is(
    formatTabbed(printer.lines),
    'NAMESPACE   NAME                  AGE   LABELS\nshop        deployment.apps/web   5m    a=1,b=2\n',
  );
});

test('table printer - prints no header above an empty table and one header for repeated tables', (t) => {
  const columns = [{ name: 'Name', type: 'string', format: 'name' }];
  const printer = new TablePrinter({
    wide: false,
    noHeaders: false,
    withNamespace: false,
    showLabels: false,
    kindPrefix: null,
  });
  printer.add({ columnDefinitions: columns, rows: [] });
  t.deepEqual(printer.lines, []);
  printer.add({ columnDefinitions: columns, rows: [{ cells: ['a'] }] });
  printer.add({ columnDefinitions: columns, rows: [{ cells: ['b'] }] });
  t.deepEqual(printer.lines, [['NAME'], ['a'], ['b']]);
});

test('json printer - sorts keys, indents by 4 and escapes HTML characters like Go', (t) => {
  t.is(
    printJson({ b: 1, a: { d: [], c: '<a&b>' } }),
    '{\n    "a": {\n        "c": "\\u003ca\\u0026b\\u003e",\n        "d": []\n    },\n    "b": 1\n}\n',
  );
});

test('yaml printer - quotes what would read back as another type (keys too) and sorts keys', (t) => {
  const out = printYaml({
    z: '123',
    y: 'true',
    x: '',
    w: 'plain text',
    v: '2024-01-02T03:04:05Z',
    u: null,
    t: 1.5,
    s: false,
  });
  t.is(
    out,
    's: false\nt: 1.5\nu: null\nv: "2024-01-02T03:04:05Z"\nw: plain text\nx: ""\n"y": "true"\nz: "123"\n',
  );
  // YAML 1.1 reads a bare y as a boolean, so go-yaml quotes even the key.
});

test('yaml printer - single-quotes indicators, uses literal blocks and folds long lines past column 80', (t) => {
  t.is(printYaml({ a: 'status: [web]', b: "it's" }), "a: 'status: [web]'\nb: it's\n");
  t.is(printYaml({ a: 'line one\nline two\n' }), 'a: |\n  line one\n  line two\n');
  t.is(printYaml({ a: 'no newline\nat end' }), 'a: |-\n  no newline\n  at end\n');
  const long = `${'word '.repeat(20)}end`;
  const folded = printYaml({ message: long });
  t.true(folded.split('\n').length > 2);
  t.is(folded.split('\n')[1]?.startsWith('  '), true);
});

test('yaml printer - lists under a key are not indented, maps in lists start after the dash', (t) => {
  t.is(printYaml({ items: [{ b: 1, a: 2 }, [], {}], m: {} }), 'items:\n- a: 2\n  b: 1\n- []\n- {}\nm: {}\n');
});

test('name printer - prints kind.group/name in lower case', (t) => {
  t.is(
    printNames([
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
    ]),
    'deployment.apps/web\npod/p\n',
  );
});

test("go sort - sorts any input (it is Go's pdqsort, unstable but correct)", (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 300 }), (xs) => {
      const copy = [...xs];
      goSort(copy, (a, b) => a < b);
      t.deepEqual(
        copy,
        [...xs].sort((a, b) => a - b),
      );
    }),
  );
});

test('sort-by - parses relaxed JSONPath and compares bytes and quantities as kubectl 1.32 does', (t) => {
  t.deepEqual(parseSortPath('{.spec.containers[0].image}'), ['spec', 'containers', 0, 'image']);
  t.deepEqual(parseSortPath("metadata.labels['app.kubernetes.io/name']"), [
    'metadata',
    'labels',
    'app.kubernetes.io/name',
  ]);
  t.deepEqual(parseSortPath('.metadata.labels.app\\.kubernetes\\.io/name'), [
    'metadata',
    'labels',
    'app.kubernetes.io/name',
  ]);
  t.deepEqual(parseSortPath('{.spec.containers[*].name}'), [
    'spec',
    'containers',
    { wildcard: true },
    'name',
  ]);
  // Since 1.31 strings compare byte by byte: no natural ordering of digits.
  t.true(valueLess('pod-10', 'pod-2'));
  t.false(valueLess('pod-2', 'pod-10'));
  t.true(valueLess('Zeta', 'alpha'));
  // Two quantities compare as quantities, exactly.
  t.true(valueLess('64Mi', '128Mi'));
  t.true(valueLess('999m', '1'));
  t.true(isQuantity('1Gi') && isQuantity('1e3') && !isQuantity('web-1') && !isQuantity('10.96.0.1'));
  // UTF-8 byte order is code point order: an astral character sorts after U+FFxx.
  t.true(byteLess('\uff5e', '😀'));
  t.false(byteLess('😀', '\uff5e'));
});
