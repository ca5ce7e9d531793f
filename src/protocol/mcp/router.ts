/**
 * Where each client request goes: which upstream(s), under which names, and the
 * `forward` function the pipeline's forward stage calls. Aggregated sessions
 * (several upstreams behind `/mcp`) namespace names as `<upstream>__<name>`.
 */
import { WardenError } from '../../errors.ts';
import type { CallContext, ToolRef } from '../../pipeline/types.ts';
import type { Cancellation, UpstreamConnection } from '../../transport/upstream.ts';
import type { CallChannel } from './channel.ts';
import { paramsOf, type JsonRpcRequest } from './jsonrpc.ts';
import type { McpSession } from './session.ts';

/** Decides whether a tool is shown in tools/list (supplied by the policy stage). */
export type ToolVisibility = (ctx: CallContext, tool: ToolRef) => boolean;

export const NAMESPACE_SEPARATOR = '__';

export interface RouteEnv {
  session: McpSession;
  channel: CallChannel;
  cancel: Cancellation;
  toolVisibility: ToolVisibility | undefined;
  /** The caller's bearer token, for token-exchange upstreams. */
  subjectToken: string | undefined;
  /** W3C trace context from the inbound request, for HTTP upstreams. */
  trace?: Record<string, string> | undefined;
}

export interface Routed {
  tool?: ToolRef;
  /** Sends the call upstream; resolves with the result (or sets ctx.upstreamError). */
  forward: (ctx: CallContext) => Promise<unknown>;
}

type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';
const LIST_METHODS: Record<string, ListKind> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
};

/**
 * Routes one client request, or throws a WardenError (unknown tool, unknown upstream, bad cursor).
 * Synchronous for a tools/call whose tool is known, the per-call fast path.
 */
export function routeRequest(msg: JsonRpcRequest, env: RouteEnv): Routed | Promise<Routed> {
  if (msg.method === 'tools/call') {
    const name = msg.params?.name;
    const tool = typeof name === 'string' ? env.session.tools.get(name) : undefined;
    if (tool) return toolRoute(msg, env, tool);
  }
  return routeSlow(msg, env);
}

function toolRoute(msg: JsonRpcRequest, env: RouteEnv, ref: ToolRef): Routed {
  return { tool: ref, forward: forwardTool(msg, env, ref, connectionFor(env.session, ref.upstream)) };
}

/**
 * The forward function of one tools/call (made on every call). Returned bare rather than as a
 * named property so that tsx's keepNames adds no per-call Object.defineProperty for its name.
 */
function forwardTool(msg: JsonRpcRequest, env: RouteEnv, ref: ToolRef, conn: UpstreamConnection): Routed['forward'] {
  return (ctx) => {
    const out = msg.params!;
    out.name = ref.upstreamName;
    out.arguments = ctx.arguments;
    return callOne(conn, 'tools/call', out, ctx, env);
  };
}

async function routeSlow(msg: JsonRpcRequest, env: RouteEnv): Promise<Routed> {
  const { session } = env;
  const method = msg.method;
  const params = paramsOf(msg);
  const listKind = LIST_METHODS[method];
  if (listKind) return { forward: (ctx) => listFromUpstreams(method, listKind, ctx, env) };

  switch (method) {
    case 'tools/call': {
      const name = params?.name;
      if (typeof name !== 'string') throw new WardenError('WARDEN_BAD_REQUEST', 'tools/call needs params.name (a string)');
      let tool = session.tools.get(name);
      if (!tool && !session.toolsLoaded) {
        await loadTools(session);
        tool = session.tools.get(name);
      }
      if (!tool) {
        if (session.namespaced) throw new WardenError('WARDEN_UNKNOWN_TOOL', `no upstream offers a tool named "${name}"`, { tool: name });
        // One upstream: let it answer for names it did not list, as it would without warden.
        tool = { name, upstreamName: name, upstream: firstConnection(session).name };
      }
      return toolRoute(msg, env, tool);
    }
    case 'prompts/get': {
      const { conn, name } = resolveName(session, params?.name, 'prompt');
      return { forward: (ctx) => callOne(conn, method, withName(ctx, name), ctx, env) };
    }
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe': {
      const conn = await resolveUri(session, params?.uri);
      return { forward: (ctx) => callOne(conn, method, ctx.arguments as Record<string, unknown> | undefined, ctx, env) };
    }
    case 'completion/complete': {
      const ref = params?.ref as { type?: unknown; name?: unknown; uri?: unknown } | undefined;
      if (ref?.type === 'ref/prompt') {
        const { conn, name } = resolveName(session, ref.name, 'prompt');
        return {
          forward: (ctx) => {
            const out = ctx.arguments as { ref?: { name?: unknown } } | undefined;
            if (out?.ref) out.ref.name = name;
            return callOne(conn, method, out as Record<string, unknown> | undefined, ctx, env);
          },
        };
      }
      const conn = ref?.type === 'ref/resource' ? await resolveUri(session, ref.uri) : firstConnection(session);
      return { forward: (ctx) => callOne(conn, method, ctx.arguments as Record<string, unknown> | undefined, ctx, env) };
    }
    case 'logging/setLevel':
      return { forward: (ctx) => broadcast(method, ctx, env) };
    default: {
      if (session.namespaced) throw new WardenError('WARDEN_BAD_REQUEST', `method ${method} cannot be routed across several upstreams; use /mcp/<upstream>`, { method });
      const conn = firstConnection(session);
      return { forward: (ctx) => callOne(conn, method, ctx.arguments as Record<string, unknown> | undefined, ctx, env) };
    }
  }
}

