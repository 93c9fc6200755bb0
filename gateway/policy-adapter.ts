// Binds the gateway's policy port to common/policy and common/command. `current` is read per call so a
// reloaded policy file applies to the next request without a restart.

import { parseCommandRequest } from '../common/command/parse.js';
import {
  canUseCluster,
  effectiveTimeoutMs,
  evaluate,
  explainCommand,
  type Policy,
} from '../common/policy/index.js';
import type { GatewayPolicy } from './policy-port.js';

export function createGatewayPolicy(current: () => Policy): GatewayPolicy {
  return {
    canUseCluster: (identity, clusterId) => canUseCluster(current(), identity, clusterId),
    timeoutMs: (clusterId, requestedMs) => effectiveTimeoutMs(current(), clusterId, requestedMs),
    parse: (request, context) => parseCommandRequest(request, context),
    evaluate: (command) => evaluate(current(), command),
    explain: (request, context) => {
      const e = explainCommand(current(), request, context);
      return { ...e, normalized_argv: e.normalized_argv ?? [] };
    },
  };
}
