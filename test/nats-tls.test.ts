// TLS for client connections: a throw-away CA and certificates made with openssl at run time.

import { connect as netConnect } from 'node:net';
import test from 'ava';
import { connectAs, startNats } from '../harness/nats-server.js';
import { makePki } from '../harness/pki.js';

/** Speaks plaintext NATS protocol to the port; resolves with what the server answered and who hung up. */
function plaintextSession(port: number): Promise<{ received: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    let received = '';
    let sent = false;
    let closedByServer = true;
    socket.on('data', (d) => {
      received += d.toString();
      if (!sent && received.includes('\r\n')) {
        sent = true;
        socket.write('CONNECT {"verbose":false,"user":"gateway","pass":"x"}\r\nPING\r\n');
      }
    });
    socket.on('close', () => resolve({ received, closedByServer }));
    socket.on('error', reject);
    setTimeout(() => {
      closedByServer = false;
      socket.destroy();
    }, 3_000);
  });
}

test('nats tls - clients connect over TLS verified by the CA and plaintext is refused', async (t) => {
  const pki = await makePki(t);
  const serverLog: string[] = [];
  const server = await startNats(t, {
    clusters: ['alpha'],
    tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile },
    log: (line) => serverLog.push(line),
  });
  t.true(server.url.startsWith('tls://'));
  const agent = await connectAs(t, server, { agent: 'alpha' }, { tls: { caFile: pki.caFile } });
  await t.notThrowsAsync(agent.flush());

  // The server announces TLS, takes the plaintext CONNECT for a broken handshake and hangs up: no PONG.
  const session = await plaintextSession(server.port);
  t.regex(session.received, /"tls_required":true/);
  t.notRegex(session.received, /PONG|\+OK/);
  t.true(session.closedByServer);
  t.true(
    serverLog.some((line) => /TLS handshake error/.test(line)),
    serverLog.join('\n'),
  );
});

test('nats tls - with client verification an agent without a client certificate is refused', async (t) => {
  const pki = await makePki(t);
  const serverLog: string[] = [];
  const server = await startNats(t, {
    clusters: ['alpha'],
    tls: { certFile: pki.serverCert, keyFile: pki.serverKey, caFile: pki.caFile, verifyClients: true },
    log: (line) => serverLog.push(line),
  });
  await t.throwsAsync(
    connectAs(t, server, { agent: 'alpha' }, { tls: { caFile: pki.caFile }, timeout: 2_000 }),
  );
  t.true(
    serverLog.some((line) => line.includes("TLS handshake error: tls: client didn't provide a certificate")),
    serverLog.join('\n'),
  );
  const agent = await connectAs(
    t,
    server,
    { agent: 'alpha' },
    {
      tls: { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey },
    },
  );
  await t.notThrowsAsync(agent.flush());
});
