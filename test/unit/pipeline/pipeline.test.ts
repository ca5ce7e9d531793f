import { describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext, Stage, StageName } from '../../../src/pipeline/types.ts';

function ctx(): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    facts: {},
  };
}

function tracer(log: string[], name: StageName, extra: Partial<Stage> = {}): Stage {
  return {
    name,
    onRequest: () => void log.push(`req:${name}`),
    onSettled: () => void log.push(`settled:${name}`),
    ...extra,
  };
}

describe('pipeline', () => {
  it('runs request stages in the declared order whatever order they are given in, then responses in reverse', async () => {
    const log: string[] = [];
    const stages = [
      tracer(log, 'forward', { onRequest: async (c) => void (log.push('req:forward'), (c.result = { ok: true })) }),
      tracer(log, 'audit', { onResponse: () => void log.push('res:audit') }),
      tracer(log, 'identity'),
      tracer(log, 'pii', { onResponse: () => void log.push('res:pii') }),
      tracer(log, 'policy'),
    ];
    const c = ctx();
    await createPipeline(stages).run(c);
    expect(log).toEqual([
      'req:identity', 'req:policy', 'req:pii', 'req:audit', 'req:forward',
      'res:pii', 'res:audit',
      'settled:forward', 'settled:audit', 'settled:pii', 'settled:policy', 'settled:identity',
    ]);
    expect(c.decision.allow).toBe(true);
    expect(c.decision.stages.map((s) => s.stage)).toEqual(['identity', 'policy', 'pii', 'audit', 'forward', 'pii', 'audit']);
  });

  it('stops at a denial, records it in the decision, still settles every stage, and rethrows', async () => {
    const log: string[] = [];
    const deny = new WardenError('WARDEN_POLICY_DENIED', 'tool delete_all is destructive');
    const stages = [
      tracer(log, 'identity'),
      tracer(log, 'policy', { onRequest: () => { throw deny; } }),
      tracer(log, 'forward'),
    ];
    const c = ctx();
    await expect(createPipeline(stages).run(c)).rejects.toBe(deny);
    expect(log).toEqual(['req:identity', 'settled:forward', 'settled:policy', 'settled:identity']);
    expect(c.decision).toMatchObject({ allow: false, code: 'WARDEN_POLICY_DENIED', reason: 'tool delete_all is destructive' });
    expect(c.decision.stages.at(-1)).toMatchObject({ stage: 'policy', outcome: 'deny' });
  });

  it('turns an unexpected throw into WARDEN_INTERNAL (fail closed)', async () => {
    const c = ctx();
    await expect(createPipeline([{ name: 'policy', onRequest: () => { throw new TypeError('x is undefined'); } }]).run(c)).rejects.toMatchObject({ code: 'WARDEN_INTERNAL' });
    expect(c.decision.allow).toBe(false);
  });

  it('rejects a stage given twice', () => {
    expect(() => createPipeline([{ name: 'pii' }, { name: 'pii' }])).toThrow(/twice/);
  });
});
