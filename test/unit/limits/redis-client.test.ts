import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = 'test/fixtures/limits/ioredis-loaded.mts';

// Importing ioredis (its `class extends String`) makes V8 run String#charCodeAt loops several
// times slower in the whole process, so a gateway without Redis must never load it.
describe('ioredis is loaded only when Redis is used', () => {
  it('is not loaded by the gateway start-up', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script]);
    expect(Number(stdout.trim())).toBe(0);
  }, 60_000);

  it('is loaded when a Redis client is made', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, 'client']);
    expect(Number(stdout.trim())).toBeGreaterThan(0);
  }, 60_000);
});
