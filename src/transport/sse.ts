/** Server-Sent Events: writing to a node:http response, reading from an upstream body. */
import type { ServerResponse } from 'node:http';
import { createParser } from 'eventsource-parser';

/** Switches a response to an SSE stream (status 200). */
export function startSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', ...headers });
  res.flushHeaders();
}

/** Writes one `message` event; JSON text never holds raw newlines, so `data` is one line. */
export function writeSseMessage(res: ServerResponse, json: string, id?: string): boolean {
  return res.write(id === undefined ? `event: message\ndata: ${json}\n\n` : `id: ${id}\nevent: message\ndata: ${json}\n\n`);
}

export interface SseEvent {
  data: string;
  id: string | undefined;
  event: string | undefined;
}

/** Reads an SSE body to its end, calling `onEvent` for each event in order. */
export async function readSse(body: AsyncIterable<Uint8Array | string>, onEvent: (event: SseEvent) => void): Promise<void> {
  const parser = createParser({ onEvent: (ev) => onEvent({ data: ev.data, id: ev.id, event: ev.event }) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
  }
  const tail = decoder.decode();
  if (tail) parser.feed(tail);
}
