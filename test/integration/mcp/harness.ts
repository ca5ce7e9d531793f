/** Test harness: a real warden gateway in front of real MCP servers, reached by the real SDK client. */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseConfig } from '../../../src/config/load.ts';
import type { WardenConfigInput } from '../../../src/config/schema.ts';
import { WardenError } from '../../../src/errors.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../../src/gateway/gateway.ts';
import { silentLogger } from '../../../src/observability/logger.ts';
import type { Stage } from '../../../src/pipeline/types.ts';

export const FIXTURE_SERVER = fileURLToPath(new URL('../../fixtures/mcp-fixture-server.mjs', import.meta.url));

/** A stdio upstream entry running the fixture server under tsx. */
export function fixtureUpstream(name: string, label = name, extra: Record<string, unknown> = {}) {
  return { name, command: process.execPath, args: [FIXTURE_SERVER], env: { FIXTURE_NAME: label }, ...extra };
}

/**
 * Stand-in for the identity stage (written by another engineer): `Authorization: Bearer <agent>`
 * names the agent. It follows the identity contract: idempotent, denies with a WardenError.
 */
export function bearerIdentityStage(): Stage {
  return {
    name: 'identity',
    onRequest(ctx) {
      if (ctx.agent) return;
      const auth = ctx.request.headers.authorization;
      if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) {
        throw new WardenError('WARDEN_UNAUTHENTICATED', 'a bearer token is required', { wwwAuthenticate: 'Bearer realm="warden"' });
      }
      ctx.agent = { id: auth.slice(7), kind: 'dev' };
    },
  };
}

export interface Running {
  gateway: Gateway;
  url: string;
  close(): Promise<void>;
}

export async function startGateway(config: Omit<WardenConfigInput, 'server'> & { server?: WardenConfigInput['server'] }, options: Partial<Omit<GatewayOptions, 'config'>> = {}): Promise<Running> {
  const parsed = parseConfig({ ...config, server: { port: 0, ...config.server } });
  const gateway = createGateway({ config: parsed, stages: options.stages ?? [bearerIdentityStage()], logger: silentLogger, ...options });
  const { url } = await gateway.listen();
  return { gateway, url, close: () => gateway.close() };
}

export interface ClientOptions {
  agent?: string;
  /** Answer sampling requests with this text. */
  sampleReply?: string;
  /** Answer elicitation with this answer. */
  elicitAnswer?: string;
  roots?: string[];
}

/** A real SDK client connected through warden. */
export async function connectClient(url: string, opts: ClientOptions = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'warden-test', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', model: 'test-model', content: { type: 'text', text: opts.sampleReply ?? 'hi' } }));
  client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { answer: opts.elicitAnswer ?? 'yes' } }));
  client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: (opts.roots ?? []).map((uri) => ({ uri })) }));
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { authorization: `Bearer ${opts.agent ?? 'agent-a'}` } },
  });
  await client.connect(transport);
  return { client, transport };
}

/** Text of the first content block of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ text?: string }> }).content;
  return content?.[0]?.text ?? '';
}
