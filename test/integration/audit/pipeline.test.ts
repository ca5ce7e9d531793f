import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { digestJson } from '../../../src/audit/canonical.ts';
import { verifyAuditPath } from '../../../src/audit/verify.ts';
import { piiConfigSchema } from '../../../src/pii/config.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { auditStage } from '../../../src/stages/audit/index.ts';
import { piiStage } from '../../../src/stages/pii/index.ts';
import { auditFiles, config, readRecords, tempDir } from '../../unit/audit/helpers.ts';

function call(args: unknown): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    agent: { id: 'mailer', kind: 'dev' },
    tool: { name: 'mail__send', upstreamName: 'send', upstream: 'mail' },
    arguments: args,
    facts: {},
  };
}

describe('audit with the real pii stage', () => {
  it('never writes a scrubbed value to disk; records finding counts; digests the original when given', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    const pipeline = createPipeline([
      piiStage({ config: piiConfigSchema.parse({}) }),
      audit,
      { name: 'forward', onRequest: (ctx) => void (ctx.result = { content: [{ type: 'text', text: 'sent' }] }) },
    ]);
    const original = { to: 'alice@example.com', note: 'ssn 123-45-6789' };
    const ctx = call(original);
    // What a protocol layer does to pin the caller's original arguments before pii rewrites them.
    ctx.facts.argumentsDigest = digestJson(original);
    await pipeline.run(ctx);
    await pipeline.run(call({ subject: 'lunch?' }));
    await audit.close();

    const [file] = await auditFiles(dir);
    const text = await readFile(file!, 'utf8');
    expect(text).not.toContain('alice@example.com');
    expect(text).not.toContain('123-45-6789');
    const [scrubbed, clean] = (await readRecords(dir)).filter((r) => r.kind === 'call');
    expect(scrubbed).toMatchObject({ pii: { EMAIL_ADDRESS: 1, US_SSN: 1 }, argsDigest: digestJson(original), argsDigestOf: 'original' });
    expect(JSON.stringify(scrubbed!.args)).toMatch(/REDACTED:EMAIL_ADDRESS/);
    expect(clean).toMatchObject({ argsDigest: digestJson({ subject: 'lunch?' }), argsDigestOf: 'original' });
    expect(clean!.pii).toBeUndefined();
    expect((await verifyAuditPath(dir)).ok).toBe(true);
  });

  it('digests the original arguments the protocol layer kept a reference to, off the call path', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    const pipeline = createPipeline([piiStage({ config: piiConfigSchema.parse({}) }), audit, { name: 'forward', onRequest: () => undefined }]);
    const original = { to: 'carol@example.com' };
    const ctx = call(original);
    ctx.facts.originalArguments = original;
    await pipeline.run(ctx);
    await audit.close();
    const [file] = await auditFiles(dir);
    expect(await readFile(file!, 'utf8')).not.toContain('carol@example.com');
    const [rec] = await readRecords(dir);
    expect(rec).toMatchObject({ argsDigest: digestJson({ to: 'carol@example.com' }), argsDigestOf: 'original' });
  });

  it('marks the digest as after-pii when pii rewrote the arguments and no original digest was given', async () => {
    const dir = await tempDir();
    const audit = auditStage({ config: config(dir) });
    const pipeline = createPipeline([piiStage({ config: piiConfigSchema.parse({}) }), audit, { name: 'forward', onRequest: () => undefined }]);
    await pipeline.run(call({ to: 'bob@example.com' }));
    await audit.close();
    const [rec] = await readRecords(dir);
    expect(rec!.argsDigestOf).toBe('after-pii');
    expect(rec!.argsDigest).not.toBe(digestJson({ to: 'bob@example.com' }));
  });
});
