/**
 * Start-up: configuration → every stage (or a start-up error) → gateway → listening.
 * `warden serve` and the end-to-end tests both start warden through here.
 */
import type { Redis } from 'ioredis';
import { newRedis } from '../limits/redis-client.ts';
import type { WardenConfig } from '../config/schema.ts';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { metrics as processMetrics, type WardenMetrics } from '../observability/metrics.ts';
import { createPipeline, type Pipeline } from '../pipeline/pipeline.ts';
import { mountA2a, type A2aMount } from '../protocol/a2a/index.ts';
import { RedisSessionStore } from '../protocol/mcp/redis-session-store.ts';
import { forwardStage } from '../stages/forward/index.ts';
import { createGateway, type Gateway } from './gateway.ts';
import { recordCall } from './observe.ts';
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
  const resource = (): string => gateway?.resource() ?? initial;
  const standard = await buildStandardStages(config, { logger, resource });
  // A2A agents go through the same stages (own forward stage: the A2A endpoint sets ctx.forward).
  let a2a: A2aMount | undefined;
  if (config.a2a.agents.length > 0) {
    const pipeline = createPipeline([...standard.stages, forwardStage()]);
    const metrics = opts.metrics ?? processMetrics;
    // A2A calls are counted in /metrics like MCP calls.
    const observed: Pipeline = config.metrics.enabled
      ? { stages: pipeline.stages, run: (ctx) => pipeline.run(ctx).finally(() => recordCall(metrics, ctx)) }
      : pipeline;
    a2a = mountA2a({ config, pipeline: observed, resource, logger });
  }
  const sessionStore = config.limits.redis ? new RedisSessionStore(sessionRedis(config.limits.redis.url, logger), { ownsClient: true }) : undefined;
  try {
    gateway = createGateway({
      config,
      stages: standard.stages,
      routes: a2a ? [...standard.routes, ...a2a.routes] : standard.routes,
      toolVisibility: standard.toolVisibility,
      upstreamAuth: standard.upstreamAuth,
      logger,
      ...(sessionStore ? { sessionStore } : {}),
      ...(opts.metrics ? { metrics: opts.metrics } : {}),
      ...(standard.pii?.vault ? { detokenizeVault: standard.pii.vault } : {}),
    });
  } catch (err) {
    await a2a?.close();
    await closeStages(standard.stages);
    await sessionStore?.close();
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot start the gateway: ${(err as Error).message}`, undefined, { cause: err });
  }
  let url: string;
  try {
    ({ url } = await gateway.listen());
  } catch (err) {
    await a2a?.close();
    await gateway.close();
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot listen on ${config.server.host}:${config.server.port}: ${(err as Error).message}`, undefined, { cause: err });
  }
  const started = gateway;
  return {
    gateway: started,
    url,
    standard,
    // A2A calls drain first, so they are still audited before the gateway closes the stages.
    close: async () => {
      await a2a?.close();
      await started.close();
    },
  };
}

/** The Redis client for session records (same server as the limits store); reconnects forever, logs once per outage. */
function sessionRedis(url: string, logger: Logger): Redis {
  const redis = newRedis(url, { maxRetriesPerRequest: 2, retryStrategy: (times) => Math.min(50 * 2 ** times, 2000) });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message }, 'session store: Redis unreachable; sessions cannot move between replicas until it is back');
    down = true;
  });
  redis.on('ready', () => (down = false));
  return redis;
}
