// explain's pieces on their own: go-wordwrap's rules, the template over hand-made documents (the
// parts the sim's documents do not exercise), and how the verb reads and caches discovery/OpenAPI.

import test from 'ava';
import fc from 'fast-check';
import { createExecutor } from '../agent/executor.js';
import type { KubeClient } from '../agent/kube-client.js';
import { renderExplain } from '../agent/verbs/explain-template.js';
import { indent, wordWrap } from '../agent/verbs/explain-wrap.js';
import { parseCommandRequest } from '../common/command/parse.js';
import { createLogger } from '../common/logger.js';

test('explain wrap - breaks before the word that would pass the limit', (t) => {
  t.is(wordWrap('aaa bbb ccc', 7), 'aaa bbb\nccc');
  t.is(wordWrap('aaa bbb ccc', 6), 'aaa\nbbb\nccc');
  t.is(wordWrap('aaa bbb ccc', 11), 'aaa bbb ccc');
});

test('explain wrap - keeps a word longer than the limit whole on its own line', (t) => {
  const url = 'https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
  t.is(wordWrap(`More info: ${url} end`, 20), `More info:\n${url}\nend`);
});

test('explain wrap - keeps given line breaks and restarts counting after them', (t) => {
  t.is(wordWrap('one two\n\nthree four five', 10), 'one two\n\nthree four\nfive');
  // A trailing newline (the template's description ends with one) survives.
  t.is(wordWrap('Pod is a pod.\n', 76), 'Pod is a pod.\n');
});

test('explain wrap - counts characters, not bytes, and does not break at a no-break space', (t) => {
  t.is(wordWrap('ééé ééé', 7), 'ééé ééé');
  t.is(wordWrap('a\u00a0b c', 3), 'a\u00a0b\nc');
});

test('explain wrap - drops spaces at a break, never content, and keeps lines within the limit', (t) => {
  // Only words shorter than the limit can trigger a break (see the quirk test below).
  fc.assert(
    fc.property(
      fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { maxLength: 30 }),
      fc.integer({ min: 13, max: 60 }),
      (words, limit) => {
        const text = words.join(' ');
        const wrapped = wordWrap(text, limit);
        t.is(wrapped.replaceAll('\n', ' '), text);
        for (const line of wrapped.split('\n')) t.true(line.length <= limit || !line.includes(' '));
      },
    ),
  );
});

test('explain wrap - like go-wordwrap, a word as long as the limit does not start a new line', (t) => {
  t.is(wordWrap('a b', 1), 'a b');
  t.is(wordWrap('ab cd', 2), 'ab\ncd');
});

test('explain indent - pads every line, empty ones too', (t) => {
  t.is(indent(4, 'a\n\nb\n'), '    a\n    \n    b\n    ');
});

const gvr = { group: 'example.com', version: 'v1', resource: 'widgets' };

/** A small group-version document with what the sim lacks: externalDocs, a cycle, numbers in an enum. */
function widgetDocument(): Record<string, unknown> {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  return {
    paths: {
      '/apis/example.com/v1/widgets/{name}': {
        get: { 'x-kubernetes-group-version-kind': { group: 'example.com', version: 'v1', kind: 'Widget' } },
      },
    },
    components: {
      schemas: {
        Widget: {
          description: 'A widget.',
          externalDocs: { description: 'All about widgets.', url: 'https://example.com/widgets' },
          type: 'object',
          required: ['spec'],
          properties: {
            spec: { allOf: [ref('WidgetSpec')], description: 'What the widget should be.' },
            extra: { type: 'object', additionalProperties: true },
          },
          'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
        },
        WidgetSpec: {
          description: 'WidgetSpec describes a widget.',
          type: 'object',
          properties: {
            size: { type: 'integer', enum: [1, 2, 3, 4, 1000000] },
            parent: { allOf: [ref('WidgetSpec')], externalDocs: { url: 'https://example.com/parent' } },
            count: ref('Count'),
          },
        },
        Count: { type: 'integer' },
      },
    },
  };
}

test('explain template - prints external docs and the enum limit, formats numbers as Go does', (t) => {
  const top = renderExplain({ document: widgetDocument(), gvr, fieldPath: [], recursive: false });
  t.is(top.error, null);
  t.true(top.output.startsWith('GROUP:      example.com\nKIND:       Widget\nVERSION:    v1\n\n'));
  t.true(
    top.output.includes(
      'DESCRIPTION:\n    A widget.\n    \n\nEXTERNAL DOCS:\n    All about widgets.\n    URL: https://example.com/widgets\nFIELDS:\n',
    ),
  );
  // additionalProperties: true is "any object", not a map type.
  t.true(top.output.includes('  extra\t<Object>\n    <no description>\n\n'));
  t.true(top.output.includes('  spec\t<WidgetSpec> -required-\n'));

  const spec = renderExplain({ document: widgetDocument(), gvr, fieldPath: ['spec'], recursive: false });
  t.true(spec.output.includes('  size\t<integer>\n  enum: 1, 2, 3, 4, ....\n'));
  t.true(
    spec.output.includes(
      '  parent\t<WidgetSpec>\n    <no description>\n\n    EXTERNAL DOCS:\n      URL: https://example.com/parent\n\n',
    ),
  );
  // A $ref to a non-object schema shows that schema's type.
  t.true(spec.output.includes('  count\t<integer>\n'));

  const size = renderExplain({
    document: widgetDocument(),
    gvr,
    fieldPath: ['spec', 'size'],
    recursive: false,
  });
  t.true(size.output.includes('FIELD: size <integer>\nENUM:\n    1\n    2\n    3\n    4\n    1e+06\n\n'));
});

