/**
 * warden calls every agent as itself, so it keeps callers' tasks apart: a task belongs to the
 * caller that started it through warden. Real SDK client and server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.ts';
import { bearerIdentityStage } from '../mcp/harness.ts';
import { clientFor, startPeer, textPart, userMessage, type Peer } from './peers.ts';
import { startA2aGateway, type A2aGateway } from './gateway.ts';

let peer: Peer;
let long: Peer;
let gateway: A2aGateway;
let base: string;

beforeAll(async () => {
  peer = await startPeer('stream', { chunks: 1, withContact: false });
  long = await startPeer('stream', { chunks: 40, withContact: false, gapMs: 50 });
  const config = parseConfig({
    server: { port: 0 },
    upstreams: [{ name: 'unused', url: 'http://127.0.0.1:9/mcp' }],
    a2a: { agents: [{ name: 'worker', url: peer.rpcUrl }, { name: 'long', url: long.rpcUrl }] },
  });
  const stages = [bearerIdentityStage()];
  gateway = await startA2aGateway(config, stages);
  base = gateway.base;
});

afterAll(async () => {
  await gateway?.close();
  await peer?.close();
  await long?.close();
});

async function rpc(agent: string, method: string, params: unknown): Promise<{ result?: any; error?: any }> {
  const res = await fetch(`${base}/a2a/worker`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${agent}`, 'a2a-version': '1.0' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as { result?: any; error?: any };
}

describe('A2A task ownership', () => {
  it('lets only the agent that started a task read, continue or cancel it', async () => {
    const alice = await clientFor(`${base}/a2a/worker/`, 'alice');
    let taskId = '';
    for await (const ev of alice.sendMessageStream({ tenant: '', message: userMessage([textPart('private job')]), configuration: undefined, metadata: undefined })) {
      if (ev.payload?.$case === 'task') taskId = ev.payload.value.id;
    }
    expect(taskId).not.toBe('');

    expect((await rpc('alice', 'GetTask', { id: taskId })).result.id).toBe(taskId);
    const before = peer.received.length;
    for (const [method, params] of [
      ['GetTask', { id: taskId }],
      ['tasks/get', { id: taskId }],
      ['CancelTask', { id: taskId }],
      ['SubscribeToTask', { id: taskId }],
      ['SendMessage', { message: { messageId: 'm2', taskId, role: 'ROLE_USER', parts: [{ text: 'and now mine' }] } }],
    ] as const) {
      const answer = await rpc('mallory', method, params);
      expect(answer.error?.data?.code, method).toBe('WARDEN_SESSION_FORBIDDEN');
    }
    expect(peer.received.length).toBe(before);

    // ListTasks shows each caller only its own tasks.
    const listed = await rpc('mallory', 'ListTasks', {});
    expect(JSON.stringify(listed)).not.toContain(taskId);
    expect(JSON.stringify(await rpc('alice', 'ListTasks', {}))).toContain(taskId);
  });

  it('resubscribes its owner to a running task (SubscribeToTask), and only its owner', async () => {
    const alice = await clientFor(`${base}/a2a/long/`, 'alice');
    let taskId = '';
    for await (const ev of alice.sendMessageStream({ tenant: '', message: userMessage([textPart('long job')]), configuration: undefined, metadata: undefined })) {
      if (ev.payload?.$case === 'task') {
        taskId = ev.payload.value.id;
        break; // hang up; the task keeps running at the agent
      }
    }
    const mallory = await clientFor(`${base}/a2a/long/`, 'mallory');
    const denied = (await (async () => {
      for await (const _ of mallory.resubscribeTask({ tenant: '', id: taskId })) return 'got an event';
      return 'no error';
    })().catch((e: unknown) => e)) as { data?: { code?: string } };
    expect(denied.data?.code).toBe('WARDEN_SESSION_FORBIDDEN');

    const cases: string[] = [];
    for await (const ev of alice.resubscribeTask({ tenant: '', id: taskId })) cases.push(String(ev.payload?.$case));
    expect(cases[0]).toBe('task');
    expect(cases).toContain('artifactUpdate');
    expect(cases.at(-1)).toBe('statusUpdate');
    expect(long.received.at(-1)!.method).toBe('SubscribeToTask');
  });
});
