/**
 * JSON-RPC 2.0 messages as warden handles them: plain parsed objects, never
 * round-tripped through typed schemas, so fields warden does not know survive.
 */

export type JsonRpcId = string | number;

/** Any JSON-RPC message; the members present decide what it is. */
export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
  [extra: string]: unknown;
}

export interface JsonRpcRequest extends JsonRpcMessage {
  id: JsonRpcId;
  method: string;
}

export interface JsonRpcResponse extends JsonRpcMessage {
  id: JsonRpcId | null;
}

function isId(value: unknown): value is JsonRpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** True for an object that looks like a JSON-RPC 2.0 message at all. */
export function isMessage(value: unknown): value is JsonRpcMessage {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as JsonRpcMessage).jsonrpc === '2.0';
}

export function isRequest(msg: JsonRpcMessage): msg is JsonRpcRequest {
  return typeof msg.method === 'string' && isId(msg.id);
}

export function isNotification(msg: JsonRpcMessage): boolean {
  return typeof msg.method === 'string' && msg.id === undefined;
}

export function isResponse(msg: JsonRpcMessage): msg is JsonRpcResponse {
  return msg.method === undefined && (isId(msg.id) || msg.id === null) && ('result' in msg || 'error' in msg);
}

/** The params object of a message, or undefined when absent or not an object. */
export function paramsOf(msg: JsonRpcMessage): Record<string, unknown> | undefined {
  const p = msg.params;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? p : undefined;
}

/** The progress token a request carries in params._meta, if any. */
export function progressTokenOf(params: Record<string, unknown> | undefined): JsonRpcId | undefined {
  const meta = params?._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const token = (meta as Record<string, unknown>).progressToken;
  return isId(token) ? token : undefined;
}
