// Redis beyond one node on loopback, for fault tests: a primary with a replica watched by three sentinels, and
// a three-node Redis Cluster. Every process is the stock redis-server binary (`--sentinel` runs it as one).

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import { eventually, scaled } from './eventually.js';
import { type SpawnedRedis, spawnRedisServer } from './redis-server.js';

const run = promisify(execFile);

export interface SentinelSet {
  primary: SpawnedRedis;
  replica: SpawnedRedis;
  sentinels: SpawnedRedis[];
  /** The monitored primary's name (REDIS_SENTINEL_NAME). */
  name: string;
  /** The sentinels as REDIS_SENTINELS nodes. */
  nodes: { host: string; port: number }[];
}

/** Sentinel's own timers: the primary is down after this much silence, and a failover may take this long. */
export const SENTINEL_DOWN_AFTER_MS = 1_000;
const FAILOVER_TIMEOUT_MS = 5_000;

async function tempDir(t: ExecutionContext, name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kubently-${name}-`));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A primary, its replica (already in sync) and three sentinels with quorum 2, all stopped at teardown. The
 * sentinels have found each other and the replica before this returns, so a failover can start at once.
 */
export async function startSentinelSet(t: ExecutionContext, name = 'kubently'): Promise<SentinelSet> {
  const dir = await tempDir(t, 'sentinel');
  // A replica's full sync goes through an RDB file in its working directory: the temporary one, not the cwd.
  const primary = await spawnRedisServer('redis-server', ['--dir', dir]);
  t.teardown(() => primary.stop(true));
  const replica = await spawnRedisServer('redis-server', [
    '--dir',
    dir,
    '--replicaof',
    '127.0.0.1',
    String(primary.port),
  ]);
  t.teardown(() => replica.stop(true));
  const sentinels: SpawnedRedis[] = [];
  for (let i = 0; i < 3; i++) {
    const file = join(dir, `sentinel-${i}.conf`);
    await writeFile(
      file,
      [
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} ${SENTINEL_DOWN_AFTER_MS}`,
        `sentinel failover-timeout ${name} ${FAILOVER_TIMEOUT_MS}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    const s = await spawnRedisServer('redis-server', ['--sentinel'], {
      configFile: file,
      readyLine: '+monitor',
    });
    t.teardown(() => s.stop(true));
    sentinels.push(s);
  }
  const set: SentinelSet = {
    primary,
    replica,
    sentinels,
    name,
    nodes: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
  };
  const probe = new Redis(sentinels[0]!.port, '127.0.0.1', { lazyConnect: true });
  probe.on('error', () => {});
  await probe.connect();
  try {
    await eventually(
      t,
      async () => {
        const master = (await probe.call('SENTINEL', 'MASTER', name)) as string[];
        const info = Object.fromEntries(
          Array.from({ length: master.length / 2 }, (_, i) => [master[2 * i], master[2 * i + 1]]),
        );
        return Number(info['num-other-sentinels']) === 2 && Number(info['num-slaves']) === 1;
      },
      { message: 'the sentinels know each other and the replica', timeoutMs: scaled(20_000) },
    );
  } finally {
    probe.disconnect();
  }
  return set;
}

/** Three primaries on loopback joined into one Redis Cluster (`redis-cli --cluster create`), slots all served. */
export async function startRedisCluster(t: ExecutionContext): Promise<{ host: string; port: number }[]> {
  const dir = await tempDir(t, 'redis-cluster');
  const nodes: SpawnedRedis[] = [];
  for (let i = 0; i < 3; i++) {
    const node = await spawnRedisServer('redis-server', [
      '--dir',
      dir,
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(dir, `nodes-${i}.conf`),
      '--cluster-node-timeout',
      '2000',
    ]);
    t.teardown(() => node.stop(true));
    nodes.push(node);
  }
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
  // Every node must see every slot served: a client's first ready check may ask any of them.
  for (const node of nodes) {
    const probe = new Redis(node.port, '127.0.0.1', { lazyConnect: true });
    probe.on('error', () => {});
    await probe.connect();
    try {
      await eventually(
        t,
        async () => String(await probe.call('CLUSTER', 'INFO')).includes('cluster_state:ok'),
        { message: `node ${node.port} sees the cluster serve every slot`, timeoutMs: scaled(20_000) },
      );
    } finally {
      probe.disconnect();
    }
  }
  return nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
}
