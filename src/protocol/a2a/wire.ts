/** A2A JSON-RPC on the wire: reading the caller's request, relaying SSE, writing answers and errors. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';
import { JSONRPC, jsonRpcErrorResponse, WardenError } from '../../errors.ts';
import { readBody } from '../../transport/body.ts';
import type { A2aMethod } from './methods.ts';

export type JsonRpcId = string | number | null;

export interface A2aRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: unknown;
  [extra: string]: unknown;
}

/** Request headers relayed upstream: protocol version and extensions; never credentials. */
const RELAYED_HEADERS = ['a2a-version', 'a2a-extensions', 'x-a2a-extensions'] as const;

/** Reads and checks one JSON-RPC request (no batches: A2A sends one request per HTTP request). */
export async function readRequest(req: IncomingMessage, limit: number): Promise<A2aRequest> {
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('application/json') && !type.includes('application/a2a+json')) {
    throw new WardenError('WARDEN_BAD_REQUEST', 'Content-Type must be application/json or application/a2a+json');
  }
  const body = await readBody(req, limit);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new WardenError('WARDEN_PARSE_ERROR', `request body is not valid JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(parsed)) throw new WardenError('WARDEN_BATCH_REJECTED', 'A2A does not use JSON-RPC batches; send one request per HTTP request');
  if (typeof parsed !== 'object' || parsed === null) throw new WardenError('WARDEN_BAD_REQUEST', 'the body must be a JSON-RPC 2.0 request');
  const msg = parsed as Partial<A2aRequest>;
  const idOk = typeof msg.id === 'string' || (typeof msg.id === 'number' && Number.isFinite(msg.id));
  if (msg.jsonrpc !== '2.0' || typeof msg.method !== 'string' || msg.method === '' || !idOk) {
    throw new WardenError('WARDEN_BAD_REQUEST', 'the body must be a JSON-RPC 2.0 request with a method and a string or number id');
  }
  if (msg.params !== undefined && (typeof msg.params !== 'object' || msg.params === null)) throw new WardenError('WARDEN_BAD_REQUEST', 'params must be an object');
  return msg as A2aRequest;
}

/** Headers for the upstream request: Accept for the method's answer, plus the relayed A2A headers. */
export function relayedHeaders(req: IncomingMessage, method: A2aMethod): Record<string, string> {
  const out: Record<string, string> = { accept: method.streaming ? 'text/event-stream' : 'application/json' };
  for (const name of RELAYED_HEADERS) {
    const v = req.headers[name];
    if (typeof v === 'string') out[name] = v;
    else if (Array.isArray(v)) out[name] = v.join(', ');
  }
  return out;
}

/** One JSON-RPC response from an upstream stream event. */
export function parseEvent(data: string, name: string): { result?: unknown; error?: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${name} sent a stream event that is not JSON`, { upstream: name });
  }
  if (typeof parsed !== 'object' || parsed === null || (!('result' in parsed) && !('error' in parsed))) {
    throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${name} sent a stream event that is not a JSON-RPC response`, { upstream: name });
  }
  return parsed as { result?: unknown; error?: unknown };
}

/** A unary method answered as a stream (unusual): its last event is the answer. */
export async function drainSse(body: AsyncIterable<Uint8Array>, name: string): Promise<unknown> {
  let last: string | undefined;
  const parser = createParser({ onEvent: (ev) => (last = ev.data) });
  const decoder = new TextDecoder();
  for await (const chunk of body) parser.feed(decoder.decode(chunk, { stream: true }));
  if (last === undefined) throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${name} sent an empty stream`, { upstream: name });
  return parseEvent(last, name);
}

/** Resolves when the response can take more data (or is gone). */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/**
 * A JSON-RPC error carrying a WardenError. warden's own codes live in -32001..-32099,
 * where A2A defines its errors (-32001 is TaskNotFound…); on this endpoint they become
 * the generic -32000 so no client mistakes a denial for an A2A error. `data.code` names it.
 */
export function a2aErrorResponse(id: JsonRpcId, err: WardenError, decisionId?: string) {
  const body = jsonRpcErrorResponse(id, err, decisionId);
  if (body.error.code <= -32001 && body.error.code >= -32099) body.error.code = JSONRPC.SERVER_ERROR;
  return body;
}

/** Writes a complete JSON answer. */
export function writeJson(res: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json), ...extra }).end(json);
}

/** Writes a refusal with the code's HTTP status and its headers (WWW-Authenticate, Retry-After). */
export function writeError(res: ServerResponse, err: WardenError, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const extra: Record<string, string> = {};
  const challenge = err.data?.wwwAuthenticate;
  if (typeof challenge === 'string') extra['www-authenticate'] = challenge;
  const retry = err.data?.retryAfterMs;
  if (typeof retry === 'number') extra['retry-after'] = String(Math.max(1, Math.ceil(retry / 1000)));
  if (err.code === 'WARDEN_BODY_TOO_LARGE') extra.connection = 'close';
  writeJson(res, err.httpStatus === 200 ? 400 : err.httpStatus, body, extra);
}
