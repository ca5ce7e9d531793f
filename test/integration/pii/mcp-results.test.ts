/**
 * The pii stage on real MCP traffic: an MCP SDK server and client joined by the
 * SDK's in-memory transport. Arguments are scrubbed before the server sees
 * them; tool results, resource contents and prompt messages on the way back.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { piiConfigSchema } from '../../../src/pii/config.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { piiStage } from '../../../src/stages/pii/index.ts';

const CUSTOMER = { name: 'Ada Example', email: 'ada@example.com', phone: '(415) 555-0132', card: '4111 1111 1111 1111' };

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

async function connect(seen: unknown[]): Promise<Client> {
  const server = new McpServer({ name: 'crm', version: '1.0.0' });
  server.registerTool(
    'get_customer',
    { description: 'customer record', inputSchema: { query: z.string() }, outputSchema: { name: z.string(), email: z.string(), phone: z.string(), card: z.string() } },
    async (args) => {
      seen.push(args);
      return { content: [{ type: 'text', text: JSON.stringify(CUSTOMER) }], structuredContent: CUSTOMER };
    },
  );
  server.registerResource('profile', 'crm://profile', { mimeType: 'text/plain' }, async (uri) => ({
    contents: [{ uri: uri.href, text: `contact: ${CUSTOMER.email}, from 203.0.113.7` }],
  }));
  server.registerPrompt('followup', { argsSchema: { who: z.string() } }, async ({ who }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Write to ${who}, SSN on file 460-89-9847` } }],
  }));
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const c = new Client({ name: 'agent', version: '1.0.0' });
  await c.connect(b);
  return c;
}

function ctxFor(method: string, args: unknown, forward: (ctx: CallContext) => Promise<unknown>): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method, transport: 'stdio', ip: '127.0.0.1', time: Date.now(), headers: {} },
    arguments: args,
    facts: {},
    forward,
  };
}

const forwardStage = { name: 'forward' as const, async onRequest(ctx: CallContext) { ctx.result = await ctx.forward!(ctx); } };

describe('pii stage on MCP SDK traffic', () => {
  it('tools/call: scrubs arguments before the server and both content and structuredContent after', async () => {
    const seen: unknown[] = [];
    client = await connect(seen);
    const pipeline = createPipeline([piiStage({ config: piiConfigSchema.parse({ actions: { CREDIT_CARD: 'mask' } }) }), forwardStage]);
    const ctx = ctxFor('tools/call', { query: 'customer with email ada@example.com' }, (c) =>
      client!.callTool({ name: 'get_customer', arguments: c.arguments as Record<string, unknown> }),
    );
    await pipeline.run(ctx);
    expect(seen).toEqual([{ query: 'customer with email [REDACTED:EMAIL_ADDRESS]' }]);
    const result = ctx.result as { content: { text: string }[]; structuredContent: Record<string, string> };
    expect(result.structuredContent).toEqual({ name: 'Ada Example', email: '[REDACTED:EMAIL_ADDRESS]', phone: '[REDACTED:PHONE_NUMBER]', card: '**** **** **** 1111' });
    expect(result.content[0]!.text).not.toContain('ada@example.com');
    expect(result.content[0]!.text).not.toContain('555-0132');
    expect(result.content[0]!.text).toContain('**** **** **** 1111');
    expect(ctx.facts.pii).toEqual({ arguments: { EMAIL_ADDRESS: 1 }, result: { EMAIL_ADDRESS: 2, PHONE_NUMBER: 2, CREDIT_CARD: 2 } });
  });

  it('resources/read and prompts/get results are scrubbed too', async () => {
    client = await connect([]);
    const pipeline = createPipeline([piiStage({ config: piiConfigSchema.parse({}) }), forwardStage]);
    const read = ctxFor('resources/read', { uri: 'crm://profile' }, () => client!.readResource({ uri: 'crm://profile' }));
    await pipeline.run(read);
    expect((read.result as { contents: { text: string }[] }).contents[0]!.text).toBe('contact: [REDACTED:EMAIL_ADDRESS], from [REDACTED:IP_ADDRESS]');
    const prompt = ctxFor('prompts/get', { name: 'followup', arguments: { who: 'Ada' } }, () => client!.getPrompt({ name: 'followup', arguments: { who: 'Ada' } }));
    await pipeline.run(prompt);
    expect((prompt.result as { messages: { content: { text: string } }[] }).messages[0]!.content.text).toBe('Write to Ada, SSN on file [REDACTED:US_SSN]');
  });
});
