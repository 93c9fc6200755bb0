// An event subscriber that forwards Kubently's audit records elsewhere (a SIEM, a chat bot): the program
// docs/nats-security.md shows, run by test/nats-subscriber.test.ts. It needs only what
// POST /admin/subscribers/<name>/token answered: the token, the stream, the consumer and the API prefix.
//
//   node --import tsx docs/examples/audit-forwarder.ts   (NATS_URL, TOKEN_FILE, STREAM, CONSUMER, API_PREFIX)

import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import { credsAuthenticator } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

export interface ForwarderOptions {
  servers: string;
  token: string;
  stream: string;
  consumer: string;
  apiPrefix: string;
  /** Where each record goes; the record is acknowledged only after this resolves. */
  forward: (record: Record<string, unknown>) => Promise<void>;
}

/** Forwards until the returned stop() is called; each record is acked once forwarded. */
export async function startForwarder(options: ForwarderOptions): Promise<{ stop(): Promise<void> }> {
  const nc = await connect({
    servers: options.servers,
    authenticator: credsAuthenticator(new TextEncoder().encode(options.token)),
  });
  const js = jetstream(nc, { apiPrefix: options.apiPrefix });
  const consumer = await js.consumers.get(options.stream, options.consumer);
  const messages = await consumer.consume({ max_messages: 100 });
  const done = (async () => {
    for await (const m of messages) {
      await options.forward(m.json<Record<string, unknown>>());
      m.ack();
    }
  })();
  return {
    async stop() {
      await messages.close();
      await done;
      await nc.drain();
    },
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const env = process.env;
  await startForwarder({
    servers: env.NATS_URL ?? 'nats://127.0.0.1:4222',
    token: readFileSync(env.TOKEN_FILE ?? 'subscriber.creds', 'utf8'),
    stream: env.STREAM ?? 'KUBENTLY_AUDIT',
    consumer: env.CONSUMER ?? '',
    apiPrefix: env.API_PREFIX ?? 'KUBENTLY.API',
    forward: async (record) => void process.stdout.write(`${JSON.stringify(record)}\n`),
  });
}
