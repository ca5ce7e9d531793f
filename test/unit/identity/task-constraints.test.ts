import { describe, expect, it } from 'vitest';
import { assertSafePattern, compileTaskTool, narrowTools } from '../../../src/identity/task-constraints.ts';
import { outcome } from './helpers.ts';

describe('task argument constraints', () => {
  const tool = compileTaskTool({
    name: 'read_file',
    constraints: { path: { prefix: '/tmp/', maxLength: 64 }, mode: { enum: ['r', 'rb'] }, lines: { minimum: 1, maximum: 100 } },
  });
  const ok = { path: '/tmp/a.txt', mode: 'r', lines: 10 };

  it('lets arguments inside every constraint through', () => {
    expect(tool.check(ok)).toBeUndefined();
  });

  it.each([
    [{ ...ok, path: '/etc/passwd' }, 'argument path violates constraint prefix /tmp/'],
    [{ ...ok, path: '/tmp/../etc/passwd' }, 'argument path violates constraint prefix /tmp/'],
    [{ ...ok, path: `/tmp/${'a'.repeat(80)}` }, 'argument path violates constraint maxLength 64'],
    [{ ...ok, mode: 'w' }, 'argument mode violates constraint enum ["r","rb"]'],
    [{ ...ok, lines: 1000 }, 'argument lines violates constraint maximum 100'],
    [{ ...ok, lines: '5' }, 'argument lines must be a number'],
    [{ mode: 'r', lines: 1 }, "argument path is required by the task's constraints"],
  ])('rejects %j with a reason naming the rule', (args, reason) => {
    expect(tool.check(args)).toBe(reason);
  });

  it('applies patterns and const', () => {
    const t = compileTaskTool({ name: 'q', constraints: { table: { pattern: '^[a-z_]+$' }, db: { const: 'analytics' } } });
    expect(t.check({ table: 'events', db: 'analytics' })).toBeUndefined();
    expect(t.check({ table: 'events; drop', db: 'analytics' })).toBe('argument table violates constraint pattern ^[a-z_]+$');
    expect(t.check({ table: 'events', db: 'prod' })).toBe('argument db violates constraint const "analytics"');
  });

  it.each(['(a+)+$', '(a|aa)*', '(\\w)\\1', '(?=x)y', '((ab)*)*'])('refuses the backtracking-prone pattern %s', async (p) => {
    expect(await outcome(() => assertSafePattern(p))).toBe('WARDEN_TASK_INVALID');
  });

  it.each(['^/tmp/[a-z0-9._-]+$', '^(foo|bar)$', '^[a-z]+(\\.[a-z]+)?$'])('accepts the linear pattern %s', (p) => {
    expect(() => assertSafePattern(p)).not.toThrow();
  });
});

describe('narrowing a task for a sub-agent', () => {
  const parent = [
    { name: 'read_file', constraints: { path: { prefix: '/data/' }, mode: { enum: ['r', 'rb'] } } },
    { name: 'search', constraints: { limit: { maximum: 50 } } },
  ];

  it('keeps a subset and inherits the parent constraints it does not restate', () => {
    const child = narrowTools(parent, [{ name: 'read_file', constraints: { path: { prefix: '/data/reports/' } } }]);
    expect(child).toEqual([{ name: 'read_file', constraints: { path: { prefix: '/data/reports/' }, mode: { enum: ['r', 'rb'] } } }]);
  });

  it.each([
    [[{ name: 'delete_file' }], 'tool delete_file is not in the parent task'],
    [[{ name: 'read_file', constraints: { path: { prefix: '/' } } }], 'prefix / does not start with /data/'],
    [[{ name: 'read_file', constraints: { mode: { enum: ['r', 'w'] } } }], 'enum widens'],
    [[{ name: 'search', constraints: { limit: { maximum: 500 } } }], 'maximum 500 exceeds 50'],
  ])('refuses %j as widening', async (requested, reason) => {
    let message = '';
    const code = await outcome(() => {
      try {
        narrowTools(parent, requested);
      } catch (e) {
        message = (e as Error).message;
        throw e;
      }
    });
    expect(code).toBe('WARDEN_TASK_WIDENING');
    expect(message).toContain(reason);
  });
});
