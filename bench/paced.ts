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
 */
import { Client } from 'undici';
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
  delivered: number;
  bad: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that had to wait because every connection was busy. */
  queued: number;
}

interface Conn {
  client: Client;
  sid: string;
  busy: boolean;
}

let nextId = 1_000_000_000;

export async function runPaced(o: PacedOptions): Promise<PacedResult> {
  const url = new URL(o.url);
  const text = fillerText(o.payloadBytes);
  const probe = text.slice(0, 64);
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...o.headers };
  const conns: Conn[] = [];
  for (let i = 0; i < o.connections; i++) {
    const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 60_000 });
    const res = await client.request({
      path: url.pathname,
      method: 'POST',
      headers: base,
      body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'warden-bench-paced', version: '1' } } }),
    });
    await res.body.text();
    const sid = res.headers['mcp-session-id'];
    if (res.statusCode !== 200 || typeof sid !== 'string') throw new Error(`initialize failed on ${o.url}: ${res.statusCode}`);
    conns.push({ client, sid, busy: false });
  }

  const latencies: number[] = [];
  const waiting: number[] = []; // due times (ns) of requests queued for a free connection
  let sent = 0;
  let bad = 0;
  let queued = 0;
  let inflight = 0;
  const intervalNs = 1e9 / o.rate;
  const total = Math.round(o.rate * o.durationS);
  const start = process.hrtime.bigint();
  const nowNs = () => Number(process.hrtime.bigint() - start);

  const send = (conn: Conn, dueNs: number | undefined) => {
    conn.busy = true;
    inflight++;
    const id = nextId++;
    const t0 = dueNs ?? nowNs();
    conn.client
      .request({
        path: url.pathname,
        method: 'POST',
        headers: { ...base, 'mcp-session-id': conn.sid, 'mcp-protocol-version': '2025-06-18' },
        body: `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"echo","arguments":{"text":"${text}"}}}`,
      })
      .then(async (res) => {
        const body = await res.body.text();
        latencies.push(nowNs() - t0);
        if (res.statusCode !== 200 || !body.includes(`"id":${id}`) || !body.includes('"result"') || !body.includes(probe)) bad++;
      })
      .catch(() => {
        bad++;
      })
      .finally(() => {
        inflight--;
        conn.busy = false;
        const due = waiting.shift();
        if (due !== undefined) send(conn, due);
      });
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowNs();
      while (sent < total && sent * intervalNs <= now) {
        const due = sent * intervalNs;
        sent++;
        const free = conns.find((c) => !c.busy);
        if (free) send(free, undefined);
        else {
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
  await Promise.all(conns.map((c) => c.client.close()));

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! / 1e6 : NaN);
  return { sent, delivered: latencies.length - bad, bad, p50Ms: pct(0.5), p99Ms: pct(0.99), queued };
}
