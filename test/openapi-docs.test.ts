// /docs explains itself: every operation it shows has a summary and a description, and every example body
// and path parameter it offers runs as it is against the dev stack's shape (cluster `local`, an agent, the
// dev identity an admin), so "Try it out" works without editing.

import test from 'ava';
import { KEYS, startGatewayStack } from '../harness/gateway.js';

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Array<{ in: string; name: string; schema?: { examples?: unknown[] }; example?: unknown }>;
  requestBody?: {
    content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }>;
  };
}

const ID_PARAMS = new Set(['/debug/session/{id}', '/debug/result/{id}']);
// Documented and given examples like every route, but not sent here: they mint and revoke real NATS
// credentials and need the operator signing key (test/gateway-credentials.test.ts runs them).
const CREDENTIAL_ROUTES = new Set(['/admin/agents/{id}/token', '/admin/subscribers/{name}/token']);
// A server without sessions or server-initiated streams answers these 405, as the MCP transport says.
const DOCUMENTED_405 = new Set(['GET /mcp', 'DELETE /mcp']);

test('docs - every operation has a summary, a description, and examples that run as they are', async (t) => {
  const s = await startGatewayStack(t, { redis: false, clusters: ['local'], agents: { local: 'answer' } });
  const doc = (await s.app.inject({ url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, Operation>>;
  };
  let ran = 0;
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const name = `${method.toUpperCase()} ${path}`;
      t.true((op.summary ?? '').length > 10, `${name} has a summary`);
      t.true((op.description ?? '').length > 20, `${name} has a description`);
      // Session and result ids come from an earlier answer; their description says which.
      let url = path;
      for (const p of op.parameters?.filter((p) => p.in === 'path') ?? []) {
        const example = p.schema?.examples?.[0] ?? p.example;
        if (ID_PARAMS.has(path)) continue;
        t.is(typeof example, 'string', `${name}: path parameter ${p.name} has an example`);
        url = url.replace(`{${p.name}}`, String(example));
      }
      if (ID_PARAMS.has(path) || CREDENTIAL_ROUTES.has(path)) continue;
      const json = op.requestBody?.content['application/json'];
      // @fastify/swagger turns a schema's `examples` into the media type's `example` or `examples` map.
      const bodies = json
        ? json.example !== undefined
          ? [json.example]
          : Object.values(json.examples ?? {}).map((e) => e.value)
        : [undefined];
      if (json) t.true(bodies.length > 0, `${name} has example bodies`);
      for (const body of bodies) {
        const res = await s.app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          // What MCP's Streamable HTTP requires of a client; every other route takes JSON either way.
          headers: {
            'x-api-key': KEYS.admin,
            accept: 'application/json, text/event-stream',
            ...(body ? { 'content-type': 'application/json' } : {}),
          },
          ...(body ? { payload: JSON.stringify(body) } : {}),
        });
        if (DOCUMENTED_405.has(name)) {
          t.is(res.statusCode, 405, `${name} answers 405`);
          ran++;
          continue;
        }
        t.true(
          res.statusCode < 300,
          `${name} ${JSON.stringify(body)} answered ${res.statusCode}: ${res.body}`,
        );
        ran++;
      }
    }
  }
  t.true(ran >= 15, `ran ${ran} example requests`);
});