/** One upstream call; an upstream JSON-RPC error is passed back unchanged via ctx.upstreamError. */
async function callOne(conn: UpstreamConnection, method: string, params: Record<string, unknown> | undefined, ctx: CallContext, env: RouteEnv): Promise<unknown> {
  const response = await conn.request(method, params, { listener: env.session.relayFor(conn, env.channel), cancel: env.cancel, subjectToken: env.subjectToken, trace: env.trace });
  if (response.error !== undefined) {
    ctx.upstreamError = response.error;
    return undefined;
  }
  return response.result;
}

function withName(ctx: CallContext, name: string): Record<string, unknown> | undefined {
  const out = ctx.arguments as Record<string, unknown> | undefined;
  if (out) out.name = name;
  return out;
}

async function broadcast(method: string, ctx: CallContext, env: RouteEnv): Promise<unknown> {
  const params = ctx.arguments as Record<string, unknown> | undefined;
  const results = await Promise.allSettled([...env.session.connections.values()].map((conn) => conn.request(method, params, { cancel: env.cancel, subjectToken: env.subjectToken, trace: env.trace })));
  const answered = results.find((r) => r.status === 'fulfilled' && r.value.error === undefined);
  if (answered) return {};
  const first = results[0];
  if (first?.status === 'fulfilled') ctx.upstreamError = first.value.error;
  else if (first) throw first.reason;
  return undefined;
}

function firstConnection(session: McpSession): UpstreamConnection {
  const conn = session.connections.values().next().value;
  if (!conn) throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', 'this session has no upstream connection');
  return conn;
}

function connectionFor(session: McpSession, upstream: string): UpstreamConnection {
  const conn = session.connections.get(upstream);
  if (!conn) throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `upstream ${upstream} is not connected in this session`, { upstream });
  return conn;
}

/** Splits `<upstream>__<name>` in aggregated sessions; plain names otherwise. */
function resolveName(session: McpSession, name: unknown, what: string): { conn: UpstreamConnection; name: string } {
  if (typeof name !== 'string') throw new WardenError('WARDEN_BAD_REQUEST', `a ${what} name (string) is required`);
  if (!session.namespaced) return { conn: firstConnection(session), name };
  for (const [upstream, conn] of session.connections) {
    if (name.startsWith(upstream + NAMESPACE_SEPARATOR)) return { conn, name: name.slice(upstream.length + NAMESPACE_SEPARATOR.length) };
  }
  throw new WardenError('WARDEN_UNKNOWN_UPSTREAM', `the ${what} name "${name}" does not start with <upstream>${NAMESPACE_SEPARATOR}`, { name });
}

/** Finds the upstream serving a resource URI: listed URIs first, then URI-template prefixes. */
async function resolveUri(session: McpSession, uri: unknown): Promise<UpstreamConnection> {
  if (!session.namespaced) return firstConnection(session);
  if (typeof uri !== 'string') throw new WardenError('WARDEN_BAD_REQUEST', 'a resource uri (string) is required');
  let upstream = lookupUri(session, uri);
  if (!upstream && !session.resourcesLoaded) {
    await loadResources(session);
    upstream = lookupUri(session, uri);
  }
  if (!upstream) throw new WardenError('WARDEN_UNKNOWN_UPSTREAM', `no upstream lists the resource ${uri}`, { uri });
  return connectionFor(session, upstream);
}

function lookupUri(session: McpSession, uri: string): string | undefined {
  const exact = session.resourceRoutes.get(uri);
  if (exact) return exact;
  let best: { prefix: string; upstream: string } | undefined;
  for (const route of session.templateRoutes) {
    if (uri.startsWith(route.prefix) && (!best || route.prefix.length > best.prefix.length)) best = route;
  }
  return best?.upstream;
}

// ---- lists ---------------------------------------------------------------------------------

interface ListPage {
  [key: string]: unknown;
  nextCursor?: string;
}

/** Remembers what a list page says (tool annotations, resource owners) and applies namespacing. */
function absorb(session: McpSession, kind: ListKind, upstream: string, items: unknown[]): void {
  const prefix = session.namespaced ? upstream + NAMESPACE_SEPARATOR : '';
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const entry = item as Record<string, unknown>;
    if (kind === 'tools' || kind === 'prompts') {
      if (typeof entry.name !== 'string') continue;
      const upstreamName = entry.name;
      if (prefix) entry.name = prefix + upstreamName;
      if (kind === 'tools') {
        const annotations = entry.annotations;
        const ref: ToolRef = { name: entry.name as string, upstreamName, upstream };
        if (typeof annotations === 'object' && annotations !== null) ref.annotations = annotations as Record<string, unknown>;
        session.tools.set(ref.name, ref);
      }
    } else if (kind === 'resources') {
      if (typeof entry.uri === 'string' && !session.resourceRoutes.has(entry.uri)) session.resourceRoutes.set(entry.uri, upstream);
    } else if (typeof entry.uriTemplate === 'string') {
      const prefixEnd = entry.uriTemplate.indexOf('{');
      const templatePrefix = prefixEnd < 0 ? entry.uriTemplate : entry.uriTemplate.slice(0, prefixEnd);
      if (!session.templateRoutes.some((r) => r.prefix === templatePrefix)) session.templateRoutes.push({ prefix: templatePrefix, upstream });
    }
  }
}

