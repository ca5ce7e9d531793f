/** Server-initiated messages outside any call reach the client on its GET stream, which can resume. */
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, fixtureUpstream, startGateway, type Running } from './harness.ts';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer agent-a' };

async function rpc(url: string, sid: string | undefined, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { ...HEADERS, ...(sid ? { 'mcp-session-id': sid } : {}) }, body: JSON.stringify(body) });
}

/** Reads SSE events from a GET stream until `count` message events arrived. */
async function readEvents(res: Response, count: number): Promise<Array<{ id: string; data: string }>> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: Array<{ id: string; data: string }> = [];
  let buffer = '';
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) events.push({ id, data });
    }
  }
  await reader.cancel();
  return events;
}

describe('the standalone GET stream', () => {
  let gw: Running;
  beforeAll(async () => {
    gw = await startGateway({ upstreams: [fixtureUpstream('fx')] });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('delivers upstream notifications sent outside any call to the SDK client', async () => {
    const { client } = await connectClient(gw.url);
    const got = new Promise<string>((resolve) => client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(String(n.params.data))));
    await client.callTool({ name: 'announce', arguments: { text: 'hello' } });
    expect(await got).toBe('fx announces hello');
    await client.close();
  });

  it('never shows one client the notifications of another', async () => {
    const a = await connectClient(gw.url, { agent: 'agent-a' });
    const b = await connectClient(gw.url, { agent: 'agent-b' });
    const seenByB: string[] = [];
    b.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void seenByB.push(String(n.params.data)));
    const gotA = new Promise<string>((resolve) => a.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => resolve(String(n.params.data))));
    await a.client.callTool({ name: 'announce', arguments: { text: 'for a only' } });
    expect(await gotA).toBe('fx announces for a only');
    await b.client.callTool({ name: 'echo', arguments: { text: 'b is alive' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seenByB).toEqual([]);
    await a.client.close();
    await b.client.close();
  });

  it('replays events after Last-Event-ID when the client reconnects', async () => {
    const init = await rpc(gw.url, undefined, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    await (await rpc(gw.url, sid, { jsonrpc: '2.0', method: 'notifications/initialized' })).text();

    const first = await fetch(gw.url, { headers: { accept: 'text/event-stream', authorization: 'Bearer agent-a', 'mcp-session-id': sid } });
    expect(first.status).toBe(200);
    const second = fetch(gw.url, { headers: { accept: 'text/event-stream', authorization: 'Bearer agent-a', 'mcp-session-id': sid } });
    expect((await second).status).toBe(409); // one standalone stream per session

    await (await rpc(gw.url, sid, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'announce', arguments: { text: 'one' } } })).text();
    await (await rpc(gw.url, sid, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'announce', arguments: { text: 'two' } } })).text();
    const seen = await readEvents(first, 2);
    expect(seen.map((e) => JSON.parse(e.data).params.data)).toEqual(['fx announces one', 'fx announces two']);

    const resumed = await fetch(gw.url, { headers: { accept: 'text/event-stream', authorization: 'Bearer agent-a', 'mcp-session-id': sid, 'last-event-id': seen[0]!.id } });
    expect(resumed.status).toBe(200);
    const replayed = await readEvents(resumed, 1);
    expect(JSON.parse(replayed[0]!.data).params.data).toBe('fx announces two');
    expect(replayed[0]!.id).toBe(seen[1]!.id);
  });
});
