/** Serves identity routes on 127.0.0.1 (port chosen by the OS) with node:http, as the gateway would. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IdentityRoute } from '../../../src/identity/routes.ts';

export async function serveRoutes(routes: IdentityRoute[]): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.find((r) => r.method === req.method && r.path === path);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    void Promise.resolve(route.handler(req, res)).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, close: () => new Promise((r) => server.close(() => r())) };
}

/** POSTs a token-exchange request and returns status + JSON body. */
export async function exchange(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', ...form }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
