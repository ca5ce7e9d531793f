import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

describe('examples/task-scope', () => {
  it('runs by itself and passes its own checks', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/task-scope/run.ts'], { cwd: root, timeout: 120_000 });
    expect(stdout).toContain('forbidden tool denied with WARDEN_TASK_SCOPE');
    expect(stdout).toMatch(/all checks passed\n$/);
  }, 150_000);
});
