import { describe, expect, it } from 'vitest';
import { CallHistory } from '../../../src/policy/history.ts';

describe('call history', () => {
  it('counts calls per tool and per task for each agent separately', () => {
    const h = new CallHistory({ windowS: 60 });
    h.record('a', 'echo', 't1', 1000);
    h.record('a', 'echo', undefined, 1001);
    h.record('a', 'search', 't1', 1002);
    h.record('b', 'echo', undefined, 1003);
    expect(h.snapshot('a', 1004)).toMatchObject({ window_s: 60, total: 3, tools: { echo: 2, search: 1 }, tasks: { t1: 2 } });
    expect(h.snapshot('b', 1004)).toMatchObject({ total: 1, tools: { echo: 1 }, tasks: {} });
    expect(h.snapshot('nobody', 1004)).toMatchObject({ total: 0, tools: {} });
  });

  it('starts a new window once the old one has passed', () => {
    const h = new CallHistory({ windowS: 60 });
    h.record('a', 'echo', undefined, 0);
    expect(h.snapshot('a', 59_999).total).toBe(1);
    expect(h.snapshot('a', 60_000).total).toBe(0);
    h.record('a', 'echo', undefined, 60_001);
    expect(h.snapshot('a', 60_002)).toMatchObject({ total: 1, started_at: 60_001 });
  });

  it('stays bounded by forgetting the oldest agent', () => {
    const h = new CallHistory({ windowS: 60, maxAgents: 2 });
    h.record('a', 'x', undefined, 0);
    h.record('b', 'x', undefined, 0);
    h.record('c', 'x', undefined, 0);
    expect(h.snapshot('a', 1).total).toBe(0);
    expect(h.snapshot('c', 1).total).toBe(1);
  });
});
