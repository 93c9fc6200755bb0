// The reply-subject matrix (issue 14): for every identity, every subject it may publish on is also tried with a
// reply subject pointing at every other account's subjects and at every stream subject. NATS checks permissions on
// the subject, never on the reply, so only the account boundaries keep a server answer (JetStream API replies,
// pull status messages, ack confirmations) from landing there. Nothing may land: the streams keep their message
// counts and the owners of those subjects, listening, receive nothing, while a control reply each identity sends to
// its own inbox does arrive (so "nothing" is not a dead listener).

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import test from 'ava';
import {
  AUDIT_CONSUMER,
  AUDIT_STREAM,
  CMD_STREAM,
  IMPORTED_API_PREFIX,
  subjects,
} from '../common/subjects.js';
import { connectAs, type Identity, provision, startNats } from '../harness/nats-server.js';

const api = (op: string, stream: string, consumer: string) =>
  `${IMPORTED_API_PREFIX}.CONSUMER.${op}.${stream}.${consumer}`;
/** A pull that answers at once (a 404 status when there is nothing), so every attempt makes the server reply. */
const NO_WAIT_PULL = JSON.stringify({ batch: 1, no_wait: true });

interface Attacker {
  name: string;
  identity: Identity;
  /** Every subject the identity may publish on, with a payload that makes the server act on it. */
  allowed: [subject: string, payload: string][];
  /** A request whose reply comes back to the identity's own inbox: the barrier after its attempts. */
  control: string;
  inbox: string;
}

const attackers: Attacker[] = [
  {
    name: 'agent-alpha',
    identity: { agent: 'alpha' },
    allowed: [
      [api('INFO', CMD_STREAM, 'agent-alpha'), ''],
      [api('MSG.NEXT', CMD_STREAM, 'agent-alpha'), NO_WAIT_PULL],
      [`$JS.ACK.${CMD_STREAM}.agent-alpha.1.1.1.1.1.1.1`, '+ACK'],
      [subjects.result('alpha', 'probe'), '{}'],
      [subjects.heartbeat('alpha'), '{}'],
    ],
    control: api('INFO', CMD_STREAM, 'agent-alpha'),
    inbox: '_INBOX_agent_alpha',
  },
  {
    name: 'subscriber-siem',
    identity: { subscriber: 'siem' },
    allowed: [
      [api('INFO', AUDIT_STREAM, 'sub-siem'), ''],
      [api('MSG.NEXT', AUDIT_STREAM, 'sub-siem'), NO_WAIT_PULL],
      [`$JS.ACK.${AUDIT_STREAM}.sub-siem.1.1.1.1.1.1.1`, '+ACK'],
    ],
    control: api('INFO', AUDIT_STREAM, 'sub-siem'),
    inbox: '_INBOX',
  },
  {
    name: 'audit',
    identity: 'audit',
    allowed: [
      [api('INFO', AUDIT_STREAM, AUDIT_CONSUMER), ''],
      [api('MSG.NEXT', AUDIT_STREAM, AUDIT_CONSUMER), NO_WAIT_PULL],
      [`$JS.ACK.${AUDIT_STREAM}.${AUDIT_CONSUMER}.1.1.1.1.1.1.1`, '+ACK'],
      [`${IMPORTED_API_PREFIX}.STREAM.INFO.${AUDIT_STREAM}`, ''],
      // Its one audit subject: the record itself is meant to land (counted), its publish ack is not.
      [subjects.audit('agent_connection_failure'), '{}'],
    ],
    // Its publish ack follows every record it sent before on the same path.
    control: subjects.audit('agent_connection_failure'),
    inbox: '_INBOX_audit',
  },
];

/** Reply targets: every stream subject, and subjects that belong to another account or identity. */
const streamTargets = [
  subjects.command('alpha'),
  subjects.command('beta'),
  subjects.audit('command_executed'),
  subjects.audit('agent_connection_failure'),
];
const foreignTargets = [
  subjects.result('beta', 'forged'),
  subjects.result('alpha', 'forged'),
  subjects.heartbeat('beta'),
  subjects.heartbeat('alpha'),
  '_INBOX_gateway.forged',
  '_INBOX_agent_beta.forged',
  '_INBOX_agent_alpha.forged',
  '_INBOX_audit.forged',
  '_INBOX.forged',
  api('INFO', CMD_STREAM, 'agent-beta'),
  `$JS.API.CONSUMER.INFO.${CMD_STREAM}.agent-beta`,
  `$JS.API.CONSUMER.MSG.NEXT.${CMD_STREAM}.agent-beta`,
  `$JS.ACK.${CMD_STREAM}.agent-beta.1.1.1.1.1.1.1`,
  '$JS.API.STREAM.PURGE.KUBENTLY_AUDIT',
  '$SYS.REQ.CLAIMS.UPDATE',
];

/** Subscribes as `nc` on each subject and counts what arrives, per subject. */
function listen(nc: NatsConnection, subs: string[], landed: Map<string, number>): Subscription[] {
  return subs.map((subject) =>
    nc.subscribe(subject, {
      callback: (_err, msg) => {
        landed.set(msg.subject, (landed.get(msg.subject) ?? 0) + 1);
      },
    }),
  );
}

