// What every route group receives: the gateway's services, built once by buildGateway.

import type { AuditEmitter } from '../common/audit/emitter-types.js';
import type { Logger } from '../common/logger.js';
import type { Policy } from '../common/policy/index.js';
import type { AgentTracker } from './agent-tracker.js';
import type { ClusterAccess } from './cluster-access.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './plugins/metrics.js';
import type { Refusals } from './refusals.js';
import type { Relay } from './relay.js';
import type { ResultStore } from './results/result-store.js';
import type { SessionStore } from './sessions/types.js';

export interface GatewayContext {
  config: GatewayConfig;
  log: Logger;
  relay: Pick<Relay, 'send' | 'inFlight'> & Partial<Pick<Relay, 'stream'>>;
  agents: AgentTracker;
  sessions: SessionStore;
  results: ResultStore;
  /** The current command policy; read once per request so a reloaded file applies to the next one. */
  policy: () => Policy;
  audit: AuditEmitter;
  metrics: GatewayMetrics;
  clusters: ClusterAccess;
  /** Records refused requests (probes of clusters and sessions, bad commands) without changing the answer. */
  refusals: Refusals;
}
