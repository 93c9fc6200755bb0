// The gateway's Prometheus metrics, registered in the Registry main.ts passes in (never the global one).

import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AgentTracker } from '../agent-tracker.js';

export interface GatewayMetrics {
  authFailures: Counter<'reason'>;
  unauthorizedCommands: Counter<'cluster_id' | 'rule'>;
  commands: Counter<'cluster_id' | 'status'>;
  commandDuration: Histogram<'cluster_id'>;
  rateLimited: Counter<'route'>;
}

export function createGatewayMetrics(registry: Registry, agents: AgentTracker): GatewayMetrics {
  const registers = [registry];
  new Gauge({
    name: 'kubently_gateway_agent_connected',
    help: 'Whether at least one agent of the cluster sends heartbeats (1) or not (0)',
    labelNames: ['cluster_id'],
    registers,
    collect() {
      this.reset();
      for (const c of agents.clusters()) this.set({ cluster_id: c.clusterId }, c.connected ? 1 : 0);
    },
  });
  return {
    authFailures: new Counter({
      name: 'kubently_gateway_auth_failures_total',
      help: 'Requests refused for a missing or invalid API key',
      labelNames: ['reason'],
      registers,
    }),
    unauthorizedCommands: new Counter({
      name: 'kubently_gateway_unauthorized_commands_total',
      help: 'Commands refused by the gateway or agent policy',
      labelNames: ['cluster_id', 'rule'],
      registers,
    }),
    commands: new Counter({
      name: 'kubently_gateway_commands_total',
      help: 'Commands relayed to agents, by outcome',
      labelNames: ['cluster_id', 'status'],
      registers,
    }),
    commandDuration: new Histogram({
      name: 'kubently_gateway_command_duration_seconds',
      help: 'Time from accepting a command to having its result, as the gateway sees it',
      labelNames: ['cluster_id'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    rateLimited: new Counter({
      name: 'kubently_gateway_rate_limited_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['route'],
      registers,
    }),
  };
}

/** Request duration and count by route template and status. */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const labelNames = ['method', 'route', 'status_code'] as const;
  const duration = new Histogram({
    name: 'kubently_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'kubently_http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  app.addHook('onResponse', async (request, reply) => {
    // The route template, never the raw URL: ids in paths would explode the label set.
    const labels = {
      method: request.method,
      route: request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'),
      status_code: String(reply.statusCode),
    };
    duration.observe(labels, reply.elapsedTime / 1000);
    requests.inc(labels);
  });
}
