/** `warden serve` as a user runs it: a child process, quick-mode flags, signals. */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_SERVER } from './harness.ts';
import { spawnWarden, type WardenProcess } from '../../helpers/warden-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'warden-serve-'));
const children: ChildProcess[] = [];

const run = (args: string[]): WardenProcess => spawnWarden(args, { cwd: work, env: { WARDEN_LOG_LEVEL: 'warn' }, children });

async function waitFor(check: () => boolean, what: () => string, ms = 90_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

describe('warden serve', () => {
  it('quick mode: serves a stdio upstream at /mcp with the full pipeline, warns about anonymous access, exits 0 on SIGTERM', { timeout: 120_000 }, async () => {
    const proc = run(['serve', '--upstream', `stdio:${process.execPath} ${FIXTURE_SERVER}`, '--port', '0', '--host', '127.0.0.1', '--allow-anonymous', '--rate-limit', '100/1s']);
    await waitFor(() => /MCP endpoint\s+http:\/\/127\.0\.0\.1:\d+\/mcp/.test(proc.out()), () => proc.out() + proc.err());
    expect(proc.err()).toMatch(/WARNING: anonymous access is on.*"anonymous"/);
    expect(proc.out()).toContain('identity → task-scope → policy → rate-limit → pii → audit → forward');
    const url = /MCP endpoint\s+(\S+)/.exec(proc.out())![1]!;

    const client = new Client({ name: 'quick', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(client.getServerVersion()?.name).toBe('fixture-fixture');
    // The anonymous agent is deliberately tight; whatever the policy says, the call was decided and audited.
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } }).catch(() => undefined);
    await client.close();

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(readdirSync(join(work, 'warden-audit')).length).toBeGreaterThan(0);
  });

  it('refuses bad flags and bad configuration files with a coded message naming the problem', { timeout: 60_000 }, async () => {
    const rate = run(['serve', '--upstream', 'http://127.0.0.1:9/mcp', '--rate-limit', 'lots']);
    expect(await rate.exited).toBe(2);
    expect(rate.err()).toMatch(/WARDEN_CONFIG_INVALID: --rate-limit: expected <n>\/<duration>/);

    const file = join(work, 'bad.yaml');
    writeFileSync(file, 'server:\n  port: "eighty"\nupstreams: []\n');
    const bad = run(['serve', '--config', file]);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain('server.port');
    expect(bad.err()).toContain('upstreams');
  });
});
