/**
 * One HTTP request/response with an upstream through undici's `dispatch` handler API.
 *
 * `Pool#request` wraps every response body in a Readable stream and settles through
 * several promise and stream layers; on the per-call path that costs CPU a gateway
 * does not need: a JSON answer is collected as chunks and decoded once. An SSE answer
 * is still read incrementally, as an async iterable of chunks.
 */
import type { Dispatcher } from 'undici';

/** The abort signal shape the caller passes (UpstreamCall in upstream-http.ts). */
export interface ExchangeSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export interface ExchangeResponse {
  statusCode: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  /** The whole body as text (for JSON answers). */
  text(): Promise<string>;
  /** The body chunk by chunk (for SSE answers); use either this or text(). */
  body: AsyncIterable<Uint8Array>;
}

type Waiter = { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (err: unknown) => void };

class Exchange implements ExchangeResponse, AsyncIterable<Uint8Array> {
  statusCode = 0;
  headers: Record<string, string> = {};
  readonly body: AsyncIterable<Uint8Array> = this;
  #chunks: Buffer[] = [];
  #done = false;
  #error: unknown = undefined;
  #streaming = false;
  #waiter: Waiter | undefined;
  #textWaiter: { resolve: (s: string) => void; reject: (err: unknown) => void } | undefined;
  #resume: (() => void) | undefined;
  #paused = false;
  #abort: ((err?: Error) => void) | undefined;
  readonly #signal: ExchangeSignal | undefined;
  readonly #onAbort = (): void => this.#abort?.(this.#signal?.reason instanceof Error ? this.#signal.reason : new Error('aborted'));
  #settleHeaders: { resolve: (r: ExchangeResponse) => void; reject: (err: unknown) => void } | undefined;

  constructor(signal: ExchangeSignal | undefined, resolve: (r: ExchangeResponse) => void, reject: (err: unknown) => void) {
    this.#signal = signal;
    this.#settleHeaders = { resolve, reject };
  }

  // --- undici handler (legacy callback API) ---
  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    const signal = this.#signal;
    if (!signal) return;
    if (signal.aborted) this.#onAbort();
    else signal.addEventListener('abort', this.#onAbort);
  }

  onHeaders(statusCode: number, raw: Buffer[] | string[] | null, resume: () => void): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.statusCode = statusCode;
    this.#resume = resume;
    if (raw) {
      for (let i = 0; i + 1 < raw.length; i += 2) this.headers[raw[i]!.toString().toLowerCase()] = raw[i + 1]!.toString();
    }
    const settle = this.#settleHeaders;
    this.#settleHeaders = undefined;
    settle?.resolve(this);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#chunks.push(chunk);
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: this.#chunks.shift()!, done: false });
      return true;
    }
    // A streaming reader that is not keeping up: pause the socket until it asks again.
    if (this.#streaming && this.#chunks.length > 16) {
      this.#paused = true;
      return false;
    }
    return true;
  }

  onComplete(): void {
    this.#finish(undefined);
  }

  onError(err: Error): void {
    this.#finish(err);
  }

  // --- consumer side ---
  text(): Promise<string> {
    if (this.#done) return this.#error === undefined ? Promise.resolve(this.#bodyText()) : Promise.reject(this.#error);
    return new Promise((resolve, reject) => (this.#textWaiter = { resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.#streaming = true;
    return {
      next: () => {
        const chunk = this.#chunks.shift();
        if (chunk) {
          if (this.#paused && this.#chunks.length < 4) {
            this.#paused = false;
            this.#resume?.();
          }
          return Promise.resolve({ value: chunk, done: false });
        }
        if (this.#done) return this.#error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.#error);
        return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
      },
      return: () => {
        if (!this.#done) this.#abort?.(new Error('the reader stopped'));
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  #bodyText(): string {
    const chunks = this.#chunks;
    this.#chunks = [];
    return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  }

  #finish(err: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#error = err;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    const settle = this.#settleHeaders;
    this.#settleHeaders = undefined;
    if (settle) {
      settle.reject(err ?? new Error('the upstream closed the connection before answering'));
      return;
    }
    const textWaiter = this.#textWaiter;
    this.#textWaiter = undefined;
    if (textWaiter) {
      if (err === undefined) textWaiter.resolve(this.#bodyText());
      else textWaiter.reject(err);
    }
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) {
      if (err === undefined) waiter.resolve({ value: undefined, done: true });
      else waiter.reject(err);
    }
  }
}

/** Sends one request; resolves once the response headers are in, rejects when the request fails before them. */
export function exchange(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: ExchangeSignal): Promise<ExchangeResponse> {
  return new Promise((resolve, reject) => {
    const handler = new Exchange(signal, resolve, reject);
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
  });
}
