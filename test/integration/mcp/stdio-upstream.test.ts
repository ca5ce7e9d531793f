import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, fixtureUpstream, startGateway, textOf, type Running } from './harness.ts';

describe('warden in front of one stdio MCP server', () => {
  let gw: Running;
  beforeAll(async () => {
    gw = await startGateway({ upstreams: [fixtureUpstream('fx')] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('lists and calls tools under their plain names, preserving unknown fields', async () => {
    const { client } = await connectClient(gw.url);
    expect(client.getServerVersion()?.name).toBe('fixture-fx');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['echo', 'wipe', 'slow', 'sample', 'ask']));
    expect(tools.find((t) => t.name === 'wipe')?.annotations?.destructiveHint).toBe(true);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('fx:hi');
    const leaked = await client.callTool({ name: 'leak', arguments: {} });
    expect(leaked._meta).toEqual({ 'example.com/custom': 'kept' });
    await client.close();
  });

  it('forwards resources, templates, prompts and completion', async () => {
    const { client } = await connectClient(gw.url);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('fixture://fx/hello');
    const read = await client.readResource({ uri: 'fixture://fx/hello' });
    expect(read.contents[0]).toMatchObject({ text: 'hello from fx' });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates[0]?.uriTemplate).toBe('fixture://fx/items/{id}');
    const item = await client.readResource({ uri: 'fixture://fx/items/7' });
    expect(item.contents[0]).toMatchObject({ text: 'item 7 of fx' });
    const prompt = await client.getPrompt({ name: 'greet', arguments: { who: 'bob' } });
    expect(prompt.messages[0]?.content).toMatchObject({ text: 'fx greets bob' });
    const completion = await client.complete({ ref: { type: 'ref/resource', uri: 'fixture://fx/items/{id}' }, argument: { name: 'id', value: '1' } });
    expect(completion.completion.values).toEqual(['1', '10']);
    await client.ping();
    await client.setLoggingLevel('warning');
    await client.close();
  });

  it('routes sampling, elicitation and roots requests back to the calling client', async () => {
    const { client } = await connectClient(gw.url, { sampleReply: 'forty-two', elicitAnswer: 'blue', roots: ['file:///tmp/a'] });
    expect(textOf(await client.callTool({ name: 'sample', arguments: { prompt: 'q' } }))).toBe('model said: forty-two');
    expect(textOf(await client.callTool({ name: 'ask', arguments: { question: 'colour?' } }))).toBe('accept:blue');
    expect(textOf(await client.callTool({ name: 'roots', arguments: {} }))).toBe('file:///tmp/a');
    await client.close();
  });

  it('relays progress notifications for the call that asked for them', async () => {
    const { client } = await connectClient(gw.url);
    const seen: number[] = [];
    const result = await client.callTool({ name: 'slow', arguments: { steps: 3, delayMs: 10 } }, undefined, { onprogress: (p) => seen.push(p.progress) });
    expect(textOf(result)).toBe('done after 3');
    expect(seen).toEqual([1, 2, 3]);
    await client.close();
  });

  it('cancels the upstream call when the client cancels', async () => {
    const { client } = await connectClient(gw.url);
    const ctrl = new AbortController();
    const pending = client.callTool({ name: 'slow', arguments: { steps: 50, delayMs: 50 } }, undefined, { signal: ctrl.signal, onprogress: () => ctrl.abort('enough') });
    await expect(pending).rejects.toThrow();
    // The session keeps working after the cancellation.
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after' } }))).toBe('fx:after');
    await client.close();
  });

  it('keeps two concurrent clients apart', async () => {
    const a = await connectClient(gw.url, { agent: 'agent-a', sampleReply: 'from-a' });
    const b = await connectClient(gw.url, { agent: 'agent-b', sampleReply: 'from-b' });
    expect(a.transport.sessionId).not.toBe(b.transport.sessionId);
    const [ra, rb] = await Promise.all([
      a.client.callTool({ name: 'sample', arguments: { prompt: 'x' } }),
      b.client.callTool({ name: 'sample', arguments: { prompt: 'y' } }),
    ]);
    expect(textOf(ra)).toBe('model said: from-a');
    expect(textOf(rb)).toBe('model said: from-b');
    await a.client.close();
    await b.client.close();
  });
});
