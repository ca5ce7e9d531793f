import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisAvailable, startRedis, type RedisServer } from '../../helpers/redis.ts';

const WORKER = fileURLToPath(new URL('./fixtures/limiter-worker.ts', import.meta.url));

interface WorkerResult {
  allowed: number;
  denied: number;
  other: number;
}

function runWorker(env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`worker exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

describe.skipIf(!redisAvailable())('two limiter processes sharing one Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps the combined rate within 5% of the configured limit', async () => {
    const limit = 400;
    const burst = 40;
    const durationMs = 4000;
    const env = {
      REDIS_URL: redis.url,
      KEY_PREFIX: `two-proc-${Date.now()}:`,
      LIMIT: String(limit),
      BURST: String(burst),
      // Both start hammering at the same wall-clock instant, once both have loaded.
      START_AT: String(Date.now() + 4000),
      DURATION_MS: String(durationMs),
    };
    const [a, b] = await Promise.all([runWorker(env), runWorker(env)]);
    expect(a.other + b.other).toBe(0);
    // Both replicas got a share, and both were refused beyond it.
    expect(a.allowed).toBeGreaterThan(0);
    expect(b.allowed).toBeGreaterThan(0);
    expect(a.denied + b.denied).toBeGreaterThan(0);
    const sustained = (a.allowed + b.allowed - burst) / (durationMs / 1000);
    expect(Math.abs(sustained - limit) / limit).toBeLessThan(0.05);
  }, 60_000);
});
