import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/errors.ts';
import { piiConfigSchema } from '../../../src/pii/config.ts';
import { detokenizeRoute } from '../../../src/pii/detokenize.ts';
import { TOKEN_PATTERN } from '../../../src/pii/vault.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { piiStage } from '../../../src/stages/pii/index.ts';

const TOKEN_KEY = 'test-token-key-0123456789';

function makeCtx(args: unknown, result: unknown, extra: Partial<CallContext> = {}): CallContext {
  const ctx: CallContext = {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    arguments: args,
    facts: {},
    ...extra,
  };
  // The forward stage stand-in: the protocol layer's hook, answering with `result`.
  ctx.forward = async () => result;
  return ctx;
}

/** A pipeline of pii plus a minimal forward stage that records what went upstream. */
function pipelineWith(config: Record<string, unknown>) {
  const stage = piiStage({ config: piiConfigSchema.parse(config) });
  const sent: unknown[] = [];
  const pipeline = createPipeline([
    stage,
    {
      name: 'forward',
      async onRequest(ctx: CallContext) {
        sent.push(ctx.arguments);
        ctx.result = await ctx.forward!(ctx);
      },
    },
  ]);
  return { stage, pipeline, sent };
}

const mcpResult = (text: string) => ({ content: [{ type: 'text', text }], isError: false });

describe('pii stage', () => {
  it('redacts arguments before they go upstream and records counts, never values', async () => {
    const { pipeline, sent } = pipelineWith({});
    const args = { to: 'jane.doe@example.com', body: 'my ssn is 460-89-9847' };
    const ctx = makeCtx(args, mcpResult('ok'));
    await pipeline.run(ctx);
    expect(sent[0]).toEqual({ to: '[REDACTED:EMAIL_ADDRESS]', body: 'my ssn is [REDACTED:US_SSN]' });
    expect(args.to).toBe('jane.doe@example.com'); // the caller's object is not mutated
    expect(ctx.facts.pii).toEqual({ arguments: { EMAIL_ADDRESS: 1, US_SSN: 1 } });
    expect(JSON.stringify(ctx.facts)).not.toContain('460-89-9847');
  });

  it('leaves clean arguments and results as the very same objects (no copy)', async () => {
    const { pipeline, sent } = pipelineWith({});
    const args = { query: 'weather in Paris' };
    const result = mcpResult('Sunny, 21 degrees');
    const ctx = makeCtx(args, result);
    await pipeline.run(ctx);
    expect(sent[0]).toBe(args);
    expect(ctx.result).toBe(result);
    expect(ctx.facts.pii).toBeUndefined();
  });

  it('scrubs results: tool content, structuredContent, resource contents and prompt messages', async () => {
    const { pipeline } = pipelineWith({});
    const result = {
      content: [{ type: 'text', text: 'call (415) 555-0132' }],
      structuredContent: { ip: '10.1.2.3' },
      contents: [{ uri: 'file:///a', text: 'key AKIAIOSFODNN7EXAMPLE' }],
      messages: [{ role: 'user', content: { type: 'text', text: 'card 4111 1111 1111 1111' } }],
    };
    const ctx = makeCtx({}, result);
    await pipeline.run(ctx);
    expect(ctx.result).toEqual({
      content: [{ type: 'text', text: 'call [REDACTED:PHONE_NUMBER]' }],
      structuredContent: { ip: '[REDACTED:IP_ADDRESS]' },
      contents: [{ uri: 'file:///a', text: 'key [REDACTED:AWS_ACCESS_KEY]' }],
      messages: [{ role: 'user', content: { type: 'text', text: 'card [REDACTED:CREDIT_CARD]' } }],
    });
    expect(ctx.facts.pii).toEqual({ result: { PHONE_NUMBER: 1, IP_ADDRESS: 1, AWS_ACCESS_KEY: 1, CREDIT_CARD: 1 } });
  });

  it('mask keeps the last four characters', async () => {
    const { pipeline, sent } = pipelineWith({ actions: { CREDIT_CARD: 'mask' } });
    await pipeline.run(makeCtx({ card: '4111 1111 1111 1111' }, mcpResult('ok')));
    expect(sent[0]).toEqual({ card: '**** **** **** 1111' });
  });

  it('block refuses the call with WARDEN_PII_BLOCKED naming the type, not the value', async () => {
    const { pipeline, sent } = pipelineWith({ actions: { US_SSN: 'block' } });
    const ctx = makeCtx({ note: 'ssn 460-89-9847' }, mcpResult('ok'));
    const err = await pipeline.run(ctx).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WardenError);
    expect((err as WardenError).code).toBe('WARDEN_PII_BLOCKED');
    expect((err as WardenError).message).toContain('US_SSN');
    expect((err as WardenError).message).not.toContain('460-89-9847');
    expect(sent).toHaveLength(0);
  });

  it('policy obligations add types to redact and JSON pointers to blank out', async () => {
    const { pipeline, sent } = pipelineWith({ actions: { EMAIL_ADDRESS: 'allow' } });
    const ctx = makeCtx({ to: 'a@b.io', cc: 'c@d.io', memo: 'internal only' }, mcpResult('ok'), {
      obligations: { redact: ['EMAIL_ADDRESS', '/memo'] },
    });
    await pipeline.run(ctx);
    expect(sent[0]).toEqual({ to: '[REDACTED:EMAIL_ADDRESS]', cc: '[REDACTED:EMAIL_ADDRESS]', memo: '[REDACTED]' });
    // Without the obligation, allow leaves e-mail in place but still counts it.
    const plain = pipelineWith({ actions: { EMAIL_ADDRESS: 'allow' } });
    const ctx2 = makeCtx({ to: 'a@b.io' }, mcpResult('ok'));
    await plain.pipeline.run(ctx2);
    expect(plain.sent[0]).toEqual({ to: 'a@b.io' });
    expect(ctx2.facts.pii).toEqual({ arguments: { EMAIL_ADDRESS: 1 } });
  });

  it('tokenize is stable within a task, differs across tasks, and is reversible through the vault', async () => {
    const { stage, pipeline, sent } = pipelineWith({ defaultAction: 'tokenize', tokenKey: TOKEN_KEY });
    const task = (id: string) => ({ task: { id, tools: [], expiresAt: 0, boundTo: 'agent' } });
    await pipeline.run(makeCtx({ to: 'jane@example.com' }, mcpResult('ok'), task('t1')));
    await pipeline.run(makeCtx({ to: 'jane@example.com' }, mcpResult('ok'), task('t1')));
    await pipeline.run(makeCtx({ to: 'jane@example.com' }, mcpResult('ok'), task('t2')));
    const [a, b, c] = sent.map((s) => (s as { to: string }).to);
    expect(a).toMatch(TOKEN_PATTERN);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(stage.vault!.detokenize(a!)?.value).toBe('jane@example.com');
  });

  it('refuses arguments nested too deep to scan instead of forwarding them unscanned', async () => {
    const { pipeline, sent } = pipelineWith({});
    let deep: unknown = 'ssn 460-89-9847';
    for (let i = 0; i < 300; i++) deep = [deep];
    const err = await pipeline.run(makeCtx({ deep }, mcpResult('ok'))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as WardenError).code).toBe('WARDEN_BAD_REQUEST');
    expect(sent).toHaveLength(0);
  });

  it('config rejects tokenize without a tokenKey', () => {
    expect(() => piiConfigSchema.parse({ actions: { EMAIL_ADDRESS: 'tokenize' } })).toThrow(/tokenKey/);
  });

  it('disabled scrubbing passes everything through', async () => {
    const { pipeline, sent } = pipelineWith({ enabled: false });
    const args = { to: 'a@b.io' };
    await pipeline.run(makeCtx(args, mcpResult('ok')));
    expect(sent[0]).toBe(args);
  });
});

