// A throw-away CA with a server certificate (127.0.0.1, localhost) and a client certificate, made with openssl
// at run time; removed at teardown.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';

const run = promisify(execFile);

export interface Pki {
  caFile: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export async function makePki(t: ExecutionContext): Promise<Pki> {
  const dir = await mkdtemp(join(tmpdir(), 'kubently-pki-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const p = (name: string) => join(dir, name);
  const key = (name: string) =>
    run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', p(name)]);
  await Promise.all([key('ca.key'), key('server.key'), key('client.key')]);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    p('ca.key'),
    '-subj',
    '/CN=kubently-test-ca',
    '-days',
    '1',
    '-out',
    p('ca.pem'),
  ]);
  await writeFile(
    p('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await writeFile(p('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await run('openssl', [
      'req',
      '-new',
      '-key',
      p(`${who}.key`),
      '-subj',
      `/CN=kubently-${who}`,
      '-out',
      p(`${who}.csr`),
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      p(`${who}.csr`),
      '-CA',
      p('ca.pem'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      p(`${who}.ext`),
      '-out',
      p(`${who}.pem`),
    ]);
  }
  return {
    caFile: p('ca.pem'),
    serverCert: p('server.pem'),
    serverKey: p('server.key'),
    clientCert: p('client.pem'),
    clientKey: p('client.key'),
  };
}
