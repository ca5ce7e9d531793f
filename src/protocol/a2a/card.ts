/**
 * Agent cards: warden serves each upstream's card with every endpoint pointing
 * at itself, so callers that discover the agent through warden stay behind it.
 */

/** The only binding warden terminates; other interfaces (REST, gRPC) would bypass it. */
const JSONRPC = 'JSONRPC';

type Json = Record<string, unknown>;

/**
 * Returns a copy of `card` whose endpoints point at `wardenUrl`:
 * `url` (v0.3), JSON-RPC entries of `supportedInterfaces` (v1.0) and
 * `additionalInterfaces` (v0.3). Interfaces of other bindings are dropped and a
 * non-JSON-RPC `preferredTransport` becomes JSONRPC. Every other field is kept as is.
 */
export function rewriteAgentCard(card: unknown, wardenUrl: string): Json {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return {};
  const out: Json = { ...(card as Json) };
  if (typeof out.url === 'string') out.url = wardenUrl;
  if (typeof out.preferredTransport === 'string' && out.preferredTransport !== JSONRPC) out.preferredTransport = JSONRPC;
  if (Array.isArray(out.supportedInterfaces)) out.supportedInterfaces = rewriteInterfaces(out.supportedInterfaces, 'protocolBinding', wardenUrl);
  if (Array.isArray(out.additionalInterfaces)) out.additionalInterfaces = rewriteInterfaces(out.additionalInterfaces, 'transport', wardenUrl);
  return out;
}

function rewriteInterfaces(list: unknown[], bindingKey: 'protocolBinding' | 'transport', wardenUrl: string): Json[] {
  const out: Json[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const iface = entry as Json;
    const binding = iface[bindingKey];
    // An interface that names no binding is JSON-RPC by the spec's default.
    if (binding !== undefined && binding !== JSONRPC) continue;
    out.push({ ...iface, url: wardenUrl });
  }
  return out;
}
