// The JetStream client of an identity whose account imports the stream owner's API (agents, audit, event
// subscribers): the same API under IMPORTED_API_PREFIX, answered by the account that owns the streams.

import { type JetStreamClient, type JetStreamOptions, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { IMPORTED_API_PREFIX } from './subjects.js';

export function importedJetStream(
  nc: NatsConnection,
  options: Omit<JetStreamOptions, 'apiPrefix'> = {},
): JetStreamClient {
  return jetstream(nc, { ...options, apiPrefix: IMPORTED_API_PREFIX });
}
