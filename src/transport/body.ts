/** Reading a request body with a size limit. */
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../errors.ts';

/** Resolves with the whole body, or rejects with WARDEN_BODY_TOO_LARGE past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => new BodyReader(req, limit, resolve, reject));
}

/** One body read; bound methods instead of per-read closures (this runs on every call). */
class BodyReader {
  readonly #req: IncomingMessage;
  readonly #limit: number;
  readonly #resolve: (body: Buffer) => void;
  readonly #reject: (err: WardenError) => void;
  readonly #onData: (chunk: Buffer) => void;
  #chunks: Buffer[] = [];
  #size = 0;
  #failed = false;

  constructor(req: IncomingMessage, limit: number, resolve: (body: Buffer) => void, reject: (err: WardenError) => void) {
    this.#req = req;
    this.#limit = limit;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#onData = this.data.bind(this);
    req.on('data', this.#onData);
    req.once('end', this.end.bind(this));
    req.once('error', this.error.bind(this));
  }

  data(chunk: Buffer): void {
    this.#size += chunk.length;
    if (this.#size > this.#limit) {
      this.#failed = true;
      this.#req.off('data', this.#onData);
      this.#req.resume(); // drain without keeping anything
      this.#reject(tooLarge(this.#limit));
      return;
    }
    this.#chunks.push(chunk);
  }

  end(): void {
    if (this.#failed) return;
    const chunks = this.#chunks;
    this.#resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.#size));
  }

  error(err: Error): void {
    this.#reject(new WardenError('WARDEN_BAD_REQUEST', `request body could not be read: ${err.message}`));
  }
}

function tooLarge(limit: number): WardenError {
  return new WardenError('WARDEN_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`, { limitBytes: limit });
}
