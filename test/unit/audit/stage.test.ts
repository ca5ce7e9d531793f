import { describe, expect, it } from 'vitest';
import { canonicalJson, digestJson } from '../../../src/audit/canonical.ts';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { WardenError } from '../../../src/errors.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext, Stage } from '../../../src/pipeline/types.ts';
import { auditStage, summarizePii } from '../../../src/stages/audit/index.ts';
import { auditFiles, config, readLines, readRecords, tempDir } from './helpers.ts';

function call(args: unknown, agent = 'billing-bot'): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now() - 5, headers: {} },
    agent: { id: agent, kind: 'dev' },
    user: { sub: 'alice@example.com' },
    task: { id: 'task-42', tools: [], expiresAt: 0, boundTo: agent },
    tool: { name: 'crm__lookup', upstreamName: 'lookup', upstream: 'crm' },
    arguments: args,
    facts: {},
  };
}

// The other stages are owned elsewhere; these stand-ins do only what the audit record reads.
const policy = (deny: boolean): Stage => ({
  name: 'policy',
  onRequest: (ctx) => {
    ctx.facts.policy = { version: 'sha256:policy-v1' };
    if (deny) throw new WardenError('WARDEN_POLICY_DENIED', 'crm writes need approval');
  },
});
const limits: Stage = { name: 'rate-limit', onRequest: (ctx) => void (ctx.facts.limits = { perAgent: { remaining: 9 } }) };
const pii: Stage = {
  name: 'pii',
  onRequest: (ctx) => {
    ctx.arguments = { email: '<EMAIL_ADDRESS>', q: 'balance' };
    ctx.facts.pii = { arguments: { findings: [{ type: 'EMAIL_ADDRESS', count: 1 }] } };
  },
};
const forward = (fail?: WardenError): Stage => ({
  name: 'forward',
  onRequest: async (ctx) => {
    if (fail) throw fail;
    ctx.result = { content: [{ type: 'text', text: 'ok' }] };
  },
});

