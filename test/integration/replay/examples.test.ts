import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

async function runExample(file: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: root, timeout: 150_000 });
  return stdout;
}

describe('examples', () => {
  it('examples/replay runs by itself: recorded and replayed sessions are identical, no token in the cassette', async () => {
    const stdout = await runExample('examples/replay/run.ts');
    expect(stdout).toContain('ok   the replayed session gives identical results');
    expect(stdout).toContain('ok   the cassette contains no token');
    expect(stdout).toMatch(/all checks passed\n$/);
  }, 180_000);

  it('examples/custom-policy runs by itself: rego test, bundle, one allowed and one denied call', async () => {
    const stdout = await runExample('examples/custom-policy/run.ts');
    expect(stdout).toContain('ok   warden rego test: every policy test passes');
    expect(stdout).toMatch(/ok {3}bob calls delete_records: denied with the policy reason: .*WARDEN_POLICY_DENIED/);
    expect(stdout).toMatch(/all checks passed\n$/);
  }, 180_000);
});
