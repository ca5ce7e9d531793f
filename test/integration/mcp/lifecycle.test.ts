/** Upstream process restarts and graceful shutdown. */
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { connectClient, fixtureUpstream, startGateway, textOf } from './harness.ts';

describe('stdio upstream restart policy', () => {
  it('fails the call in flight when the process dies, restarts it, and serves the session again', async () => {
    const gw = await startGateway({ upstreams: [fixtureUpstream('fx', 'fx', { restart: { policy: 'on-failure', maxRestarts: 2, backoffMs: 100 } })] });
    try {
      const { client } = await connectClient(gw.url);
      const err = await client.callTool({ name: 'crash', arguments: {} }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(McpError);
      expect((err as McpError).data).toMatchObject({ code: 'WARDEN_UPSTREAM_UNAVAILABLE' });
      let answer = '';
      for (let i = 0; i < 100 && answer === ''; i++) {
        answer = await client
          .callTool({ name: 'echo', arguments: { text: 'back' } })
          .then(textOf)
          .catch(async () => {
            await new Promise((resolve) => setTimeout(resolve, 200));
            return '';
          });
      }
      expect(answer).toBe('fx:back');
      await client.close();
    } finally {
      await gw.close();
    }
  });

  it('does not restart with policy never', async () => {
    const gw = await startGateway({ upstreams: [fixtureUpstream('fx', 'fx', { restart: { policy: 'never', maxRestarts: 5, backoffMs: 100 } })] });
    try {
      const { client } = await connectClient(gw.url);
      await client.callTool({ name: 'crash', arguments: {} }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const err = await client.callTool({ name: 'echo', arguments: { text: 'x' } }).catch((e: unknown) => e);
      expect((err as McpError).data).toMatchObject({ code: 'WARDEN_UPSTREAM_UNAVAILABLE' });
      await client.close();
    } finally {
      await gw.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes a call already in flight before closing', async () => {
    const gw = await startGateway({ upstreams: [fixtureUpstream('fx')] });
    const { client } = await connectClient(gw.url);
    let progressed!: () => void;
    const started = new Promise<void>((resolve) => (progressed = resolve));
    const call = client.callTool({ name: 'slow', arguments: { steps: 4, delayMs: 150 } }, undefined, { onprogress: () => progressed() });
    await started;
    const closing = gw.close();
    expect(textOf(await call)).toBe('done after 4');
    await closing;
    // After close, nothing listens any more.
    await expect(fetch(gw.url, { method: 'POST' })).rejects.toThrow();
  });
});
