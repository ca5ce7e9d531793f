/** `warden rego build|eval|test` as a user runs them: real process, real files. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { warmUp } from '../plan/evaluate.ts';

const BIN = join(import.meta.dirname, '../../../../bin/warden.mjs');
let dir: string;

function warden(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'rego', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  await warmUp();
  dir = mkdtempSync(join(tmpdir(), 'warden-rego-cli-'));
  mkdirSync(join(dir, 'pol'));
  writeFileSync(join(dir, 'pol', 'authz.rego'), `package authz
default allow := false
allow if {
  input.user == "alice"
  "admin" in data.roles[input.user]
}
`);
  writeFileSync(join(dir, 'pol', 'authz_test.rego'), `package authz_test
import data.authz
test_alice if authz.allow with input as {"user": "alice"}
test_bob if not authz.allow with input as {"user": "bob"}
`);
  writeFileSync(join(dir, 'pol', 'data.json'), JSON.stringify({ roles: { alice: ['admin'], bob: [] } }));
  writeFileSync(join(dir, 'input.json'), JSON.stringify({ user: 'alice' }));
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warden rego CLI', { timeout: 150_000 }, () => {
  it('test: reports PASS n/n like opa test and exits 0', () => {
    const r = warden('test', join(dir, 'pol'), '-v');
    expect(r.stdout).toContain('data.authz_test.test_alice: PASS');
    expect(r.stdout).toContain('PASS: 2/2');
    expect(r.code).toBe(0);
  });

  it('test: a failing test is named and the exit code is non-zero', () => {
    const failing = join(dir, 'failing');
    mkdirSync(failing);
    writeFileSync(join(failing, 'x_test.rego'), 'package x_test\ntest_ok if true\ntest_wrong if 1 == 2\n');
    const r = warden('test', failing);
    expect(r.stdout).toContain('data.x_test.test_wrong: FAIL');
    expect(r.stdout).toMatch(/PASS: 1\/2\nFAIL: 1\/2/);
    expect(r.code).not.toBe(0);
  });

  it('eval: prints the result set with expressions and bindings', () => {
    const r = warden('eval', '-d', join(dir, 'pol'), '-i', join(dir, 'input.json'), 'data.authz.allow; x := count(data.roles)');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { result: { expressions: { value: unknown; text: string }[]; bindings: Record<string, unknown> }[] };
    expect(out.result).toHaveLength(1);
    expect(out.result[0]?.expressions.map((e) => [e.value, e.text])).toEqual([[true, 'data.authz.allow'], [true, 'x := count(data.roles)']]);
    expect(out.result[0]?.bindings).toEqual({ x: 2 });
  });

  it('build: writes a Wasm module that opa-wasm evaluates, and prints a one-line summary', async () => {
    const out = join(dir, 'policy.wasm');
    const r = warden('build', join(dir, 'pol'), '-e', 'authz/allow', '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^built .*policy\.wasm: 1 module\(s\), entrypoints authz\/allow, \d+ bytes, \d+ ms\n$/);
    const policy = await loadPolicy(readFileSync(out));
    policy.setData({ roles: { alice: ['admin'] } });
    expect(policy.evaluate({ user: 'alice' }, 'authz/allow')).toEqual([{ result: true }]);
  });

  it('compile errors print file:row:col: code: message and exit non-zero', () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'b.rego'), 'package b\n\np if {\n  x > 1\n}\n');
    const r = warden('build', bad, '-e', 'b/p', '-o', join(dir, 'b.wasm'));
    expect(r.stderr).toContain(`${join(bad, 'b.rego')}:4:3: rego_unsafe_var_error: var x is unsafe`);
    expect(r.code).toBe(1);
  });
});
