/** One upstream A2A agent over HTTP: JSON-RPC exchanges, SSE streams, and its agent card. */
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { WardenError } from '../../errors.ts';
import type { A2aAgentConfig } from './config.ts';

/** An upstream answer: parsed JSON, or an SSE body to relay. */
export type UpstreamAnswer = { kind: 'json'; json: unknown } | { kind: 'sse'; body: AsyncIterable<Uint8Array> };

export class A2aUpstream {
  readonly config: A2aAgentConfig;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #cardUrl: URL;
  readonly #cardPool: Pool;

  constructor(config: A2aAgentConfig) {
    this.config = config;
    const url = new URL(config.url);
    this.#path = url.pathname + url.search;
    // bodyTimeout bounds the gap between two chunks: for a stream, the wait between events.
    this.#pool = new Pool(url.origin, { connections: 64, keepAliveTimeout: 30_000, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
    this.#cardUrl = new URL(config.cardUrl ?? '/.well-known/agent-card.json', url);
    this.#cardPool = this.#cardUrl.origin === url.origin ? this.#pool : new Pool(this.#cardUrl.origin, { connections: 4, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });
  }

  get name(): string {
    return this.config.name;
  }

  /** POSTs one JSON-RPC request; resolves with parsed JSON, or the SSE body when the upstream streams. */
  async send(body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<UpstreamAnswer> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#pool.request({ method: 'POST', path: this.#path, headers: { ...this.config.headers, ...headers, 'content-type': 'application/json' }, body, ...(signal ? { signal } : {}) });
    } catch (err) {
      throw this.#failure(err, 'call');
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/event-stream')) {
      if (res.statusCode !== 200) {
        res.body.resume();
        throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${this.name} opened a stream with HTTP ${res.statusCode}`, { upstream: this.name, status: res.statusCode });
      }
      return { kind: 'sse', body: this.#guard(res.body) };
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.#failure(err, 'answer');
    }
    try {
      return { kind: 'json', json: JSON.parse(text) };
    } catch {
      throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${this.name} answered HTTP ${res.statusCode} without a JSON-RPC body`, { upstream: this.name, status: res.statusCode });
    }
  }

  /** Fetches the upstream's agent card (the caller's A2A-Version picks the card's shape). */
  async fetchCard(headers: Record<string, string>): Promise<unknown> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#cardPool.request({ method: 'GET', path: this.#cardUrl.pathname + this.#cardUrl.search, headers: { ...this.config.headers, ...headers, accept: 'application/json' } });
    } catch (err) {
      throw this.#failure(err, 'card');
    }
    if (res.statusCode !== 200) {
      res.body.resume();
      throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${this.name} answered HTTP ${res.statusCode} for its agent card`, { upstream: this.name, status: res.statusCode });
    }
    try {
      return await res.body.json();
    } catch (err) {
      if (err instanceof SyntaxError) throw new WardenError('WARDEN_UPSTREAM_ERROR', `A2A agent ${this.name} served an agent card that is not JSON`, { upstream: this.name });
      throw this.#failure(err, 'card');
    }
  }

  /** Aborts every open request (streams included). */
  async destroy(): Promise<void> {
    await Promise.allSettled([this.#pool.destroy(), this.#cardPool === this.#pool ? undefined : this.#cardPool.destroy()]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#pool.close(), this.#cardPool === this.#pool ? undefined : this.#cardPool.close()]);
  }

  /** Turns transport failures while reading a stream into WardenErrors. */
  async *#guard(body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of body) yield chunk;
    } catch (err) {
      throw this.#failure(err, 'stream');
    }
  }

  #failure(err: unknown, what: 'call' | 'answer' | 'card' | 'stream'): WardenError {
    if (err instanceof WardenError) return err;
    const data = { upstream: this.name };
    if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      return new WardenError('WARDEN_UPSTREAM_TIMEOUT', `A2A agent ${this.name} did not answer (${what}) within ${this.config.timeoutMs} ms`, { ...data, timeoutMs: this.config.timeoutMs }, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `A2A agent ${this.name} could not be reached (${what}): ${message}`, data, { cause: err });
  }
}
