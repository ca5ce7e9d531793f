/**
 * ioredis, loaded only when a Redis server is configured.
 *
 * Importing ioredis defines `class VerbatimString extends String` (its RESP3 decoder), and from
 * then on V8 runs `String#charCodeAt` loops 4–6× slower in the whole process (measured here:
 * a 1 KiB scan went from ~2 µs to ~12 µs). Every character loop of the gateway (PII prefilter,
 * JSON quoting, header checks) would pay for it. A gateway without Redis never loads it; one
 * with Redis does, and pays.
 */
import { createRequire } from 'node:module';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';

const require = createRequire(import.meta.url);

/** The ioredis `Redis` class (loads ioredis on first call). */
export function redisClass(): typeof RedisClient {
  return (require('ioredis') as typeof import('ioredis')).Redis;
}

/** A new ioredis client for `url`. */
export function newRedis(url: string, options: RedisOptions): RedisClient {
  const Redis = redisClass();
  return new Redis(url, options);
}
