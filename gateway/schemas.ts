// How the gateway's routes refer to the API's schemas (common/api.ts): the shared bodies are registered once
// by buildGateway and referenced by `$ref`, so /openapi.json names them as components.

import {
  clusterIdSchema,
  commandResultSchema,
  errorBodySchema,
  idSchema,
  refusedResultSchema,
  sessionBodySchema,
} from '../common/api.js';

/** Registered with app.addSchema before any route. */
export const sharedSchemas = [errorBodySchema, commandResultSchema, refusedResultSchema, sessionBodySchema];

export const clusterId = clusterIdSchema;
/** A cluster id in a path: the dev stack's cluster as the example /docs fills in. */
export const clusterIdParam = { ...clusterIdSchema, examples: ['local'] } as const;
export const idParam = idSchema;
export const errorRef = { $ref: 'ErrorBody#' } as const;
export const resultRef = { $ref: 'CommandResult#' } as const;
export const refusedRef = { $ref: 'RefusedResult#' } as const;
export const sessionRef = { $ref: 'Session#' } as const;

/** The error answers of a route that takes a command: bad input, no key, refused, unknown, limited, away. */
export const commandErrorResponses = {
  400: errorRef,
  401: errorRef,
  403: errorRef,
  404: errorRef,
  429: errorRef,
  503: errorRef,
} as const;

/**
 * Bodies for POST /debug/execute and /debug/validate that run as they are against `npm run dev` (cluster
 * `local`, the simulated cluster): the two request forms and upstream's (args only, namespace null).
 */
export const COMMAND_EXAMPLES = [
  { cluster_id: 'local', command_type: 'get', args: ['pods'], namespace: 'default' },
  { cluster_id: 'local', command: 'get pods -A -o wide' },
  { cluster_id: 'local', args: ['nodes'], namespace: null },
] as const;

export const EXECUTE_DESCRIPTION =
  'Two request forms: kubectl-style `command_type` + `args` (as upstream Kubently takes it; `command_type` ' +
  'defaults to `get`), or one `command` string; never both. `namespace` (or null: no -n) applies to namespaced ' +
  'verbs. The answer is the result: `status` success, failure, timeout or denied, `output` as kubectl prints ' +
  'it. A command the policy refuses answers 403 with `status: "denied"` and `details.rule`; no connected agent ' +
  'answers 503 at once; no answer within the timeout answers 504 with `status: "timeout"`. Headers ' +
  '`X-Correlation-ID` and `X-Request-Timeout` (1-60 s) override `correlation_id` and `timeout_seconds`. ' +
  '`grep` (fixed strings, case-insensitive) keeps only the log lines and table rows holding one of them, header ' +
  "kept, before the cut; `max_output_bytes` cuts the output below the policy's cap. " +
  'Follow commands (`logs -f`, `get -w`, `get --watch-only`, `events --watch`, `rollout status`) need `Accept: text/event-stream` (else 400, rule ' +
  '`follow_needs_event_stream`) and answer Server-Sent Events: `output` events (data: a JSON string, the next ' +
  'part of stdout) as it happens, then one `end` event (data: `{command_id, status, error, truncated, reason, ' +
  'bytes, execution_time_ms}`, reason completed, max_duration, max_bytes, client_closed or timeout). The ' +
  'policy caps a stream (`limits.stream`); MAX_STREAMS_PER_IDENTITY more streams answer 429.';

export const SESSION_DESCRIPTION =
  'A session groups commands on one cluster; only its creator sees it. It ends `ttl_seconds` after creation ' +
  '(default and cap SESSION_TTL_SECONDS, 3600) or after SESSION_IDLE_TTL_SECONDS (1800) without a command, ' +
  'whichever comes first: `expires_at` is that earlier time, so a new session shows 30 minutes, and each ' +
  'command in it moves `expires_at` on, never past the absolute end. `X-Correlation-ID` overrides `correlation_id`.';
