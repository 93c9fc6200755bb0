// The floors: what the transport and the simulated apiserver cost without Kubently's code in between.
// - core NATS request-reply on a bare nats-server (no accounts; per-message cost is the same);
// - JetStream publish → pull consume → core reply with the real subjects, identities and stream;
// - the simulated apiserver's handler called in process, and the same list over keep-alive HTTP.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { importedJetStream } from '../common/imported-jetstream.js';
import {
  agentConsumerName,
  agentInboxPrefix,
  CMD_STREAM,
  GATEWAY_INBOX_PREFIX,
  subjects,
} from '../common/subjects.js';
import { freePort, type SpawnedNats } from '../scripts/lib/nats-server.js';
import { createSimHandler } from '../sim/handler.js';
import { BENCH_NAMESPACE, benchFixtures } from './lib/fixtures.js';
import {
  type ConcurrentRun,
  type LatencySummary,
  summarize,
  timeConcurrent,
  timeSequential,
} from './lib/stats.js';

export interface FloorResult {
  sequential: LatencySummary;
  concurrent: ConcurrentRun;
}

export interface FloorCounts {
  sequential: number;
  concurrent: number;
  clients: number;
  warmup: number;
}

/** The list request the agent sends for `get pods -n bench`, Table accept header included. */
export const POD_LIST_PATH = `/api/v1/namespaces/${BENCH_NAMESPACE}/pods?limit=500`;
export const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function measure(op: () => Promise<unknown>, counts: FloorCounts): Promise<FloorResult> {
  const sequential = summarize(await timeSequential(op, counts.sequential, counts.warmup));
  const concurrent = await timeConcurrent(op, counts.clients, counts.concurrent);
  return { sequential, concurrent };
}

export async function natsRequestReplyFloor(counts: FloorCounts): Promise<FloorResult> {
  const port = await freePort();
  const server: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  const exited = new Promise((r) => server.once('exit', r));
  try {
    const responder = await connectWhenUp(`nats://127.0.0.1:${port}`);
    const requester = await connectWhenUp(`nats://127.0.0.1:${port}`);
    responder.subscribe('bench.echo', {
      callback: (_err, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    const payload = new Uint8Array(300);
    const result = await measure(() => requester.request('bench.echo', payload, { timeout: 5_000 }), counts);
    await requester.close();
    await responder.close();
    return result;
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
}

async function connectWhenUp(url: string): Promise<NatsConnection> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await connect({ servers: url });
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * The gateway's half (js.publish with a msg id, await the reply on a wildcard subscription) and the
 * agent's half (pull consume, reply on core NATS, ack) of the real path, with no Kubently code.
 */
const encoder = new TextEncoder();

export async function jetStreamCycleFloor(
  nats: SpawnedNats,
  clusterId: string,
  counts: FloorCounts,
): Promise<FloorResult> {
  const gw = await connect({
    servers: nats.url,
    authenticator: credsAuthenticator(encoder.encode(nats.creds.gateway)),
    inboxPrefix: GATEWAY_INBOX_PREFIX,
  });
  const agent = await connect({
    servers: nats.url,
    authenticator: credsAuthenticator(encoder.encode(nats.agentCreds[clusterId] ?? '')),
    inboxPrefix: agentInboxPrefix(clusterId),
  });
  try {
    const pending = new Map<string, () => void>();
    gw.subscribe(subjects.resultsOf(clusterId), {
      callback: (_err, msg) => {
        const id = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
        pending.get(id)?.();
        pending.delete(id);
      },
    });
    await gw.flush();
    const consumer = await importedJetStream(agent).consumers.get(CMD_STREAM, agentConsumerName(clusterId));
    const messages = await consumer.consume({ max_messages: 256, bind: true });
    void (async () => {
      for await (const m of messages) {
        const id = new TextDecoder().decode(m.data);
        agent.publish(subjects.result(clusterId, id), m.data);
        m.ack();
      }
    })();
    const js = jetstream(gw);
    const op = async () => {
      const id = randomUUID();
      const answered = new Promise<void>((resolve) => pending.set(id, resolve));
      await js.publish(subjects.command(clusterId), id, { msgID: id, expect: { streamName: CMD_STREAM } });
      await answered;
    };
    const result = await measure(op, counts);
    await messages.close();
    return result;
  } finally {
    await agent.close();
    await gw.close();
  }
}

export async function simInProcessFloor(counts: FloorCounts): Promise<FloorResult> {
  const handler = createSimHandler({ fixtures: benchFixtures(Date.now()), clock: Date.now });
  const headers = { accept: TABLE_ACCEPT };
  const op = async () => {
    const res = handler.handle('GET', POD_LIST_PATH, headers);
    if (res.status !== 200) throw new Error(`sim answered ${res.status}`);
    JSON.parse(res.body);
  };
  return measure(op, counts);
}

export async function simHttpFloor(simUrl: string, counts: FloorCounts): Promise<FloorResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: counts.clients });
  const url = new URL(POD_LIST_PATH, simUrl);
  const op = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get(url, { agent, headers: { accept: TABLE_ACCEPT } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`sim answered ${res.statusCode}`));
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  try {
    return await measure(op, counts);
  } finally {
    agent.destroy();
  }
}
