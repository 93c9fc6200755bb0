// Follow commands end to end for tests and benchmarks: a listening gateway, a real agent (command loop and
// executor) for c1 reading the simulated apiserver, and an SSE reader for POST /debug/execute's event stream.

import type { ExecutionContext } from 'ava';
import { createRevalidator } from '../agent/revalidate.js';
import { type AgentService, startAgentService } from '../agent/service.js';
import { importedJetStream } from '../common/imported-jetstream.js';
import { type Policy, parsePolicy, streamLimits } from '../common/policy/index.js';
import { type SseEvent, takeSseEvents } from '../common/sse.js';
import type { SimApiserver } from '../sim/server.js';
import { eventually } from './eventually.js';
import {
  type GatewayStack,
  type GatewayStackOptions,
  type KEYS,
  startGatewayStack,
  TEST_POLICY_YAML,
} from './gateway.js';
import { quietLog } from './log.js';
import { connectAs } from './nats-server.js';
import { startSimWithExecutor } from './sim.js';

export interface StreamingStack {
  stack: GatewayStack;
  sim: SimApiserver;
  /** The gateway's base URL. */
  url: string;
  agent: AgentService;
  /** POST /debug/execute on c1 as `who`, asking for an event stream unless `accept` says otherwise. */
  execute(
    command: string,
    options?: { who?: keyof typeof KEYS; accept?: string; signal?: AbortSignal },
  ): Promise<Response>;
}

export interface StreamingStackOptions {
  /** Extra YAML appended to the test policy (e.g. `limits: { stream: { maxBytes: 2048 } }`). */
  policyExtra?: string;
  /** The policy YAML before policyExtra; TEST_POLICY_YAML (readOnly for alice, bob, admin) by default. */
  policyYaml?: string;
  /** The agent's own policy (the gateway's by default). */
  agentPolicy?: Policy;
  config?: GatewayStackOptions['config'];
}

export async function startStreamingStack(
  t: ExecutionContext,
  options: StreamingStackOptions = {},
): Promise<StreamingStack> {
  const policy = parsePolicy(
    (options.policyYaml ?? TEST_POLICY_YAML) + (options.policyExtra ?? ''),
    'test-policy',
  );
  // A client that went away can leave its keep-alive socket to the server's close: do not wait 10 s for it.
  const config = { shutdownGraceMs: 500, ...options.config };
  const stack = await startGatewayStack(t, { agents: {}, redis: false, policy, config });
  const { sim, executor } = await startSimWithExecutor(t);
  const nc = await connectAs(t, stack.server, { agent: 'c1' });
  const agentPolicy = options.agentPolicy ?? policy;
  const agent = await startAgentService({
    nc,
    js: importedJetStream(nc),
    log: quietLog(),
    clusterId: 'c1',
    agentId: 'agent-c1-0',
    executor,
    revalidate: createRevalidator(() => agentPolicy),
    policyPreset: () => 'readOnly',
    maxInFlight: 4,
    heartbeatIntervalMs: 200,
    streamLimits: () => streamLimits(agentPolicy, 'c1'),
  });
  t.teardown(() => agent.stop(100));
  await eventually(t, () => stack.tracker.isConnected('c1'), { message: 'the gateway saw the c1 agent' });
  const url = await stack.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    stack,
    sim,
    url,
    agent,
    execute: (command, opts = {}) =>
      fetch(`${url}/debug/execute`, {
        method: 'POST',
        headers: {
          ...stack.as(opts.who ?? 'alice'),
          'content-type': 'application/json',
          accept: opts.accept ?? 'text/event-stream',
        },
        body: JSON.stringify({ cluster_id: 'c1', command }),
        signal: opts.signal,
      }),
  };
}

/**
 * Reads an SSE response as it arrives: `events` grows, `output` is the `output` events' text joined, `end`
 * is the `end` event's data once it came; `listener` hears each event as it is parsed. `pause()` stops reading
 * (the socket fills), `resume()` goes on.
 */
export function readSse(res: Response, listener?: (event: SseEvent) => void) {
  const state = {
    events: [] as SseEvent[],
    output: '',
    end: undefined as Record<string, unknown> | undefined,
    closed: false,
  };
  let paused: Promise<void> | undefined;
  let unpause: (() => void) | undefined;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      if (paused) await paused;
      const { value, done } = await reader.read();
      if (done) break;
      const taken = takeSseEvents(buffer + decoder.decode(value, { stream: true }));
      buffer = taken.rest;
      for (const e of taken.events) {
        state.events.push(e);
        if (e.event === 'output') state.output += e.data as string;
        if (e.event === 'end') state.end = e.data as Record<string, unknown>;
        listener?.(e);
      }
    }
    state.closed = true;
  })().catch(() => {
    state.closed = true;
  });
  return {
    state,
    done,
    cancel: () => reader.cancel().catch(() => {}),
    pause() {
      paused ??= new Promise<void>((resolve) => {
        unpause = resolve;
      });
    },
    resume() {
      unpause?.();
      paused = undefined;
    },
  };
}