describe('audit stage', () => {
  it('writes one record per call with the decision, scrubbed arguments and facts; denied calls too', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    const allowed = createPipeline([policy(false), limits, pii, audit, forward()]);
    const denied = createPipeline([policy(true), limits, pii, audit, forward()]);
    const original = { email: 'alice@example.com', q: 'balance' };
    const ok = call(original);
    await allowed.run(ok);
    const no = call({ email: 'bob@example.com', q: 'delete' });
    await expect(denied.run(no)).rejects.toThrow('crm writes need approval');
    await audit.close();

    const [a, d] = (await readRecords(dir)).filter((r) => r.kind === 'call');
    expect(a).toMatchObject({
      id: ok.decision.id, agent: 'billing-bot', user: 'alice@example.com', task: 'task-42', upstream: 'crm', tool: 'crm__lookup',
      method: 'tools/call', decision: 'allow', outcome: 'ok', policy: 'sha256:policy-v1', limits: { perAgent: { remaining: 9 } },
      pii: { EMAIL_ADDRESS: 1 }, args: { email: '<EMAIL_ADDRESS>', q: 'balance' }, argsDigestOf: 'after-pii',
    });
    expect((a!.args as Record<string, unknown>).email).toBe('<EMAIL_ADDRESS>');
    expect(a!.latencyMs).toBeGreaterThanOrEqual(5);
    expect((a!.stages as { stage: string }[]).map((s) => s.stage)).toEqual(['policy', 'rate-limit', 'pii', 'audit', 'forward']);

    expect(d).toMatchObject({
      id: no.decision.id, decision: 'deny', outcome: 'denied', code: 'WARDEN_POLICY_DENIED', reason: 'crm writes need approval',
      argsDigest: digestJson({ q: 'delete', email: 'bob@example.com' }), argsDigestOf: 'original',
    });
    expect(d!.stages).toEqual([{ stage: 'policy', outcome: 'deny', code: 'WARDEN_POLICY_DENIED', reason: 'crm writes need approval' }]);
    expect(a!.stages).toEqual(ok.decision.stages);
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('marks the digest as original when pii ran but found nothing', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    const cleanPii: Stage = { name: 'pii', onRequest: () => undefined };
    await createPipeline([cleanPii, audit, forward()]).run(call({ q: 'weather' }));
    await audit.close();
    const [rec] = await readRecords(dir);
    expect(rec).toMatchObject({ argsDigest: digestJson({ q: 'weather' }), argsDigestOf: 'original' });
  });

  it('uses the original-arguments digest when the protocol layer provides one', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir), policyVersion: () => 'bundle-7' });
    const ctx = call({ email: 'alice@example.com' });
    ctx.facts.argumentsDigest = digestJson(ctx.arguments);
    await createPipeline([pii, audit, forward()]).run(ctx);
    await audit.close();
    const [rec] = await readRecords(dir);
    expect(rec).toMatchObject({ argsDigest: digestJson({ email: 'alice@example.com' }), argsDigestOf: 'original', policy: 'bundle-7' });
  });

  it('records upstream failures and internal errors with their outcome', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    await expect(createPipeline([audit, forward(new WardenError('WARDEN_UPSTREAM_TIMEOUT', 'crm took 30s'))]).run(call({}))).rejects.toThrow();
    await expect(createPipeline([audit, forward(new Error('boom') as WardenError)]).run(call({}))).rejects.toThrow();
    const answeredWithError = call({});
    await createPipeline([audit, { name: 'forward', onRequest: (c) => void (c.upstreamError = { code: -32000, message: 'nope' }) }]).run(answeredWithError);
    await audit.close();
    const outcomes = (await readRecords(dir)).filter((r) => r.kind === 'call').map((r) => [r.outcome, r.code]);
    expect(outcomes).toEqual([['upstream_error', 'WARDEN_UPSTREAM_TIMEOUT'], ['error', 'WARDEN_INTERNAL'], ['upstream_error', undefined]]);
  });

  it('refuses calls it cannot audit (fail closed) with WARDEN_AUDIT_UNAVAILABLE', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    await audit.close();
    const err = await createPipeline([audit, forward()]).run(call({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WardenError);
    expect((err as WardenError).code).toBe('WARDEN_AUDIT_UNAVAILABLE');
  });

  it('leaves oversized arguments out of the record but keeps their digest', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir, { maxArgsBytes: 100 }) });
    const big = { blob: 'x'.repeat(500) };
    await createPipeline([audit, forward()]).run(call(big));
    await audit.close();
    const [rec] = await readRecords(dir);
    expect(rec!.args).toBeUndefined();
    expect(rec).toMatchObject({ argsOmitted: { bytes: 511 }, argsDigest: digestJson(big) });
  });

  it('writes the arguments as the canonical JSON their digest covers, whatever text they hold', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    // Values that look like record syntax must stay inside their strings.
    const args = { z: [1, { y: 'a"b\\', x: null }], a: '","args":"warden-raw-args-x"', m: 'é\u2028' };
    await createPipeline([audit, forward()]).run(call(args));
    await audit.close();
    const [file] = await auditFiles(dir);
    const line = (await readLines(file!))[0]!;
    const rec = JSON.parse(line) as Record<string, unknown>;
    expect(rec.args).toEqual(args);
    expect(line).toContain(`"args":${canonicalJson(args)},"decision"`);
    expect(rec).toMatchObject({ argsDigest: digestJson(args), argsDigestOf: 'original' });
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('passes every call and writes nothing when disabled', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir, { enabled: false }) });
    await createPipeline([audit, forward()]).run(call({}));
    await audit.close();
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual([]);
  });

  it('summarises PII findings as counts by type, never values', () => {
    expect(summarizePii({ arguments: { findings: [{ type: 'US_SSN', value: '123-45-6789' }, { type: 'US_SSN' }] }, result: { counts: { EMAIL_ADDRESS: 2 } } }))
      .toEqual({ US_SSN: 2, EMAIL_ADDRESS: 2 });
    expect(summarizePii({ EMAIL_ADDRESS: 1, scannedBytes: 4096 })).toEqual({ EMAIL_ADDRESS: 1 });
    expect(summarizePii(undefined)).toBeUndefined();
  });
});