test('explain template - a recursive listing stops at a type it is already inside', (t) => {
  const result = renderExplain({ document: widgetDocument(), gvr, fieldPath: ['spec'], recursive: true });
  t.is(result.error, null);
  t.is(
    result.output.slice(result.output.indexOf('FIELDS:')),
    'FIELDS:\n  count\t<integer>\n  parent\t<WidgetSpec>\n  size\t<integer>\n  enum: 1, 2, 3, 4, ....\n\n',
  );
});

test('explain template - names the missing field and keeps the header kubectl already wrote', (t) => {
  const result = renderExplain({
    document: widgetDocument(),
    gvr,
    fieldPath: ['spec', 'nope'],
    recursive: false,
  });
  t.is(result.output, 'GROUP:      example.com\nKIND:       Widget\nVERSION:    v1\n\n');
  t.is(result.error, 'error: field "nope" does not exist');
});

test('explain template - fails like kubectl when no path or no schema declares the kind', (t) => {
  const noPath = renderExplain({
    document: widgetDocument(),
    gvr: { ...gvr, resource: 'gadgets' },
    fieldPath: [],
    recursive: false,
  });
  t.deepEqual(noPath, {
    output: '',
    error: 'error: GVR (example.com/v1, Resource=gadgets) not found in OpenAPI schema',
  });
  const document = widgetDocument();
  const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
  delete schemas.Widget?.['x-kubernetes-group-version-kind'];
  const noSchema = renderExplain({ document, gvr, fieldPath: [], recursive: false });
  t.is(
    noSchema.error,
    'error: GVK map[group:example.com kind:Widget version:v1] not found in OpenAPI schema',
  );
});

/** An apiserver in memory: discovery for pods and jobs, an OpenAPI document for v1 only. */
function fakeKube(): { kube: KubeClient; paths: string[] } {
  const paths: string[] = [];
  const podGvk = { group: '', version: 'v1', kind: 'Pod' };
  const bodies: Record<string, unknown> = {
    '/api': { versions: ['v1'] },
    '/apis': { groups: [{ name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }] }] },
    '/api/v1': { resources: [{ name: 'pods', namespaced: true, kind: 'Pod', verbs: ['get'] }] },
    '/apis/batch/v1': { resources: [{ name: 'jobs', namespaced: true, kind: 'Job', verbs: ['get'] }] },
    '/openapi/v3': { paths: { 'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=ABC' } } },
    '/openapi/v3/api/v1': {
      paths: {
        '/api/v1/namespaces/{namespace}/pods/{name}': { get: { 'x-kubernetes-group-version-kind': podGvk } },
      },
      components: {
        schemas: {
          Pod: { description: 'A pod.', type: 'object', 'x-kubernetes-group-version-kind': [podGvk] },
        },
      },
    },
  };
  const kube: KubeClient = {
    server: 'http://fake',
    async get(path, options) {
      paths.push(`${path}${options?.query?.hash ? `?hash=${options.query.hash}` : ''}`);
      const body = bodies[path];
      if (body === undefined) throw new Error(`unexpected GET ${path}`);
      const text = JSON.stringify(body);
      return { status: 200, headers: {}, body: text, bytes: Buffer.byteLength(text) };
    },
    stream: () => Promise.reject(new Error('not used')),
    open: () => Promise.reject(new Error('not used')),
    close() {},
  };
  return { kube, paths };
}

function run(kube: KubeClient, line: string) {
  const executor = createExecutor({
    kube,
    log: createLogger({ level: 'silent' }),
    limits: { maxOutputBytes: 1 << 20 },
  });
  const command = parseCommandRequest(
    { command: line },
    { id: 'c1', clusterId: 'sim', identity: 't', sessionId: null, timeoutMs: 5000 },
  );
  return { executor, command };
}

test('explain verb - reads the hashed document once and answers later commands from the cache', async (t) => {
  const { kube, paths } = fakeKube();
  const { executor, command } = run(kube, 'explain pods');
  const first = await executor.execute(command, AbortSignal.timeout(5000));
  t.is(first.status, 'success');
  t.is(first.output, 'KIND:       Pod\nVERSION:    v1\n\nDESCRIPTION:\n    A pod.\n    \n\n');
  t.true(paths.includes('/openapi/v3/api/v1?hash=ABC'));
  const before = paths.length;
  const second = await executor.execute(command, AbortSignal.timeout(5000));
  t.is(second.output, first.output);
  t.is(paths.length, before);
});

test('explain verb - fails like kubectl for a group version without an OpenAPI document', async (t) => {
  const { kube } = fakeKube();
  const { executor, command } = run(kube, 'explain jobs');
  const result = await executor.execute(command, AbortSignal.timeout(5000));
  t.is(result.status, 'failure');
  t.is(result.error, 'error: couldn\'t find resource for "batch/v1, Resource=jobs"');
});

test('explain verb - fails like kubectl for a type the server does not serve', async (t) => {
  const { kube } = fakeKube();
  const { executor, command } = run(kube, 'explain deployments');
  const result = await executor.execute(command, AbortSignal.timeout(5000));
  t.is(result.status, 'failure');
  t.is(result.error, 'the server doesn\'t have a resource type "deployments"');
});
