/**
 * `warden replay`: record MCP sessions into cassettes, serve them back, check them against a live endpoint.
 *   warden replay record --upstream <url> --cassette <file.jsonl> [--port N] [--upstream-header "Name: value"]…
 *   warden replay serve --cassette <file.jsonl> [--port N]
 *   warden replay check --cassette <file.jsonl> --against <url> [--header "Name: value"]…
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { WardenError } from '../errors.ts';
import { Cassette } from '../replay/cassette.ts';
import { checkCassette, formatCheckTable } from '../replay/check.ts';
import { startReplayServer, type ReplayServer } from '../replay/server.ts';

export function register(program: Command): void {
  const replay = program.command('replay').description('Record MCP sessions into cassettes and replay them in tests (secrets are never written)');

  replay
    .command('record')
    .description('Serve a recording proxy in front of an MCP upstream; every exchange is appended to the cassette')
    .requiredOption('--upstream <url>', 'the real MCP endpoint (Streamable HTTP)')
    .requiredOption('--cassette <file>', 'cassette to write (JSONL; started afresh unless --append)')
    .option('--append', 'append to an existing cassette')
    .option('--port <port>', 'port to listen on (default: chosen by the OS)')
    .option('--upstream-header <header>', 'header "Name: value" sent to the upstream, never recorded (repeatable), e.g. its Authorization', collect, [] as string[])
    .action(async (o: { upstream: string; cassette: string; append?: boolean; port?: string; upstreamHeader: string[] }) => {
      if (!/^https?:\/\//.test(o.upstream)) throw new WardenError('WARDEN_CONFIG_INVALID', `--upstream: expected an http(s) URL, got ${JSON.stringify(o.upstream)}`);
      const upstreamHeaders = parseHeaders(o.upstreamHeader, '--upstream-header');
      const server = await listen({ mode: 'record', cassette: o.cassette, upstream: o.upstream, port: parsePort(o.port), append: Boolean(o.append), upstreamHeaders });
      process.stdout.write(`recording ${o.upstream} into ${o.cassette}\n  MCP endpoint   ${server.url}\n  Ctrl-C stops and writes the cassette.\n`);
      stopOnSignal(server, () => `recorded ${server.recorded} exchange(s) into ${o.cassette}\n`);
    });

  replay
    .command('serve')
    .description('Serve a cassette as an MCP upstream (point `warden serve --upstream` or any MCP client at it)')
    .requiredOption('--cassette <file>', 'cassette to serve')
    .option('--port <port>', 'port to listen on (default: chosen by the OS)')
    .action(async (o: { cassette: string; port?: string }) => {
      const cassette = await loadExisting(o.cassette);
      const server = await listen({ mode: 'replay', cassette: o.cassette, port: parsePort(o.port) });
      process.stdout.write(`replaying ${cassette.entries.length} exchange(s) from ${o.cassette}\n  MCP endpoint   ${server.url}\n  Ctrl-C stops.\n`);
      stopOnSignal(server, () => '');
    });

  replay
    .command('check')
    .description('Send every recorded request to a live MCP endpoint and compare the answers; exits 1 on a mismatch')
    .requiredOption('--cassette <file>', 'cassette to check')
    .requiredOption('--against <url>', 'live MCP endpoint, e.g. warden in front of `warden replay serve`, or a real upstream')
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable), e.g. an Authorization for warden', collect, [] as string[])
    .action(async (o: { cassette: string; against: string; header: string[] }) => {
      const cassette = await loadExisting(o.cassette);
      const headers = parseHeaders(o.header, '--header');
      let rows;
      try {
        rows = await checkCassette(cassette.entries, o.against, { headers });
      } catch (err) {
        throw new WardenError('WARDEN_UPSTREAM_UNAVAILABLE', `cannot check against ${o.against}: ${(err as Error).message}`, undefined, { cause: err });
      }
      process.stdout.write(formatCheckTable(rows));
      if (rows.some((r) => r.status === 'mismatch')) process.exitCode = 1;
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `Name: value` strings → a header object. */
function parseHeaders(list: readonly string[], flag: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const h of list) {
    const i = h.indexOf(':');
    if (i <= 0) throw new WardenError('WARDEN_CONFIG_INVALID', `${flag}: expected "Name: value", got ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return headers;
}

async function loadExisting(file: string): Promise<Cassette> {
  if (!existsSync(file)) throw new WardenError('WARDEN_REPLAY_CASSETTE_INVALID', `cassette ${file} does not exist (record one with \`warden replay record\`)`, { file });
  return Cassette.load(file);
}

async function listen(options: Parameters<typeof startReplayServer>[0]): Promise<ReplayServer> {
  try {
    return await startReplayServer(options);
  } catch (err) {
    if (err instanceof WardenError) throw err;
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot start the replay server: ${(err as Error).message}`, undefined, { cause: err });
  }
}

function stopOnSignal(server: ReplayServer, farewell: () => string): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) process.exit(1);
    stopping = true;
    await server.close();
    process.stdout.write(farewell());
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WardenError('WARDEN_CONFIG_INVALID', `--port: expected a port number 0-65535, got ${JSON.stringify(text)}`);
  return port;
}
