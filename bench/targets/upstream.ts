/**
 * The benchmark's upstream: a minimal MCP server on raw node:http answering
 * JSON (no SSE), so the numbers measure the proxies, not the server.
 * Usage: node --import tsx bench/targets/upstream.ts <port>
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const port = Number(process.argv[2] ?? 0);

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let msg: { id?: unknown; method?: string; params?: { name?: string; arguments?: { text?: string } } };
    try {
      msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (msg.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    let result: unknown;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    switch (msg.method) {
      case 'initialize':
        headers['mcp-session-id'] = randomUUID();
        result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'bench-upstream', version: '1.0.0' } };
        break;
      case 'tools/list':
        result = { tools: [{ name: 'echo', description: 'Echoes its text', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } }] };
        break;
      case 'tools/call': {
        const text = msg.params?.arguments?.text ?? '';
        result = { content: [{ type: 'text', text }] };
        break;
      }
      case 'ping':
        result = {};
        break;
      default:
        res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }));
        return;
    }
    res.writeHead(200, headers).end(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);
});
