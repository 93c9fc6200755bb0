// The simulated apiserver's live side: followed logs and watches hear of changes as they happen, resume from a
// resourceVersion, end with the pod or the client, and the open-stream count tells a client that went away.

import test from 'ava';
import { eventually } from '../harness/eventually.js';
import { startSim } from '../harness/sim.js';

const WEB = 'web-7c5ddbdf54-2xkqp';
const logPath = (query: string) => `/api/v1/namespaces/default/pods/${WEB}/log?${query}`;

/** Reads a streamed response as it arrives; `text` grows, `done` settles when the server ends it. */
function reader(res: Response) {
  const state = { text: '', ended: false };
  const decoder = new TextDecoder();
  const body = res.body!.getReader();
  const done = (async () => {
    for (;;) {
      const { value, done } = await body.read();
      if (done) break;
      state.text += decoder.decode(value, { stream: true });
    }
    state.ended = true;
  })().catch(() => {});
  return { state, done, cancel: () => body.cancel() };
}

test('sim live - follow=true sends the tail, then each appended line, and ends when the pod stops', async (t) => {
  const sim = await startSim(t);
  const res = await fetch(sim.url + logPath('follow=true&tailLines=1'));
  t.is(res.status, 200);
  const r = reader(res);
  await eventually(t, () => r.state.text.includes('GET /api/cart'), { message: 'the tail arrived' });
  await eventually(t, () => sim.openStreams === 1, { message: 'the follow is open' });
  sim.live.appendLog('default', WEB, 'nginx', 'line one');
  await eventually(t, () => r.state.text.endsWith('line one\n'), { message: 'the new line arrived' });
  sim.live.setPodPhase('default', WEB, 'Succeeded');
  await r.done;
  t.true(r.state.ended);
  t.is(r.state.text.split('\n').length, 3, 'tail line, new line, final newline');
  await eventually(t, () => sim.openStreams === 0, { message: 'the follow closed' });
});

test('sim live - a client that goes away closes its watch; limitBytes ends a follow', async (t) => {
  const sim = await startSim(t);
  const controller = new AbortController();
  const res = await fetch(`${sim.url}/api/v1/namespaces/default/pods?watch=true`, {
    signal: controller.signal,
  });
  const r = reader(res);
  await eventually(t, () => r.state.text.includes(`"name":"${WEB}"`), { message: 'ADDED events arrived' });
  t.is(sim.openStreams, 1);
  controller.abort();
  await eventually(t, () => sim.openStreams === 0, { message: 'the watch closed with its client' });

  const limited = await fetch(sim.url + logPath('follow=true&tailLines=0&limitBytes=10'));
  const l = reader(limited);
  await eventually(t, () => sim.openStreams === 1, { message: 'the follow is open' });
  sim.live.appendLog('default', WEB, 'nginx', 'abcdefghijklmnop');
  await l.done;
  t.is(l.state.text, 'abcdefghij');
});

test('sim live - a watch from a resourceVersion replays later changes, then streams live ones matching its selector', async (t) => {
  const sim = await startSim(t);
  const list = (await (await fetch(`${sim.url}/api/v1/namespaces/default/pods`)).json()) as {
    metadata: { resourceVersion: string };
  };
  sim.live.setPodPhase('default', WEB, 'Pending');
  const res = await fetch(
    `${sim.url}/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dweb&resourceVersion=${list.metadata.resourceVersion}`,
  );
  const r = reader(res);
  await eventually(t, () => r.state.text.split('\n').length === 2, {
    message: 'the replayed change arrived',
  });
  const first = JSON.parse(r.state.text.split('\n')[0]!) as {
    type: string;
    object: { status: { phase: string } };
  };
  t.is(first.type, 'MODIFIED');
  t.is(first.object.status.phase, 'Pending');
  sim.live.setPodPhase('kube-system', 'coredns-668d6bf9bc-5vq8n', 'Failed');
  sim.live.setPodPhase('default', 'api-6b8f9d5c7-h2lqs', 'Failed');
  sim.live.setPodPhase('default', WEB, 'Running');
  await eventually(t, () => r.state.text.split('\n').length === 3, { message: 'the live change arrived' });
  t.false(r.state.text.includes('coredns'), 'a pod of another namespace is not reported');
  t.false(r.state.text.includes('api-6b8f9d5c7-h2lqs'), 'a pod outside the selector is not reported');
});

test('sim live - a watch with a Table Accept sends one-row Tables', async (t) => {
  const sim = await startSim(t);
  const res = await fetch(
    `${sim.url}/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3D${WEB}&timeoutSeconds=1`,
    {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    },
  );
  const r = reader(res);
  await r.done;
  const event = JSON.parse(r.state.text.trim()) as {
    type: string;
    object: { kind: string; rows: unknown[] };
  };
  t.is(event.type, 'ADDED');
  t.is(event.object.kind, 'Table');
  t.is(event.object.rows.length, 1);
});
