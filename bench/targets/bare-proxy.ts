/**
 * The practical floor: a bare keep-alive reverse proxy (node:http in, undici out)
 * that forwards bytes and headers and does nothing else.
 * Usage: node --import tsx bench/targets/bare-proxy.ts <port> <upstream-url>
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const port = Number(process.argv[2] ?? 0);
const upstream = new URL(process.argv[3] ?? 'http://127.0.0.1:9000/mcp');
const pool = new Pool(upstream.origin, { connections: 64, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && typeof v === 'string') headers[k] = v;
    pool
      .request({ path: upstream.pathname, method: (req.method ?? 'POST') as 'POST', headers, body: Buffer.concat(chunks) })
      .then(async (up) => {
        const body = Buffer.from(await up.body.arrayBuffer());
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k) && typeof v === 'string') out[k] = v;
        res.writeHead(up.statusCode, out).end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
