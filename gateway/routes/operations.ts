// Liveness, readiness and the OpenAPI document: no API key, no rate limit. Metrics are not here: they are
// served on their own port (common/metrics-server.ts), which the Ingress does not route.

import type { FastifyInstance } from 'fastify';

export type HealthCheck = () => Promise<void>;

export interface OperationsOptions {
  /** Named dependencies /readyz probes, e.g. { nats, redis }. A check rejects or times out when not reachable. */
  checks: Record<string, HealthCheck>;
  checkTimeoutMs?: number;
}

const open = { public: true, rateLimit: false } as const;

function withTimeout(check: HealthCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    check(),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function operationsRoutes(app: FastifyInstance, opts: OperationsOptions): Promise<void> {
  const { checks, checkTimeoutMs = 1_000 } = opts;
  const live = async () => ({ status: 'ok' });
  const liveSchema = {
    hide: true,
    response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
  };
  app.get('/health', { schema: liveSchema, config: open }, live);
  app.get('/healthz', { schema: liveSchema, config: open }, live);

  app.get('/readyz', { schema: { hide: true }, config: open }, async (_request, reply) => {
    const names = Object.keys(checks);
    const outcomes = await Promise.allSettled(names.map((n) => withTimeout(checks[n]!, checkTimeoutMs)));
    const status: Record<string, 'ok' | 'unavailable'> = {};
    names.forEach((n, i) => {
      status[n] = outcomes[i]!.status === 'fulfilled' ? 'ok' : 'unavailable';
    });
    const down = names.filter((n) => status[n] !== 'ok');
    if (down.length === 0) return { status: 'ready', checks: status };
    return reply.code(503).send({
      error: 'service_unavailable',
      message: `not ready: ${down.join(', ')}`,
      details: { checks: status },
    });
  });

  app.get('/openapi.json', { schema: { hide: true }, config: open }, async () => app.swagger());
}
