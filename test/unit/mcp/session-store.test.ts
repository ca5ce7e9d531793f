import { describe, expect, it } from 'vitest';
import { MemorySessionStore, type SessionRecord } from '../../../src/protocol/mcp/session-store.ts';

const record: SessionRecord = {
  id: 's1',
  ownerAgentId: 'agent-a',
  protocolVersion: '2025-11-25',
  clientCapabilities: { sampling: {} },
  route: null,
  upstreams: { fx: { sessionId: 'up-1', protocolVersion: '2025-06-18' } },
  createdAt: 1,
};

describe('MemorySessionStore', () => {
  it('stores, returns and deletes session records', async () => {
    const store = new MemorySessionStore();
    await store.put(record, 60);
    expect(await store.get('s1')).toEqual(record);
    await store.delete('s1');
    expect(await store.get('s1')).toBeUndefined();
  });

  it('hands out copies, so callers cannot change what is stored', async () => {
    const store = new MemorySessionStore();
    await store.put(record, 60);
    const copy = (await store.get('s1'))!;
    copy.ownerAgentId = 'mallory';
    expect((await store.get('s1'))!.ownerAgentId).toBe('agent-a');
  });

  it('forgets records whose idle lifetime ran out', async () => {
    const store = new MemorySessionStore();
    await store.put(record, 0);
    expect(await store.get('s1')).toBeUndefined();
  });
});
