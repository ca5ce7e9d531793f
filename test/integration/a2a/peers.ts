/** Real A2A peers for the tests: an @a2a-js/sdk server (echo + streaming executors) and SDK clients. */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Role, TaskState, type AgentCard, type Message, type Part } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, type Client } from '@a2a-js/sdk/client';
import { AgentEvent, DefaultRequestHandler, InMemoryTaskStore, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';

export function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' };
}

export function dataPart(value: unknown): Part {
  return { content: { $case: 'data', value }, metadata: undefined, filename: '', mediaType: 'application/json' };
}

/** Text of every text part of a message. */
export function textOf(message: { parts: Part[] } | undefined): string {
  return (message?.parts ?? []).map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

export function userMessage(parts: Part[], extra: Partial<Message> = {}): Message {
  return { messageId: randomUUID(), contextId: '', taskId: '', role: Role.ROLE_USER, parts, metadata: undefined, extensions: [], referenceTaskIds: [], ...extra };
}

function agentMessage(ctx: RequestContext, parts: Part[]): Message {
  return { messageId: randomUUID(), contextId: ctx.contextId, taskId: '', role: Role.ROLE_AGENT, parts, metadata: undefined, extensions: [], referenceTaskIds: [] };
}

/** Replies with one message: "echo: <text>" followed by every data part it received. */
class EchoExecutor implements AgentExecutor {
  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const parts = ctx.userMessage.parts;
    bus.publish(AgentEvent.message(agentMessage(ctx, [textPart(`echo: ${textOf(ctx.userMessage)}`), ...parts.filter((p) => p.content?.$case === 'data')])));
    bus.finished();
  }
  async cancelTask(): Promise<void> {}
}

/** Creates a task and streams: working, N artifact chunks (the last repeats the user's text), completed. */
class StreamingExecutor implements AgentExecutor {
  constructor(
    private readonly chunks: number,
    private readonly withContact: boolean,
    private readonly gapMs: number,
  ) {}
  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId } = ctx;
    bus.publish(AgentEvent.task({ id: taskId, contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() }, artifacts: [], history: [ctx.userMessage], metadata: undefined }));
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: new Date().toISOString() }, metadata: undefined }));
    for (let i = 1; i <= this.chunks; i++) {
      // Chunk 2 carries the agent's own contact address (unless told not to): warden must scrub what comes back too.
      const text = i === this.chunks ? `chunk ${i}: ${textOf(ctx.userMessage)}` : i === 2 && this.withContact ? `chunk 2: write to ops@agent.example` : `chunk ${i}`;
      bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, artifact: { artifactId: 'out', name: 'out', description: '', parts: [textPart(text)], metadata: undefined, extensions: [] }, append: i > 1, lastChunk: i === this.chunks, metadata: undefined }));
      await new Promise((r) => (this.gapMs > 0 ? setTimeout(r, this.gapMs) : setImmediate(r)));
    }
    bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: new Date().toISOString() }, metadata: undefined }));
    bus.finished();
  }
  async cancelTask(): Promise<void> {}
}

export interface Peer {
  /** Base URL (the agent card lives at /.well-known/agent-card.json). */
  url: string;
  /** The JSON-RPC endpoint. */
  rpcUrl: string;
  /** Every JSON-RPC body the upstream received, as parsed JSON. */
  received: Array<{ method: string; params: unknown; headers: Record<string, unknown> }>;
  /** JSON-RPC exchanges whose client (warden) hung up before the answer was complete. */
  readonly cutShort: number;
  card: AgentCard;
  close(): Promise<void>;
}

/** Starts a real A2A server on 127.0.0.1 (port from the OS). */
export async function startPeer(kind: 'echo' | 'stream', opts: { chunks?: number; name?: string; withContact?: boolean; gapMs?: number } = {}): Promise<Peer> {
  const app = express();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const rpcUrl = `${base}/rpc`;
  const card: AgentCard = {
    name: opts.name ?? `${kind} agent`,
    description: `a test ${kind} agent`,
    supportedInterfaces: [
      { url: rpcUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      { url: rpcUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' },
      { url: `${base}/rest`, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: '1.0' },
    ],
    provider: { organization: 'warden tests', url: 'https://example.org' },
    version: '1.2.3',
    documentationUrl: 'https://example.org/docs',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [{ id: 'echo', name: 'Echo', description: 'echoes', tags: ['test'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: [],
  };
  const executor = kind === 'echo' ? new EchoExecutor() : new StreamingExecutor(opts.chunks ?? 3, opts.withContact ?? true, opts.gapMs ?? 0);
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  const received: Peer['received'] = [];
  let cutShort = 0;
  app.use('/rpc', express.json(), (req, res, next) => {
    const body = req.body as { method?: string; params?: unknown };
    received.push({ method: String(body.method), params: body.params, headers: { ...req.headers } });
    res.on('close', () => {
      if (!res.writableFinished) cutShort++;
    });
    next();
  });
  app.use('/rpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
  app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } }));
  return {
    url: base,
    rpcUrl,
    received,
    get cutShort() {
      return cutShort;
    },
    card,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fetch that sends `Authorization: Bearer <token>`, or no credential for null. */
export function fetchAs(token: string | null): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
}

/** The SDK's real client, built from the agent card warden serves under `baseUrl` (end it with a slash). */
export async function clientFor(baseUrl: string, token: string | null): Promise<Client> {
  const fetchImpl = fetchAs(token);
  const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl })], cardResolver: new DefaultAgentCardResolver({ fetchImpl }) });
  return factory.createFromUrl(baseUrl);
}
