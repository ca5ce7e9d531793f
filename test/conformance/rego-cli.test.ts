/** `warden rego conformance` end to end on a small case directory. */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../src/compiler/wasm/runtime.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);

// A case built from a real plan: `data.test.p = x` with `p := 7`.
const plan = {
  static: { strings: [{ value: 'x' }, { value: '7' }], files: [{ value: '<query>' }, { value: 'module-0.rego' }] },
  plans: {
    plans: [
      {
        name: 'eval',
        blocks: [
          {
            stmts: [
              { type: 'CallStmt', stmt: { func: 'g0.data.test.p', args: [{ type: 'local', value: 0 }, { type: 'local', value: 1 }], result: 2, file: 0, col: 1, row: 1 } },
              { type: 'AssignVarStmt', stmt: { source: { type: 'local', value: 2 }, target: 3, file: 0, col: 1, row: 1 } },
              { type: 'MakeObjectStmt', stmt: { target: 4, file: 0, col: 1, row: 1 } },
              { type: 'ObjectInsertStmt', stmt: { key: { type: 'string_index', value: 0 }, value: { type: 'local', value: 3 }, object: 4, file: 0, col: 1, row: 1 } },
              { type: 'ResultSetAddStmt', stmt: { value: 4, file: 0, col: 1, row: 1 } },
            ],
          },
        ],
      },
    ],
  },
  funcs: {
    funcs: [
      {
        name: 'g0.data.test.p',
        params: [0, 1],
        return: 2,
        path: ['g0', 'test', 'p'],
        blocks: [
          { stmts: [{ type: 'MakeNumberRefStmt', stmt: { Index: 1, target: 2, file: 1, col: 1, row: 3 } }] },
          { stmts: [{ type: 'ReturnLocalStmt', stmt: { source: 2, file: 1, col: 1, row: 3 } }] },
        ],
      },
    ],
  },
};
const base = { query: 'data.test.p = x', modules: ['package test\n\np := 7\n'], entrypoints: ['eval'], ignore: false, plan };

let dir = '';
beforeAll(() => {
  loadRuntime();
  dir = mkdtempSync(join(tmpdir(), 'warden-conf-'));
  mkdirSync(join(dir, 'demo'));
  writeFileSync(join(dir, 'demo', 'cases.json'), JSON.stringify({
    cases: [
      { ...base, note: 'demo/passes', want_result: [{ x: 7 }] },
      { ...base, note: 'demo/wrong expectation', want_result: [{ x: 8 }] },
      { ...base, note: 'demo/network', want_result: [{ x: 7 }], plan: { ...plan, static: { ...plan.static, builtin_funcs: [{ name: 'http.send', decl: { type: 'function' } }] } } },
    ],
  }));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('warden rego conformance', () => {
  it('prints each failure with its note and ends with the summary line', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'bin/warden.mjs'), 'rego', 'conformance', dir, '--plans'], { cwd: root }).catch((e: { stdout: string }) => e);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('1 passed, 1 failed, 1 skipped');
    expect(stdout).toContain('demo/cases.json#1: demo/wrong expectation — want {"x":8}, got {"x":7}');
    expect(stdout).toMatch(/skipped demo\/cases\.json#2: demo\/network — needs network access/);
  }, 120_000);

  it('reports an unreadable case directory with a WARDEN_ code instead of a stack trace', async () => {
    const err = (await run(process.execPath, [join(root, 'bin/warden.mjs'), 'rego', 'conformance', join(dir, 'missing'), '--plans'], { cwd: root }).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/^error WARDEN_BAD_REQUEST: cannot read conformance cases from .*missing/m);
  }, 120_000);
});
