/**
 * The answer to one client POST. It starts as a plain JSON response and switches to
 * an SSE stream only when the upstream sends something before the final answer
 * (progress, a sampling request…), so simple calls stay one JSON write.
 */
import type { ServerResponse } from 'node:http';
import { startSse, writeSseMessage } from '../../transport/sse.ts';
import { stringifyJson } from '../json.ts';
import type { JsonRpcMessage } from './jsonrpc.ts';

export class CallChannel {
  readonly res: ServerResponse;
  readonly #headers: Record<string, string>;
  #sse = false;
  #done = false;

  constructor(res: ServerResponse, headers: Record<string, string>) {
    this.res = res;
    this.#headers = headers;
  }

  /** False once the final answer was written or the client went away. */
  get open(): boolean {
    return !this.#done && !this.res.destroyed;
  }

  /** Switches to an SSE answer now (the upstream streams, so the client sees a stream too). */
  startStream(): void {
    if (!this.open || this.#sse) return;
    startSse(this.res, this.#headers);
    this.#sse = true;
  }

  /** Relays a message that precedes the final answer. */
  send(message: JsonRpcMessage): boolean {
    if (!this.open) return false;
    if (!this.#sse) {
      startSse(this.res, this.#headers);
      this.#sse = true;
    }
    writeSseMessage(this.res, stringifyJson(message));
    return true;
  }

  /** Writes the final answer (one message or a batch) and ends the exchange. */
  finish(body: JsonRpcMessage | JsonRpcMessage[] | undefined, status = 200): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#sse) {
      if (Array.isArray(body)) for (const m of body) writeSseMessage(this.res, stringifyJson(m));
      else if (body) writeSseMessage(this.res, stringifyJson(body));
      this.res.end();
      return;
    }
    if (body === undefined) {
      this.res.writeHead(202, this.#headers).end();
      return;
    }
    const json = stringifyJson(body);
    const headers = this.#headers;
    const sid = headers['mcp-session-id'];
    this.res
      .writeHead(status, sid === undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) } : { 'mcp-session-id': sid, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) })
      .end(json);
  }
}
