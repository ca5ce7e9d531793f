/**
 * A paced (open-loop) load generator for the fixed-rate latency run.
 *
 * autocannon's `overallRate` is a per-second cap per connection: every connection
 * sends its share back to back at the start of each second and then waits, so a
 * "2,000 requests/s" run is really a saturating burst followed by silence, and its
 * latencies are whole milliseconds. Added latency of a few hundred µs cannot be
 * seen that way. Here requests are spread evenly over time (one every 1/rate s),
 * sent over a fixed set of keep-alive connections (one MCP session each), and
 * timed with a µs clock. A request that finds every connection busy waits in a
 * queue, and that wait counts in its latency (no coordinated omission).
 *
 * Like autocannon it writes raw HTTP/1.1 on plain sockets and parses answers
 * minimally (status, Content-Length or chunked body), so the generator's own CPU
 * (it shares the two cores with the servers) stays small.
 */
import { connect, type Socket } from 'node:net';
import { fillerText } from './load.ts';

export interface PacedOptions {
  url: string;
  connections: number;
  rate: number;
  durationS: number;
  payloadBytes: number;
  headers?: Record<string, string>;
}

export interface PacedResult {
  sent: number;
  /** Answers that were a 200 with a JSON-RPC result for the right id echoing the text. */
  delivered: number;
  bad: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that had to wait because every connection was busy. */
  queued: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One keep-alive HTTP/1.1 connection with at most one request in flight. */
class Conn {
  busy = false;
  sid = '';
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #pending: ((a: Answer | Error) => void) | undefined;

  constructor(host: string, port: number) {
    this.#socket = connect({ host, port, noDelay: true });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#parse();
    });
    this.#socket.on('error', (err) => this.#settle(err));
    this.#socket.on('close', () => this.#settle(new Error('connection closed')));
  }

  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.once('connect', resolve);
      this.#socket.once('error', reject);
    });
  }

  send(head: string, body: string): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.#pending = (a) => (a instanceof Error ? reject(a) : resolve(a));
      this.#socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #settle(a: Answer | Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(a);
  }

  #parse(): void {
    const buf = this.#buf;
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < lines.length; i++) {
      const c = lines[i]!.indexOf(':');
      if (c > 0) headers[lines[i]!.slice(0, c).toLowerCase()] = lines[i]!.slice(c + 1).trim();
    }
    let at = end + 4;
    let body: string;
    if (headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      if (buf.length < at + n) return;
      body = buf.toString('utf8', at, at + n);
      at += n;
    } else if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const nl = buf.indexOf('\r\n', at);
        if (nl < 0) return;
        const size = parseInt(buf.toString('latin1', at, nl), 16);
        if (buf.length < nl + 2 + size + 2) return;
        if (size === 0) {
          at = nl + 4;
          break;
        }
        parts.push(buf.subarray(nl + 2, nl + 2 + size));
        at = nl + 2 + size + 2;
      }
      body = Buffer.concat(parts).toString('utf8');
    } else {
      body = '';
    }
    this.#buf = buf.subarray(at);
    this.#settle({ status, headers, body });
  }
}

let nextId = 1_000_000_000;

export async function runPaced(o: PacedOptions): Promise<PacedResult> {
  const url = new URL(o.url);
  const text = fillerText(o.payloadBytes);
  const probe = text.slice(0, 64);
  let baseHead = `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n`;
  for (const [k, v] of Object.entries(o.headers ?? {})) baseHead += `${k}: ${v}\r\n`;
  const conns: Conn[] = [];
  for (let i = 0; i < o.connections; i++) {
    const conn = new Conn(url.hostname, Number(url.port || 80));
    await conn.ready();
    const init = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'warden-bench-paced', version: '1' } } });
    const a = await conn.send(baseHead, init);
    const sid = a.headers['mcp-session-id'];
    if (a.status !== 200 || !sid) throw new Error(`initialize failed on ${o.url}: HTTP ${a.status}`);
    conn.sid = sid;
    conns.push(conn);
  }
  const heads = conns.map((c) => `${baseHead}mcp-session-id: ${c.sid}\r\nmcp-protocol-version: 2025-06-18\r\n`);

  const latencies: number[] = [];
  const waiting: number[] = []; // due times (ns) of requests queued for a free connection
  let sent = 0;
  let bad = 0;
  let good = 0;
  let queued = 0;
  let inflight = 0;
  const intervalNs = 1e9 / o.rate;
  const total = Math.round(o.rate * o.durationS);
  const start = process.hrtime.bigint();
  const nowNs = () => Number(process.hrtime.bigint() - start);

  const send = (k: number, dueNs: number | undefined) => {
    const conn = conns[k]!;
    conn.busy = true;
    inflight++;
    const id = nextId++;
    const t0 = dueNs ?? nowNs();
    conn
      .send(heads[k]!, `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"${text}"}}}`)
      .then((a) => {
        latencies.push(nowNs() - t0);
        if (a.status !== 200 || !a.body.includes(`"id":${id}`) || !a.body.includes('"result"') || !a.body.includes(probe)) bad++;
        else good++;
      })
      .catch(() => {
        bad++;
      })
      .finally(() => {
        inflight--;
        conn.busy = false;
        const due = waiting.shift();
        if (due !== undefined) send(k, due);
      });
  };

  let rr = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowNs();
      while (sent < total && sent * intervalNs <= now) {
        const due = sent * intervalNs;
        sent++;
        let free = -1;
        for (let j = 0; j < conns.length; j++) {
          const k = (rr + j) % conns.length;
          if (!conns[k]!.busy) {
            free = k;
            break;
          }
        }
        if (free >= 0) {
          rr = free + 1;
          send(free, undefined);
        } else {
          queued++;
          waiting.push(due);
        }
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.floor((sent * intervalNs - nowNs()) / 1e6)));
      else resolve();
    };
    tick();
  });
  while (inflight > 0 || waiting.length > 0) await new Promise((r) => setTimeout(r, 5));
  for (const c of conns) c.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! / 1e6 : NaN);
  return { sent, delivered: good, bad, p50Ms: pct(0.5), p99Ms: pct(0.99), queued };
}
