// The permission matrix: for every identity, every action it must not take is refused by a real nats-server
// started from nats.conf, with the server's own permission error; the actions it needs are not refused. These
// per-user lists are the second guard: the account boundaries (test/nats-reply-isolation.test.ts) are the first.

import test from 'ava';
import {
  AUDIT_CONSUMER,
  AUDIT_STREAM,
  CMD_STREAM,
  IMPORTED_API_PREFIX,
  subjects,
} from '../common/subjects.js';
import {
  connectAs,
  type DeniedOperation,
  expectAllowed,
  expectDenied,
  type Identity,
  provision,
  startNats,
} from '../harness/nats-server.js';

type Probe = [DeniedOperation, string];

const pub = (subject: string): Probe => ['publish', subject];
const sub = (subject: string): Probe => ['subscription', subject];

/** What no identity other than admin may do to streams: create, delete, purge or mutate them. */
const streamAdmin: Probe[] = [
  pub('$JS.API.STREAM.CREATE.EVIL'),
  pub(`$JS.API.STREAM.UPDATE.${CMD_STREAM}`),
  pub(`$JS.API.STREAM.DELETE.${CMD_STREAM}`),
  pub(`$JS.API.STREAM.DELETE.${AUDIT_STREAM}`),
  pub(`$JS.API.STREAM.PURGE.${AUDIT_STREAM}`),
  pub('$KV.secrets.key'),
  pub('$SYS.REQ.SERVER.PING'),
  pub('$SYS.REQ.CLAIMS.UPDATE'),
];