describe('detokenize route', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function serve(authorize: (req: import('node:http').IncomingMessage) => Promise<boolean>) {
    const stage = piiStage({ config: piiConfigSchema.parse({ defaultAction: 'tokenize', tokenKey: TOKEN_KEY }) });
    const token = stage.vault!.tokenize('460-89-9847', 'US_SSN', 'task-1');
    const route = detokenizeRoute({ vault: stage.vault!, authorize });
    server = createServer((req, res) => {
      if (req.method === route.method && req.url === route.path) void route.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${route.path}`;
    return { url, token };
  }

  it('returns values to an authorized caller', async () => {
    const { url, token } = await serve(async (req) => req.headers['x-agent'] === 'auditor');
    const res = await fetch(url, { method: 'POST', headers: { 'x-agent': 'auditor', 'content-type': 'application/json' }, body: JSON.stringify({ tokens: [token, '[TOKEN:US_SSN:unknownunknownunknown0]'] }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ values: { [token]: '460-89-9847', '[TOKEN:US_SSN:unknownunknownunknown0]': null } });
  });

  it('refuses an unauthorized caller, and fails closed when authorize throws', async () => {
    const { url, token } = await serve(async (req) => {
      if (req.headers['x-agent'] === 'boom') throw new Error('manifest store down');
      return false;
    });
    for (const agent of ['someone', 'boom']) {
      const res = await fetch(url, { method: 'POST', headers: { 'x-agent': agent }, body: JSON.stringify({ tokens: [token] }) });
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string } };
      expect(body.error.code).toBe('WARDEN_PII_DETOKENIZE_DENIED');
      expect(JSON.stringify(body)).not.toContain('460-89-9847');
    }
  });

  it('rejects a malformed body with a WARDEN code', async () => {
    const { url } = await serve(async () => true);
    const res = await fetch(url, { method: 'POST', body: '{"tokens": "nope"}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('WARDEN_BAD_REQUEST');
    const res2 = await fetch(url, { method: 'POST', body: 'not json' });
    expect(((await res2.json()) as { error: { code: string } }).error.code).toBe('WARDEN_PARSE_ERROR');
  });
});
