/**
 * The audit writer thread: receives batches of entries from AuditWriter (one
 * message per flush), chains, serialises (pino), hashes, signs and writes them
 * (ChainStore), and reports back how many call records reached the OS.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CallFieldsDecoder, isCallFields } from './call-fields.ts';
import { ChainStore, type QueuedEntry } from './chains.ts';
import type { AuditConfig } from './config.ts';
import { loadSigningKey, type SigningKey } from './keys.ts';
import type { ToWriterThread, FromWriterThread } from './writer-protocol.ts';

const port = parentPort!;
const config = (workerData as { config: AuditConfig }).config;
const post = (msg: FromWriterThread): void => port.postMessage(msg);
const warn = (msg: string, data: Record<string, unknown>): void => post({ t: 'log', msg, data });

let key: Promise<SigningKey> | undefined;
const signingKey = (): Promise<SigningKey> => (key ??= loadSigningKey(config.dir, config.signingKeyFile));
signingKey().then(
  () => post({ t: 'ready' }),
  (err: unknown) => post({ t: 'ready', error: err instanceof Error ? err.message : String(err) }),
);

const store = new ChainStore(config, signingKey, warn);
const decoder = new CallFieldsDecoder(config.maxArgsBytes);
/** Flush requests to answer after the next complete drain. */
let waiting: number[] = [];
let closeReply: number | undefined;
let running: Promise<void> | undefined;

port.on('message', (msg: ToWriterThread) => {
  const items = msg.items;
  decoder.reset();
  for (let i = 0; i < items.length; ) {
    const agent = decoder.agentAt(items, i);
    if (isCallFields(items[i + 1])) {
      let body: Record<string, unknown>;
      let next: number;
      try {
        ({ body, next } = decoder.readCall(items, i + 1, agent));
      } catch (err) {
        // Only a bug in the encoding gets here: the rest of the batch cannot be trusted.
        warn('audit: unreadable batch from the gateway thread', { err: err instanceof Error ? err.message : String(err) });
        break;
      }
      store.enqueue(agent, body);
      i = next;
    } else {
      store.enqueue(agent, items[i + 2] as QueuedEntry);
      i += 3;
    }
  }
  if (msg.close !== undefined) closeReply = msg.close;
  else if (msg.reply !== undefined) waiting.push(msg.reply);
  kick();
});

// Retries after a failed write, and periodic fsyncs, when no batch comes in.
const timer = setInterval(() => {
  if (store.busy || store.needsSync()) kick();
}, config.flushIntervalMs);
timer.unref();

function kick(): void {
  running ??= run().finally(() => {
    running = undefined;
    // A message that arrived during the final steps of a run.
    if (waiting.length > 0 || closeReply !== undefined) kick();
  });
}

async function run(): Promise<void> {
  for (;;) {
    const replies = waiting;
    waiting = [];
    const { written, failure } = await store.drain(false);
    post({ t: 'written', written, failure: failure ?? null, replies });
    // Keep going while batches arrived during the drain; after a failure, wait for the timer.
    if (waiting.length === 0 && (failure !== undefined || !store.busy)) break;
  }
  if (closeReply === undefined) return;
  const reply = closeReply;
  closeReply = undefined;
  clearInterval(timer);
  let written = 0;
  try {
    written += (await store.drain(true)).written;
    post({ t: 'closed', written, reply });
  } catch (err) {
    written += Number((err as { written?: number }).written ?? 0);
    post({ t: 'closed', written, reply, error: err instanceof Error ? err.message : String(err) });
  }
}
