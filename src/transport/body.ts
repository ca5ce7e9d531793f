/** Reading a request body with a size limit. */
import type { IncomingMessage } from 'node:http';
import { WardenError } from '../errors.ts';

/** Resolves with the whole body, or rejects with WARDEN_BODY_TOO_LARGE past `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume(); // drain without keeping anything
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', (err) => reject(new WardenError('WARDEN_BAD_REQUEST', `request body could not be read: ${err.message}`)));
  });
}

function tooLarge(limit: number): WardenError {
  return new WardenError('WARDEN_BODY_TOO_LARGE', `request body is larger than ${limit} bytes`, { limitBytes: limit });
}