/** ...nor, except admin and the gateway (which creates a consumer when it mints a credential), to consumers. */
const jetStreamAdmin: Probe[] = [
  ...streamAdmin,
  pub(`$JS.API.STREAM.MSG.DELETE.${AUDIT_STREAM}`),
  pub(`$JS.API.CONSUMER.CREATE.${CMD_STREAM}`),
  pub(`$JS.API.CONSUMER.CREATE.${CMD_STREAM}.spy.kubently.cmd.beta`),
  pub(`$JS.API.CONSUMER.DURABLE.CREATE.${CMD_STREAM}.spy`),
  pub(`$JS.API.CONSUMER.CREATE.${AUDIT_STREAM}`),
  pub(`$JS.API.CONSUMER.DELETE.${CMD_STREAM}.agent-alpha`),
  pub(`$JS.API.CONSUMER.DELETE.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
  pub(`${IMPORTED_API_PREFIX}.STREAM.CREATE.EVIL`),
  pub(`${IMPORTED_API_PREFIX}.CONSUMER.CREATE.${CMD_STREAM}`),
  pub('$SYS.REQ.ACCOUNT.KUBENTLY.CONNZ'),
];

const api = (op: string, stream: string, consumer: string) =>
  `${IMPORTED_API_PREFIX}.CONSUMER.${op}.${stream}.${consumer}`;

const matrix: { identity: Identity; denied: Probe[]; allowed: Probe[] }[] = [
  {
    identity: { agent: 'alpha' },
    denied: [
      ...jetStreamAdmin,
      // Another cluster's commands, results and heartbeats: neither read nor forged.
      sub(subjects.command('beta')),
      sub(subjects.allCommands),
      sub(subjects.resultsOf('beta')),
      sub(subjects.allResults),
      sub(subjects.heartbeat('beta')),
      sub('>'),
      pub(subjects.command('beta')),
      pub(subjects.command('alpha')),
      pub(subjects.result('beta', 'c1')),
      pub(subjects.heartbeat('beta')),
      // Another cluster's consumer: no fetch, no info, no ack, under either prefix.
      pub(`$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-beta`),
      pub(`$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-beta`),
      pub(api('MSG.NEXT', CMD_STREAM, 'agent-beta')),
      pub(api('INFO', CMD_STREAM, 'agent-beta')),
      pub(`$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-alpha`),
      pub(`$JS.ACK.${CMD_STREAM}.agent-beta.1.1.1.1.1.1`),
      // Audit: agents report outcomes in results; only the gateway records command_executed.
      pub(subjects.audit('command_executed')),
      sub(subjects.allAudit),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
      pub(`$JS.API.DIRECT.GET.${AUDIT_STREAM}`),
      pub(`$JS.API.STREAM.MSG.GET.${AUDIT_STREAM}`),
      pub(`$JS.API.STREAM.INFO.${AUDIT_STREAM}`),
      pub('$JS.API.INFO'),
      // Inboxes: only its own prefix.
      sub('_INBOX.>'),
      sub('_INBOX_agent_beta.>'),
      sub('_INBOX_gateway.>'),
      sub('$SYS.>'),
      sub('$SYS.ACCOUNT.KUBENTLY.CONNECT'),
    ],
    allowed: [
      pub(api('INFO', CMD_STREAM, 'agent-alpha')),
      pub(api('MSG.NEXT', CMD_STREAM, 'agent-alpha')),
      pub(subjects.result('alpha', 'c1')),
      pub(subjects.heartbeat('alpha')),
      sub('_INBOX_agent_alpha.x'),
    ],
  },
  {
    identity: { subscriber: 'siem' },
    denied: [
      ...jetStreamAdmin,
      // Read-only: no command, result, heartbeat or audit subject; no other consumer.
      pub(subjects.command('alpha')),
      pub(subjects.result('alpha', 'c1')),
      pub(subjects.heartbeat('alpha')),
      pub(subjects.audit('command_executed')),
      pub(api('MSG.NEXT', AUDIT_STREAM, AUDIT_CONSUMER)),
      pub(api('MSG.NEXT', AUDIT_STREAM, 'sub-other')),
      pub(api('MSG.NEXT', CMD_STREAM, 'agent-alpha')),
      pub(`$JS.API.DIRECT.GET.${AUDIT_STREAM}`),
      pub(`$JS.ACK.${AUDIT_STREAM}.${AUDIT_CONSUMER}.1.1.1.1.1.1`),
      sub(subjects.allAudit),
      sub(subjects.allCommands),
      sub('$SYS.>'),
    ],
    allowed: [
      pub(api('INFO', AUDIT_STREAM, 'sub-siem')),
      pub(api('MSG.NEXT', AUDIT_STREAM, 'sub-siem')),
      pub(`$JS.ACK.${AUDIT_STREAM}.sub-siem.1.1.1.1.1.1`),
      sub('_INBOX.x'),
    ],
  },
  {
    identity: 'gateway',
    denied: [
      ...streamAdmin,
      // The gateway publishes commands but never takes them, nor forges an agent's results or heartbeats.
      sub(subjects.allCommands),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-alpha`),
      pub(subjects.result('alpha', 'c1')),
      pub(subjects.heartbeat('alpha')),
      pub('$JS.API.CONSUMER.DELETE.OTHER.x'),
      // It reads audit records only by direct get, without consuming the audit consumer's messages.
      sub(subjects.allAudit),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
      pub(`$JS.ACK.${AUDIT_STREAM}.${AUDIT_CONSUMER}.1.1.1.1.1.1`),
      sub('_INBOX.>'),
      sub('_INBOX_agent_alpha.>'),
      sub('$SYS.>'),
      sub('$SYS.ACCOUNT.KUBENTLY.CONNECT'),
    ],
    allowed: [
      pub(subjects.command('alpha')),
      pub(subjects.audit('session_creation')),
      pub(`$JS.API.DIRECT.GET.${AUDIT_STREAM}`),
      pub(`$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-alpha`),
      pub(`$JS.API.STREAM.INFO.${CMD_STREAM}`),
      sub(subjects.allResults),
      sub(subjects.allHeartbeats),
      // Minting a credential creates the consumer it reads.
      pub(`$JS.API.CONSUMER.CREATE.${CMD_STREAM}.agent-alpha.kubently.cmd.alpha`),
      pub(`$JS.API.CONSUMER.DELETE.${CMD_STREAM}.agent-alpha`),
    ],
  },
  {
    identity: 'audit',
    denied: [
      ...jetStreamAdmin,
      pub(subjects.audit('session_creation')),
      pub(subjects.audit('command_executed')),
      pub(subjects.heartbeat('alpha')),
      pub(subjects.command('alpha')),
      pub(subjects.result('alpha', 'c1')),
      sub(subjects.allCommands),
      sub(subjects.allResults),
      sub(subjects.allAudit),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-alpha`),
      pub(api('MSG.NEXT', CMD_STREAM, 'agent-alpha')),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
      sub(subjects.allHeartbeats),
      sub('_INBOX.>'),
      sub('$SYS.>'),
      sub('$SYS.REQ.>'),
    ],
    allowed: [
      pub(api('MSG.NEXT', AUDIT_STREAM, AUDIT_CONSUMER)),
      pub(`${IMPORTED_API_PREFIX}.STREAM.INFO.${AUDIT_STREAM}`),
      sub('$SYS.ACCOUNT.*.CONNECT'),
      sub('$SYS.SERVER.*.CLIENT.AUTH.ERR'),
      pub(subjects.audit('agent_connection_failure')),
    ],
  },
  {
    identity: 'admin',
    denied: [
      pub(subjects.command('alpha')),
      pub(subjects.audit('session_creation')),
      pub(subjects.result('alpha', 'c1')),
      sub(subjects.allCommands),
      sub(subjects.allResults),
      sub(subjects.allAudit),
      sub('_INBOX.>'),
      sub('$SYS.>'),
      pub('$SYS.REQ.SERVER.PING'),
    ],
    allowed: [pub('$JS.API.STREAM.INFO.KUBENTLY_CMD'), pub('$JS.API.CONSUMER.CREATE.KUBENTLY_CMD')],
  },
];

for (const { identity, denied, allowed } of matrix) {
  const who =
    typeof identity === 'string'
      ? identity
      : 'agent' in identity
        ? `agent-${identity.agent}`
        : `subscriber-${identity.subscriber}`;
  test(`nats isolation - ${who} is refused everything outside its permissions`, async (t) => {
    const server = await startNats(t, { clusters: ['alpha', 'beta'], subscribers: ['siem'] });
    await provision(t, server, ['alpha', 'beta'], { subscribers: ['siem'] });
    const nc = await connectAs(t, server, identity);
    for (const [operation, subject] of denied) {
      const err = await expectDenied(nc, operation, subject);
      const verb = operation === 'publish' ? 'Publish' : 'Subscription';
      t.is(err.message, `Permissions Violation for ${verb} to "${subject}"`);
    }
    for (const [operation, subject] of allowed) {
      await t.notThrowsAsync(expectAllowed(nc, operation, subject), `${operation} ${subject}`);
    }
    // Violations are not fatal: the identity keeps its connection for what it is allowed to do.
    t.false(nc.isClosed());
  });
}
