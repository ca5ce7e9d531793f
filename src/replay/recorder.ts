/**
 * Records the calls warden forwarded as cassette exchanges, from their call
 * contexts: the request as the upstream saw it (arguments after PII scrubbing)
 * and the upstream's result or error. Calls warden denied never reached the
 * upstream and are not recorded. No headers are written.
 */
import type { CallContext } from '../pipeline/types.ts';
import { CassetteWriter, type CassetteEntry, type JsonRpcErrorShape } from './cassette.ts';

/** The exchange a settled call context describes, or undefined when the upstream never answered. */
export function exchangeFromContext(ctx: CallContext): CassetteEntry | undefined {
  if (ctx.result === undefined && ctx.upstreamError === undefined) return undefined;
  const method = ctx.request.method;
  const entry: CassetteEntry = { method };
  if (method === 'tools/call') {
    entry.params = { name: ctx.tool?.upstreamName ?? ctx.tool?.name, arguments: ctx.arguments ?? {} };
  } else if (ctx.arguments !== undefined) {
    entry.params = ctx.arguments;
  }
  if (ctx.upstreamError !== undefined) entry.error = asRpcError(ctx.upstreamError);
  else entry.result = ctx.result;
  return entry;
}

function asRpcError(err: unknown): JsonRpcErrorShape {
  const e = err as Partial<JsonRpcErrorShape> | undefined;
  const out: JsonRpcErrorShape = {
    code: typeof e?.code === 'number' ? e.code : -32603,
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
  if (e?.data !== undefined) out.data = e.data;
  return out;
}

export interface CassetteRecorder {
  /** Records a settled call (no-op for calls the upstream never answered). */
  record(ctx: CallContext): void;
  readonly count: number;
  close(): Promise<void>;
}

/** A recorder appending to a cassette file. */
export function cassetteRecorder(path: string): CassetteRecorder {
  const writer = new CassetteWriter(path);
  return {
    record(ctx) {
      const entry = exchangeFromContext(ctx);
      if (entry) writer.write(entry);
    },
    get count() {
      return writer.count;
    },
    close: () => writer.close(),
  };
}
