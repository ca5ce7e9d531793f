import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, digestJson } from '../../../src/audit/canonical.ts';
import { summarizePii } from '../../../src/audit/call-fields.ts';
import { agentFileStem } from '../../../src/audit/files.ts';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { AuditWriter } from '../../../src/audit/writer.ts';
import type { StageOutcome } from '../../../src/pipeline/decision.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { config, readLines, tempDir } from './helpers.ts';

// The call path hands a call over as flat slots (optional ones only when present, repeated strings
// as null, stages packed, some members pre-serialised); whatever the mix, each line must hold exactly
// the record the documented mapping gives.

const MAX_ARGS = 300;
const STAGES = ['identity', 'task-scope', 'policy', 'rate-limit', 'pii', 'audit', 'forward'] as const;
const ORDER = ['v', 'kind', 'seq', 'prev', 'time', 'id', 'agent', 'user', 'task', 'upstream', 'tool', 'method', 'argsDigest', 'argsDigestOf',
  'args', 'argsOmitted', 'decision', 'code', 'reason', 'stages', 'policy', 'limits', 'pii', 'latencyMs', 'outcome', 'hash'];

const stage = fc.record(
  {
    stage: fc.constantFrom(...STAGES),
    outcome: fc.constantFrom('pass', 'deny', 'error'),
    us: fc.oneof(fc.nat(1000), fc.constant(2 ** 26), fc.constant(1.5)),
    code: fc.constant('WARDEN_RATE_LIMITED'),
    reason: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: ['stage', 'outcome'] },
) as fc.Arbitrary<StageOutcome>;

const pii = fc.oneof(
  fc.record({ arguments: fc.record({ EMAIL_ADDRESS: fc.nat(3) }) }),
  fc.record({ arguments: fc.record({ US_SSN: fc.nat(3) }), result: fc.record({ counts: fc.record({ EMAIL_ADDRESS: fc.nat(3) }) }) }),
);

const call = fc.record({
  agent: fc.constantFrom('a', 'b'),
  time: fc.integer({ min: 0, max: 2 ** 42 }),
  latency: fc.nat(5000),
  allow: fc.boolean(),
  code: fc.option(fc.constantFrom('WARDEN_POLICY_DENIED', 'WARDEN_INTERNAL', 'WARDEN_UPSTREAM_TIMEOUT'), { nil: undefined }),
  reason: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  upstreamError: fc.boolean(),
  user: fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined }),
  task: fc.option(fc.constantFrom('t1', 't2'), { nil: undefined }),
  tool: fc.option(fc.record({ name: fc.constantFrom('fs__read', 'fs__write'), upstream: fc.constantFrom('fs', 'crm') }), { nil: undefined }),
  method: fc.constantFrom('tools/call', 'resources/read'),
  policyParam: fc.option(fc.constantFrom('sha256:p1', 'sha256:p2'), { nil: undefined }),
  policyFact: fc.option(fc.constantFrom('sha256:f1'), { nil: undefined }),
  args: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 40 }))), { nil: undefined }),
  original: fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 })), { nil: undefined }),
  given: fc.option(fc.constant('d'.repeat(64)), { nil: undefined }),
  limits: fc.option(
    fc.oneof(
      fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
      fc.constant(null),
      // The limiter's own facts (sent as five scalars), and near misses of that shape (sent whole).
      fc.record(
        { key: fc.constantFrom('a', 'b', 'agent:x'), scope: fc.constantFrom('agent', 'tool', 'quota'), remaining: fc.oneof(fc.nat(100), fc.double({ min: 0, max: 5, noNaN: true })), tier: fc.constantFrom('gold', 'free'), denied: fc.boolean() },
        { requiredKeys: ['key'] },
      ),
      fc.record({ key: fc.constantFrom('a', 'b'), scope: fc.constantFrom('agent', 'tool'), extra: fc.nat(3) }),
      fc.record({ key: fc.nat(3), remaining: fc.nat(9) }),
      fc.record({ key: fc.constant('a'), remaining: fc.constant(null) }),
    ),
    { nil: undefined },
  ),
  pii: fc.option(pii, { nil: undefined }),
  redact: fc.boolean(),
  stages: fc.array(stage, { maxLength: 6 }),
});
type Call = typeof call extends fc.Arbitrary<infer T> ? T : never;

