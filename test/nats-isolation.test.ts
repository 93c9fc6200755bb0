// The isolation matrix: for every identity, every action it must not take is refused by a real nats-server
// started from nats.conf, with the server's own permission error; the actions it needs are not refused.

import test from 'ava';
import { AUDIT_CONSUMER, AUDIT_STREAM, CMD_STREAM, subjects } from '../common/subjects.js';
import {
  connectAs,
  type DeniedOperation,
  expectAllowed,
  expectDenied,
  type Identity,
  provision,
  randomToken,
  startNats,
} from '../harness/nats-server.js';

type Probe = [DeniedOperation, string];

const pub = (subject: string): Probe => ['publish', subject];
const sub = (subject: string): Probe => ['subscription', subject];

/** What no identity other than admin may do to JetStream: create, delete, purge, or mutate streams and consumers. */
const jetStreamAdmin: Probe[] = [
  pub('$JS.API.STREAM.CREATE.EVIL'),
  pub(`$JS.API.STREAM.UPDATE.${CMD_STREAM}`),
  pub(`$JS.API.STREAM.DELETE.${CMD_STREAM}`),
  pub(`$JS.API.STREAM.DELETE.${AUDIT_STREAM}`),
  pub(`$JS.API.STREAM.PURGE.${AUDIT_STREAM}`),
  pub(`$JS.API.STREAM.MSG.DELETE.${AUDIT_STREAM}`),
  pub(`$JS.API.CONSUMER.CREATE.${CMD_STREAM}`),
  pub(`$JS.API.CONSUMER.CREATE.${CMD_STREAM}.spy.kubently.cmd.beta`),
  pub(`$JS.API.CONSUMER.DURABLE.CREATE.${CMD_STREAM}.spy`),
  pub(`$JS.API.CONSUMER.CREATE.${AUDIT_STREAM}`),
  pub(`$JS.API.CONSUMER.DELETE.${CMD_STREAM}.agent-alpha`),
  pub(`$JS.API.CONSUMER.DELETE.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
  pub('$KV.secrets.key'),
  pub('$SYS.REQ.SERVER.PING'),
  pub('$SYS.REQ.ACCOUNT.KUBENTLY.CONNZ'),
];

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
      // Another cluster's consumer: no fetch, no info, no ack.
      pub(`$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-beta`),
      pub(`$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-beta`),
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
      pub(`$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-alpha`),
      pub(subjects.result('alpha', 'c1')),
      pub(subjects.heartbeat('alpha')),
      sub('_INBOX_agent_alpha.x'),
    ],
  },
  {
    identity: 'gateway',
    denied: [
      ...jetStreamAdmin,
      // The gateway publishes commands but never takes them, nor forges an agent's results or heartbeats.
      sub(subjects.allCommands),
      pub(`$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-alpha`),
      pub(subjects.result('alpha', 'c1')),
      pub(subjects.heartbeat('alpha')),
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
      sub('_INBOX.>'),
      sub('$SYS.>'),
      sub('$SYS.ACCOUNT.SYS.CONNECT'),
    ],
    allowed: [
      pub(`$JS.API.CONSUMER.MSG.NEXT.${AUDIT_STREAM}.${AUDIT_CONSUMER}`),
      pub(`$JS.API.STREAM.INFO.${AUDIT_STREAM}`),
      sub('$SYS.ACCOUNT.KUBENTLY.CONNECT'),
      sub('$SYS.SERVER.*.CLIENT.AUTH.ERR'),
      sub(subjects.allHeartbeats),
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
  const who = typeof identity === 'object' ? `agent-${identity.agent}` : identity;
  test(`nats isolation - ${who} is refused everything outside its permissions`, async (t) => {
    const server = await startNats(t, { agentTokens: { alpha: randomToken(), beta: randomToken() } });
    await provision(t, server, ['alpha', 'beta']);
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
