import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../../src/protocol/mcp/redis-session-store.ts';
import type { SessionRecord } from '../../../src/protocol/mcp/session-store.ts';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis.ts';

const record = (id: string): SessionRecord => ({
  id,
  ownerAgentId: 'agent-a',
  protocolVersion: '2025-06-18',
  clientCapabilities: { roots: { listChanged: true } },
  clientInfo: { name: 'test-client', version: '1.0.0' },
  route: null,
  upstreams: { everything: { sessionId: 'up-1', protocolVersion: '2025-06-18' } },
  createdAt: Date.now(),
});

describe.skipIf(!redisAvailable())('RedisSessionStore', () => {
  let server: RedisServer;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    server = await startRedis();
    a = new Redis(server.url);
    b = new Redis(server.url);
  });
  afterAll(async () => {
    a?.disconnect();
    b?.disconnect();
    await server?.stop();
  });

  it('a session written by one replica is read, touched and deleted by another', async () => {
    const replicaA = new RedisSessionStore(a);
    const replicaB = new RedisSessionStore(b);
    const r = record('s-1');
    await replicaA.put(r, 60);
    expect(await replicaB.get('s-1')).toEqual(r);
    expect(await replicaB.get('s-2')).toBeUndefined();
    await replicaB.delete('s-1');
    expect(await replicaA.get('s-1')).toBeUndefined();
  });

  it('expires idle sessions after their TTL, and touch extends it', async () => {
    const store = new RedisSessionStore(a, { keyPrefix: 'ttl-test:' });
    await store.put(record('short'), 0.3);
    await store.put(record('kept'), 0.3);
    await store.touch('kept', 60);
    await new Promise((r) => setTimeout(r, 600));
    expect(await store.get('short')).toBeUndefined();
    expect((await store.get('kept'))?.id).toBe('kept');
  });

  it('treats a corrupt record as no session', async () => {
    await a.set('warden:session:broken', '{not json');
    expect(await new RedisSessionStore(b).get('broken')).toBeUndefined();
  });
});