function visible(kind: ListKind, items: unknown[], ctx: CallContext, env: RouteEnv): unknown[] {
  const filter = env.toolVisibility;
  if (kind !== 'tools' || !filter) return items;
  let out: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const entry = items[i] as { name?: unknown };
    const ref = typeof entry?.name === 'string' ? env.session.tools.get(entry.name) : undefined;
    let keep = false;
    try {
      keep = ref ? filter(ctx, ref) : false;
    } catch {
      keep = false; // a visibility decision that fails hides the tool (fail closed)
    }
    if (!keep && !out) out = items.slice(0, i);
    else if (keep && out) out.push(items[i]);
  }
  return out ?? items;
}

async function listFromUpstreams(method: string, kind: ListKind, ctx: CallContext, env: RouteEnv): Promise<unknown> {
  const { session } = env;
  const params = ctx.arguments as Record<string, unknown> | undefined;
  if (!session.namespaced) {
    const conn = firstConnection(session);
    const result = (await callOne(conn, method, params, ctx, env)) as ListPage | undefined;
    const items = result?.[kind];
    if (!result || !Array.isArray(items)) return result;
    absorb(session, kind, conn.name, items);
    if (kind === 'tools' && result.nextCursor === undefined && params?.cursor === undefined) session.toolsLoaded = true;
    result[kind] = visible(kind, items, ctx, env);
    return result;
  }

  // Aggregated: the cursor maps each upstream that has more pages to its own cursor.
  const cursors = params?.cursor === undefined ? undefined : decodeCursor(params.cursor);
  const targets = [...session.connections.values()].filter((c) => !cursors || cursors[c.name] !== undefined);
  const pages = await Promise.allSettled(
    targets.map((conn) => {
      const upstreamParams = cursors ? { ...params, cursor: cursors[conn.name] } : params;
      return conn.request(method, upstreamParams, { listener: session.relayFor(conn, env.channel), cancel: env.cancel, subjectToken: env.subjectToken, trace: env.trace });
    }),
  );
  const merged: unknown[] = [];
  const next: Record<string, string> = {};
  let answered = 0;
  let firstFailure: unknown;
  pages.forEach((page, i) => {
    const conn = targets[i]!;
    if (page.status === 'rejected' || page.value.error !== undefined) {
      firstFailure ??= page.status === 'rejected' ? page.reason : page.value.error;
      return;
    }
    answered++;
    const result = page.value.result as ListPage | undefined;
    const items = result?.[kind];
    if (!Array.isArray(items)) return;
    absorb(session, kind, conn.name, items);
    for (const item of items) merged.push(item);
    if (typeof result?.nextCursor === 'string') next[conn.name] = result.nextCursor;
  });
  if (answered === 0 && targets.length > 0) {
    if (firstFailure instanceof WardenError) throw firstFailure;
    ctx.upstreamError = firstFailure;
    return undefined;
  }
  if (kind === 'tools' && !cursors && Object.keys(next).length === 0) session.toolsLoaded = true;
  const out: ListPage = { [kind]: visible(kind, merged, ctx, env) };
  if (Object.keys(next).length) out.nextCursor = Buffer.from(JSON.stringify(next)).toString('base64url');
  return out;
}

function decodeCursor(cursor: unknown): Record<string, string> {
  try {
    const value: unknown = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, string>;
  } catch {
    // fall through
  }
  throw new WardenError('WARDEN_BAD_REQUEST', 'the cursor was not issued by this gateway');
}

/** Lists every page of every upstream's kind, outside the pipeline, to learn names and owners. */
async function loadAll(session: McpSession, method: string, kind: ListKind): Promise<void> {
  await Promise.all(
    [...session.connections.values()].map(async (conn) => {
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const response = await conn.request(method, cursor === undefined ? undefined : { cursor }).catch(() => undefined);
        const result = response?.result as ListPage | undefined;
        const items = result?.[kind];
        if (!result || !Array.isArray(items)) return;
        absorb(session, kind, conn.name, items);
        cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
        if (cursor === undefined) return;
      }
    }),
  );
}

async function loadTools(session: McpSession): Promise<void> {
  await loadAll(session, 'tools/list', 'tools');
  session.toolsLoaded = true;
}

async function loadResources(session: McpSession): Promise<void> {
  await Promise.all([loadAll(session, 'resources/list', 'resources'), loadAll(session, 'resources/templates/list', 'resourceTemplates')]);
  session.resourcesLoaded = true;
}
