/**
 * Load generation with autocannon: one MCP session per connection (initialize
 * first, then tools/call with unique ids), every response checked.
 */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationS: number;
  /** Text argument size in bytes (PII-free words). */
  payloadBytes: number;
  /** Fixed overall request rate; unlimited when absent. */
  overallRate?: number;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses that were not a 200 with a JSON-RPC result echoing the text. */
  bad: number;
  errors: number;
  durationS: number;
}

const WORDS = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu'.split(' ');

/** PII-free filler text of exactly `bytes` ASCII bytes. */
export function fillerText(bytes: number): string {
  let s = '';
  for (let i = 0; s.length < bytes; i++) s += `${WORDS[i % WORDS.length]} `;
  return s.slice(0, bytes);
}

let nextId = 1;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const text = fillerText(options.payloadBytes);
  const baseHeaders = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...options.headers,
  };
  const initBody = JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'warden-bench', version: '1' } },
  });
  let bad = 0;
  // autocannon clears a request's `context` each time it loops over its request list, so
  // per-connection session state lives in a closure made for each client instead.
  const setupClient = (client: autocannon.Client): void => {
    let sid: string | undefined;
    let expectId = 0;
    client.setRequests([
      {
        method: 'POST',
        setupRequest: (req: autocannon.Request & { headers?: Record<string, string> }) => {
          if (!sid) {
            req.headers = { ...baseHeaders };
            req.body = initBody;
            return req;
          }
          expectId = nextId++;
          req.headers = { ...baseHeaders, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
          req.body = `{"jsonrpc":"2.0","id":${expectId},"method":"tools/call","params":{"name":"echo","arguments":{"text":"${text}"}}}`;
          return req;
        },
        onResponse: (status: number, body: string, _context: unknown, headers?: Record<string, string | string[]>) => {
          if (!sid) {
            const header = headers?.['mcp-session-id'];
            if (status === 200 && typeof header === 'string') sid = header;
            else bad++;
            return;
          }
          // Check the answer: right id, a result, and the text echoed back intact.
          if (status !== 200 || !body.includes(`"id":${expectId}`) || !body.includes('"result"') || !body.includes(text.slice(0, 64))) bad++;
        },
      } as autocannon.Request,
    ]);
  };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    setupClient,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / (result.duration || options.durationS),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    bad: bad + result.non2xx,
    errors: result.errors + result.timeouts,
    durationS: result.duration,
  };
}