function context(c: Call, id: string): CallContext {
  const facts: Record<string, unknown> = {};
  if (c.limits !== undefined) facts.limits = c.limits;
  if (c.pii !== undefined) facts.pii = c.pii;
  if (c.policyFact !== undefined) facts.policy = { version: c.policyFact };
  if (c.given !== undefined) facts.argumentsDigest = c.given;
  if (c.original !== undefined) facts.originalArguments = c.original;
  return {
    decision: { id, stages: c.stages, allow: c.allow, ...(c.allow ? {} : { code: c.code, reason: c.reason }) },
    request: { protocol: 'mcp', method: c.method, transport: 'streamable-http', ip: '127.0.0.1', time: c.time, headers: {} },
    agent: { id: c.agent, kind: 'dev' },
    ...(c.user !== undefined ? { user: { sub: c.user } } : {}),
    ...(c.task !== undefined ? { task: { id: c.task, tools: [], expiresAt: 0, boundTo: 'agent' } } : {}),
    ...(c.tool !== undefined ? { tool: { ...c.tool, upstreamName: 'x' } } : {}),
    arguments: c.args,
    ...(c.upstreamError ? { upstreamError: new Error('upstream failed') } : {}),
    ...(c.redact ? { obligations: { redact: ['/x'] } } : {}),
    facts,
  } as unknown as CallContext;
}

/** The record the docs describe for a call, as JSON.parse reads it back (seq, prev, hash aside). */
function expected(c: Call, id: string, agent: string): Record<string, unknown> {
  const r: Record<string, unknown> = { v: 2, kind: 'call', time: new Date(c.time).toISOString(), id, agent };
  if (c.user !== undefined) r.user = c.user;
  if (c.task !== undefined) r.task = c.task;
  if (c.tool !== undefined) Object.assign(r, { upstream: c.tool.upstream, tool: c.tool.name });
  r.method = c.method;
  if (c.args !== undefined) {
    const piiPassed = c.stages.some((s) => s.stage === 'pii' && s.outcome === 'pass');
    const changed = c.given === undefined && c.original === undefined && piiPassed && (c.pii?.arguments !== undefined || c.redact);
    r.argsDigest = c.given ?? (c.original !== undefined ? digestJson(c.original) : digestJson(c.args));
    r.argsDigestOf = changed ? 'after-pii' : 'original';
    const text = canonicalJson(c.args);
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_ARGS) r.argsOmitted = { bytes };
    else r.args = JSON.parse(text) as unknown;
  } else if (c.given !== undefined || c.original !== undefined) {
    r.argsDigest = c.given ?? digestJson(c.original);
    r.argsDigestOf = 'original';
  }
  r.decision = c.allow ? 'allow' : 'deny';
  if (!c.allow && c.code !== undefined) r.code = c.code;
  if (!c.allow && c.reason !== undefined) r.reason = c.reason;
  r.stages = JSON.parse(JSON.stringify(c.stages)) as unknown;
  const policy = c.policyParam ?? c.policyFact;
  if (policy !== undefined) r.policy = policy;
  if (c.limits !== undefined) r.limits = JSON.parse(JSON.stringify(c.limits)) as unknown;
  const counts = summarizePii(c.pii);
  if (counts !== undefined) r.pii = counts;
  r.latencyMs = c.latency;
  r.outcome = c.allow
    ? c.upstreamError ? 'upstream_error' : 'ok'
    : c.code === 'WARDEN_INTERNAL' ? 'error' : c.code?.startsWith('WARDEN_UPSTREAM_') ? 'upstream_error' : 'denied';
  return r;
}

describe('call records through the hand-over', () => {
  let writer: AuditWriter | undefined;
  afterAll(async () => writer?.close());

  it('each line holds the documented record, in the documented member order, whatever fields repeat or are absent', async () => {
    const dir = await tempDir();
    writer = new AuditWriter({ config: config(dir, { maxArgsBytes: MAX_ARGS, checkpointEvery: 1_000_000 }) });
    await writer.ready();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 25 }), async (calls) => {
        run++;
        const agentOf = (c: Call): string => `r${run}-${c.agent}`;
        // One batch (one message): the strings that repeat go as "same as before".
        calls.forEach((c, i) => writer!.appendCall(agentOf(c), context(c, `id-${i}`), c.time + c.latency, c.policyParam));
        await writer!.flush();
        const lines: Record<string, string[]> = {};
        for (const agent of new Set(calls.map(agentOf))) lines[agent] = await readLines(join(dir, `${agentFileStem(agent)}.jsonl`));
        const seen: Record<string, number> = {};
        calls.forEach((c, i) => {
          const agent = agentOf(c);
          const k = (seen[agent] = (seen[agent] ?? 0) + 1);
          const record = JSON.parse(lines[agent]![k - 1]!) as Record<string, unknown>;
          const { seq, prev, hash, ...rest } = record;
          expect(seq).toBe(k);
          expect(typeof prev === 'string' && typeof hash === 'string').toBe(true);
          expect(rest).toEqual(expected(c, `id-${i}`, agent));
          const keys = Object.keys(record);
          expect(keys).toEqual(ORDER.filter((key) => keys.includes(key)));
        });
      }),
      { numRuns: 40 },
    );
    const report = await verifyAuditPath(dir);
    expect(report.files.flatMap((f) => f.problems)).toEqual([]);
  });
});
