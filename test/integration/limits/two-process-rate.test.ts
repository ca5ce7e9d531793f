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

interface Worker {
  ready: Promise<void>;
  start(atMs: number): void;
  result: Promise<WorkerResult>;
}

function runWorker(env: Record<string, string>): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line || line === 'ready') reject(new Error(`worker exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
  return { ready, result, start: (atMs) => child.stdin.end(`${atMs}\n`) };
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
    // A burst of half a second of tokens: a replica starved of CPU for a moment (CI boxes are
    // shared) does not lose tokens to the bucket's cap, so what is measured is the limiter.
    const limit = 200;
    const burst = 100;
    const durationMs = 5000;
    const env = {
      REDIS_URL: redis.url,
      KEY_PREFIX: `two-proc-${Date.now()}:`,
      LIMIT: String(limit),
      BURST: String(burst),
      DURATION_MS: String(durationMs),
    };
    const workers = [runWorker(env), runWorker(env)];
    await Promise.all(workers.map((w) => w.ready));
    // Both start hammering at the same wall-clock instant.
    const startAt = Date.now() + 200;
    for (const w of workers) w.start(startAt);
    const [a, b] = (await Promise.all(workers.map((w) => w.result))) as [WorkerResult, WorkerResult];
    expect(a.other + b.other).toBe(0);
    // Both replicas got a share, and both were refused beyond it.
    expect(a.allowed).toBeGreaterThan(0);
    expect(b.allowed).toBeGreaterThan(0);
    expect(a.denied + b.denied).toBeGreaterThan(0);
    const expected = burst + (limit * durationMs) / 1000;
    expect(Math.abs(a.allowed + b.allowed - expected) / expected).toBeLessThan(0.05);
  }, 60_000);
});
