/**
 * The helper users import in their own tests: a cassette served as an MCP
 * endpoint, recorded on first run and replayed afterwards, like undici's
 * snapshot agent.
 *
 *   const upstream = await withCassette('test/cassettes/crm.jsonl', { upstream: process.env.CRM_URL });
 *   // point warden (upstreams: [{ url: upstream.url }]) or an MCP client at upstream.url
 *   await upstream.close();
 *
 * Mode, first match wins: env WARDEN_REPLAY (record | replay | passthrough),
 * then `options.mode`, then record when the file is missing and an upstream is
 * given, otherwise replay.
 */
import { existsSync } from 'node:fs';
import { WardenError } from '../errors.ts';
import { startReplayServer, type ReplayMode } from './server.ts';

export interface WithCassetteOptions {
  mode?: ReplayMode;
  /** The real MCP endpoint (needed to record or pass through). */
  upstream?: string;
  /** Headers for the real upstream (e.g. its Authorization); never written to the cassette. */
  upstreamHeaders?: Record<string, string>;
}

export interface CassetteHandle {
  /** The MCP endpoint serving the cassette (or recording through to the upstream). */
  url: string;
  /** The mode actually used after the env override and defaults. */
  mode: ReplayMode;
  /** Exchanges written so far (record mode). */
  readonly recorded: number;
  /** Stops the server and flushes the cassette. */
  close(): Promise<void>;
}

const MODES: readonly ReplayMode[] = ['record', 'replay', 'passthrough'];

/** The mode `withCassette` would use for this file and options (env WARDEN_REPLAY wins). */
export function resolveReplayMode(file: string, options: WithCassetteOptions = {}, env: NodeJS.ProcessEnv = process.env): ReplayMode {
  const fromEnv = env.WARDEN_REPLAY?.trim().toLowerCase();
  if (fromEnv) {
    if (!(MODES as readonly string[]).includes(fromEnv)) {
      throw new WardenError('WARDEN_CONFIG_INVALID', `WARDEN_REPLAY must be one of ${MODES.join(', ')}, got ${JSON.stringify(env.WARDEN_REPLAY)}`);
    }
    return fromEnv as ReplayMode;
  }
  if (options.mode) return options.mode;
  return !existsSync(file) && options.upstream ? 'record' : 'replay';
}

/** Serves `file` as an MCP upstream on 127.0.0.1 (OS-chosen port): recording, replaying or passing through. */
export async function withCassette(file: string, options: WithCassetteOptions = {}): Promise<CassetteHandle> {
  const mode = resolveReplayMode(file, options);
  if (mode !== 'replay' && !options.upstream) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `withCassette(${JSON.stringify(file)}): mode ${mode} needs an upstream URL`);
  }
  if (mode === 'replay' && !existsSync(file)) {
    throw new WardenError(
      'WARDEN_REPLAY_CASSETTE_INVALID',
      `cassette ${file} does not exist: record it first (give an upstream, or run with WARDEN_REPLAY=record)`,
      { file },
    );
  }
  const server = await startReplayServer({
    mode,
    cassette: file,
    ...(options.upstream ? { upstream: options.upstream } : {}),
    ...(options.upstreamHeaders ? { upstreamHeaders: options.upstreamHeaders } : {}),
  });
  return {
    url: server.url,
    mode,
    get recorded() {
      return server.recorded;
    },
    close: () => server.close(),
  };
}
