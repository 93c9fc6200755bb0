// Prometheus metrics derived from the audit stream. Every gateway replica publishes to one stream and one
// consumer reads it, so these counters are global without summing replicas. Registry passed in.

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AuditLine } from './hash-chain.js';

export const COMMAND_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LABEL_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export interface AuditMetrics {
  /** Updates every metric a written line implies. */
  observe(line: AuditLine): void;
  /** An agent's presence as the audit service sees it ($SYS connect/disconnect of verified agents). */
  setAgentConnected(clusterId: string, connected: boolean): void;
}

export interface AuditMetricsDeps {
  registry: Registry;
  /** num_pending of the durable consumer; read at scrape time. */
  consumerLag?: () => Promise<number>;
  /** The audit stream's stored bytes and byte cap (0: none); read at scrape time. */
  streamUsage?: () => Promise<{ bytes: number; maxBytes: number }>;
}

/** Label values come from records: keep them bounded and well-formed. */
function label(value: unknown, fallback = 'unknown'): string {
  return typeof value === 'string' && LABEL_RE.test(value) ? value : fallback;
}

/**
 * Distinct cluster_id label values kept; later new ones are counted under `other`. Records name clusters a
 * client asked for (refused probes included), so without a cap one client could create series at will.
 */
export const MAX_CLUSTER_LABELS = 2_000;

export function createAuditMetrics({ registry, consumerLag, streamUsage }: AuditMetricsDeps): AuditMetrics {
  const registers = [registry];
  const clusterLabels = new Set<string>();
  const clusterLabel = (value: unknown): string => {
    const v = label(value);
    if (clusterLabels.has(v)) return v;
    if (clusterLabels.size >= MAX_CLUSTER_LABELS) return 'other';
    clusterLabels.add(v);
    return v;
  };
  const authFailures = new Counter({
    name: 'kubently_auth_failures_total',
    help: 'Requests refused for a missing, wrong or revoked API key (authentication_failure events).',
    registers,
  });
  const unauthorized = new Counter({
    name: 'kubently_unauthorized_commands_total',
    help: 'Commands refused by the command policy (unauthorized_command_attempt events).',
    labelNames: ['cluster_id'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'kubently_rate_limited_total',
    help: 'Requests refused by the rate limiter (rate_limit_exceeded events).',
    registers,
  });
  const commands = new Counter({
    name: 'kubently_commands_total',
    help: 'Commands executed by agents, by outcome (command_executed events).',
    labelNames: ['cluster_id', 'verb', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'kubently_command_duration_seconds',
    help: 'Execution time reported by the agent for executed commands.',
    labelNames: ['cluster_id', 'verb'],
    buckets: COMMAND_DURATION_BUCKETS,
    registers,
  });
  const sessions = new Counter({
    name: 'kubently_sessions_created_total',
    help: 'Debug sessions created (session_creation events).',
    registers,
  });
  const agentConnected = new Gauge({
    name: 'kubently_agent_connected',
    help: '1 while at least one agent of the cluster is connected, else 0.',
    labelNames: ['cluster_id'],
    registers,
  });
  const agentFailures = new Counter({
    name: 'kubently_agent_connection_failures_total',
    help: 'Agent authentication errors and disconnects (agent_connection_failure events).',
    labelNames: ['cluster_id'],
    registers,
  });
  const events = new Counter({
    name: 'kubently_audit_events_total',
    help: 'Audit records written, by event type.',
    labelNames: ['event_type'],
    registers,
  });
  const lastEvent = new Gauge({
    name: 'kubently_audit_last_event_timestamp_seconds',
    help: 'Timestamp of the newest audit record written.',
    registers,
  });
  if (consumerLag) {
    new Gauge({
      name: 'kubently_audit_consumer_lag',
      help: 'Audit records in the stream not yet delivered to the audit consumer (num_pending).',
      registers,
      async collect() {
        // A failed read leaves the last value: a scrape must not fail because NATS is slow.
        const lag = await consumerLag().catch(() => undefined);
        if (lag !== undefined) this.set(lag);
      },
    });
  }

  if (streamUsage) {
    // One read per scrape feeds both gauges; a failed read leaves the last values.
    let reading: Promise<{ bytes: number; maxBytes: number } | undefined> | undefined;
    const read = () => {
      reading ??= streamUsage()
        .catch(() => undefined)
        .finally(() => setImmediate(() => (reading = undefined)));
      return reading;
    };
    new Gauge({
      name: 'kubently_audit_stream_bytes',
      help: 'Bytes the audit stream holds now.',
      registers,
      async collect() {
        const usage = await read();
        if (usage) this.set(usage.bytes);
      },
    });
    new Gauge({
      name: 'kubently_audit_stream_max_bytes',
      help: 'Byte cap of the audit stream (0: none); past it the oldest records are discarded.',
      registers,
      async collect() {
        const usage = await read();
        if (usage) this.set(Math.max(usage.maxBytes, 0));
      },
    });
  }

  return {
    observe(line) {
      const cluster = clusterLabel(line.cluster_id);
      const d = line.details;
      events.inc({ event_type: label(line.event_type) });
      const at = Date.parse(line.timestamp);
      if (Number.isFinite(at)) lastEvent.set(at / 1000);
      switch (line.event_type) {
        case 'authentication_failure':
          authFailures.inc();
          break;
        case 'unauthorized_command_attempt':
          // A /debug/validate question ran nothing: it is in the log, not in the alerting count.
          if (d.dry_run !== true) unauthorized.inc({ cluster_id: cluster });
          break;
        case 'rate_limit_exceeded':
          rateLimited.inc();
          break;
        case 'session_creation':
          sessions.inc();
          break;
        case 'agent_connection_failure':
          agentFailures.inc({ cluster_id: cluster });
          break;
        case 'command_executed': {
          const verb = label(d.verb);
          commands.inc({ cluster_id: cluster, verb, outcome: label(d.status) });
          const ms = d.execution_time_ms;
          if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
            duration.observe({ cluster_id: cluster, verb }, ms / 1000);
          }
          break;
        }
      }
    },
    setAgentConnected(clusterId, connected) {
      agentConnected.set({ cluster_id: clusterLabel(clusterId) }, connected ? 1 : 0);
    },
  };
}
