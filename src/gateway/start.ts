/**
 * Start-up: configuration → every stage (or a start-up error) → gateway → listening.
 * `warden serve` and the end-to-end tests both start warden through here.
 */
import { Redis } from 'ioredis';
import type { WardenConfig } from '../config/schema.ts';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { WardenMetrics } from '../observability/metrics.ts';
import { RedisSessionStore } from '../protocol/mcp/redis-session-store.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { buildStandardStages, closeStages, type StandardStages } from './stages.ts';

export interface StartOptions {
  logger: Logger;
  metrics?: WardenMetrics;
}

export interface RunningWarden {
  gateway: Gateway;
  /** The MCP endpoint URL. */
  url: string;
  standard: StandardStages;
  close(): Promise<void>;
}

/** Builds and starts warden; rejects with a WardenError (WARDEN_CONFIG_INVALID) when any part cannot start. */
export async function startWarden(config: Readonly<WardenConfig>, opts: StartOptions): Promise<RunningWarden> {
  const { logger } = opts;
  let gateway: Gateway | undefined;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const initial = `${config.server.publicUrl?.replace(/\/+$/, '') ?? `${config.server.tls ? 'https' : 'http'}://${host}:${config.server.port}`}/mcp`;
  // Stages and routes read the resource through this getter: with port 0 the real port is known only after listen.
  const standard = await buildStandardStages(config, { logger, resource: () => gateway?.resource() ?? initial });
  const sessionStore = config.limits.redis ? new RedisSessionStore(new Redis(config.limits.redis.url, { lazyConnect: false }), { ownsClient: true }) : undefined;
  try {
    gateway = createGateway({
      config,
      stages: standard.stages,
      routes: standard.routes,
      toolVisibility: standard.toolVisibility,
      upstreamAuth: standard.upstreamAuth,
      logger,
      ...(sessionStore ? { sessionStore } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(standard.pii?.vault ? { detokenizeVault: standard.pii.vault } : {}),
    });
  } catch (err) {
    await closeStages(standard.stages);
    await sessionStore?.close();
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot start the gateway: ${(err as Error).message}`, undefined, { cause: err });
  }
  let url: string;
  try {
    ({ url } = await gateway.listen());
  } catch (err) {
    await gateway.close();
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`, undefined, { cause: err });
  }
  const started = gateway;
  return { gateway: started, url, standard, close: () => started.close() };
}
