/**
 * The detokenize endpoint: `POST /pii/detokenize` with `{"tokens": ["[TOKEN:…]", …]}`
 * answers `{"values": {"[TOKEN:…]": "original" | null}}`. Only callers the
 * gateway's `authorize(req)` accepts (an identity whose manifest allows
 * detokenize) get an answer; anything else, including an authorize that
 * throws, is refused (fail closed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { TokenVault } from './vault.ts';

export interface DetokenizeRouteOptions {
  vault: TokenVault;
  /** Decides whether the caller may detokenize; supplied by the gateway (identity + manifest). */
  authorize: (req: IncomingMessage) => Promise<boolean>;
  logger?: Logger;
  /** Most tokens one request may ask for. */
  maxTokens?: number;
}

export interface DetokenizeRoute {
  method: 'POST';
  path: '/pii/detokenize';
  handler: (req: IncomingMessage & { body?: unknown }, res: ServerResponse) => Promise<void>;
}

const MAX_BODY = 256 * 1024;

function sendError(res: ServerResponse, err: WardenError): void {
  res.statusCode = err.httpStatus;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: { code: err.code, message: err.message } }));
}

async function readBody(req: IncomingMessage & { body?: unknown }): Promise<unknown> {
  if (req.body !== undefined) return req.body; // already parsed (express.json)
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new WardenError('WARDEN_BODY_TOO_LARGE', `detokenize body exceeds ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new WardenError('WARDEN_PARSE_ERROR', 'detokenize body is not valid JSON');
  }
}

/** Builds the route; the gateway mounts `handler` at `path` for `method`. */
export function detokenizeRoute(opts: DetokenizeRouteOptions): DetokenizeRoute {
  const maxTokens = opts.maxTokens ?? 1000;
  return {
    method: 'POST',
    path: '/pii/detokenize',
    async handler(req, res) {
      try {
        let allowed = false;
        try {
          allowed = await opts.authorize(req);
        } catch (err) {
          opts.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'pii: detokenize authorize failed; refusing');
        }
        if (!allowed) throw new WardenError('WARDEN_PII_DETOKENIZE_DENIED', 'this identity may not detokenize PII tokens');
        const body = await readBody(req);
        const tokens = (body as { tokens?: unknown } | null)?.tokens;
        if (!Array.isArray(tokens) || tokens.length === 0 || tokens.length > maxTokens || !tokens.every((t) => typeof t === 'string')) {
          throw new WardenError('WARDEN_BAD_REQUEST', `body must be {"tokens": [...]} with 1 to ${maxTokens} token strings`);
        }
        const values: Record<string, string | null> = {};
        let found = 0;
        for (const t of tokens as string[]) {
          const entry = opts.vault.detokenize(t);
          values[t] = entry ? entry.value : null;
          if (entry) found++;
        }
        opts.logger?.info({ requested: tokens.length, found }, 'pii: detokenize');
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify({ values }));
      } catch (err) {
        sendError(res, err instanceof WardenError ? err : new WardenError('WARDEN_INTERNAL', 'detokenize failed'));
      }
    },
  };
}
