import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, fixtureUpstream, startGateway, textOf, type Running } from './harness.ts';

describe('two upstreams aggregated behind /mcp', () => {
  let gw: Running;
  beforeAll(async () => {
    gw = await startGateway({ upstreams: [fixtureUpstream('alpha'), fixtureUpstream('beta')] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('namespaces tools and prompts as <upstream>__<name> and routes calls by the prefix', async () => {
    const { client } = await connectClient(gw.url);
    expect(client.getServerVersion()?.name).toBe('warden');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['alpha__echo', 'beta__echo', 'alpha__wipe', 'beta__wipe']));
    expect(names).not.toContain('echo');
    expect(textOf(await client.callTool({ name: 'alpha__echo', arguments: { text: 'x' } }))).toBe('alpha:x');
    expect(textOf(await client.callTool({ name: 'beta__echo', arguments: { text: 'y' } }))).toBe('beta:y');
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toEqual(expect.arrayContaining(['alpha__greet', 'beta__greet']));
    const prompt = await client.getPrompt({ name: 'beta__greet', arguments: { who: 'ann' } });
    expect(prompt.messages[0]?.content).toMatchObject({ text: 'beta greets ann' });
    await client.close();
  });

  it('refuses a tool name that resolves to no upstream with WARDEN_UNKNOWN_TOOL', async () => {
    const { client } = await connectClient(gw.url);
    const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).data).toMatchObject({ code: 'WARDEN_UNKNOWN_TOOL' });
    await client.close();
  });

  it('keeps resource URIs and routes reads to the upstream that lists them', async () => {
    const { client } = await connectClient(gw.url);
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['fixture://alpha/hello', 'fixture://beta/hello']));
    expect((await client.readResource({ uri: 'fixture://beta/hello' })).contents[0]).toMatchObject({ text: 'hello from beta' });
    expect((await client.readResource({ uri: 'fixture://alpha/items/3' })).contents[0]).toMatchObject({ text: 'item 3 of alpha' });
    await client.close();
  });

  it('serves each upstream alone, un-namespaced, at /mcp/<upstream>', async () => {
    const { client } = await connectClient(`${gw.url}/beta`);
    expect(client.getServerVersion()?.name).toBe('fixture-beta');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names.some((n) => n.includes('__'))).toBe(false);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'z' } }))).toBe('beta:z');
    await client.close();
  });
});