test('reply isolation - no answer to any allowed subject lands on another account’s subject or in a stream', async (t) => {
  t.timeout(120_000);
  const server = await startNats(t, { clusters: ['alpha', 'beta'], subscribers: ['siem'] });
  await provision(t, server, ['alpha', 'beta'], { subscribers: ['siem'] });
  const admin = await connectAs(t, server, 'admin');
  const jsm = await jetstreamManager(admin);
  const counts = async () => ({
    cmd: (await jsm.streams.info(CMD_STREAM)).state.messages,
    audit: (await jsm.streams.info(AUDIT_STREAM)).state.messages,
  });

  // The owners of the foreign targets listen where they legitimately may.
  const landed = new Map<string, number>();
  const gateway = await connectAs(t, server, 'gateway');
  listen(gateway, ['kubently.result.>', 'kubently.heartbeat.>', '_INBOX_gateway.forged'], landed);
  const beta = await connectAs(t, server, { agent: 'beta' });
  listen(beta, ['_INBOX_agent_beta.forged'], landed);
  const audit = await connectAs(t, server, 'audit');
  listen(audit, ['_INBOX_audit.forged'], landed);
  await Promise.all([gateway.flush(), beta.flush(), audit.flush()]);

  const matrix: Record<string, { attempts: number; landed: number }> = {};
  for (const attacker of attackers) {
    const before = await counts();
    landed.clear();
    // A target that is one of the attacker's own subjects or in its own inbox would count what it may send
    // itself: only another's count.
    const own = new Set(attacker.allowed.map(([s]) => s));
    const targets = [...streamTargets, ...foreignTargets].filter(
      (s) => !own.has(s) && !s.startsWith(`${attacker.inbox}.`),
    );
    const nc = await connectAs(t, server, attacker.identity);
    // The attacker's own listeners on the foreign targets it may subscribe to count too (its own inbox aside).
    let attempts = 0;
    let ownAuditRecords = 0;
    for (const [subject, payload] of attacker.allowed) {
      for (const reply of targets) {
        nc.publish(subject, payload, { reply });
        attempts++;
        if (subject.startsWith('kubently.audit.')) ownAuditRecords++;
      }
    }
    // Barrier: a request through the same path answered on the attacker's own inbox, then every listener flushed.
    const control = await nc.request(attacker.control, '', { timeout: 10_000 });
    t.true(control.data.length > 0, `${attacker.name}: control reply arrived`);
    await Promise.all([gateway.flush(), beta.flush(), audit.flush(), nc.flush()]);
    const after = await counts();
    const onTargets = [...landed.entries()].filter(([s]) => targets.includes(s));
    const landedHere = onTargets.reduce((n, [, c]) => n + c, 0);
    t.is(after.cmd, before.cmd, `${attacker.name}: nothing added to ${CMD_STREAM}`);
    // Its own records (and the control's) may land; a reply never adds one. The server even drops a record
    // whose reply looks like another consumer's ack subject.
    const ownControl = attacker.control.startsWith('kubently.audit.') ? 1 : 0;
    t.true(
      after.audit - before.audit <= ownAuditRecords + ownControl,
      `${attacker.name}: only its own audit records in ${AUDIT_STREAM}`,
    );
    t.deepEqual(onTargets, [], `${attacker.name}: nothing on another account's subjects`);
    matrix[attacker.name] = { attempts, landed: landedHere + (after.cmd - before.cmd) };
    await nc.close();
  }
  t.log(`reply matrix (attempts per identity, landed): ${JSON.stringify(matrix)}`);

  // Detection works: inside one account (the single-account design this replaces), a JetStream answer steered
  // onto another cluster's heartbeat subject is delivered to its listener.
  landed.clear();
  await gateway.request(`$JS.API.STREAM.INFO.${CMD_STREAM}`, '', { timeout: 5_000 }).catch(() => undefined);
  gateway.publish(`$JS.API.STREAM.INFO.${CMD_STREAM}`, '', { reply: subjects.heartbeat('beta') });
  await gateway.request(`$JS.API.STREAM.INFO.${CMD_STREAM}`, '', { timeout: 5_000 });
  await gateway.flush();
  t.is(landed.get(subjects.heartbeat('beta')), 1, 'a same-account reply lands where it is steered');
  t.is(Object.keys(matrix).length, attackers.length);
});

test('reply isolation - a cluster’s JetStream answers reach its own inbox: the probe path works', async (t) => {
  const server = await startNats(t, { clusters: ['alpha'] });
  await provision(t, server, ['alpha']);
  const alpha = await connectAs(t, server, { agent: 'alpha' });
  const own = alpha.subscribe('_INBOX_agent_alpha.mine', { max: 1 });
  alpha.publish(api('INFO', CMD_STREAM, 'agent-alpha'), '', { reply: '_INBOX_agent_alpha.mine' });
  for await (const m of own) t.is(m.json<{ name: string }>().name, 'agent-alpha');
});
