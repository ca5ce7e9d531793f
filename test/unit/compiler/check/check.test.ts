import { describe, expect, it } from 'vitest';
import { compileToIr, RegoError } from '../../../../src/compiler/index.ts';

/** Compile and return the error (code, message), or undefined when the policy compiles. */
function compileError(source: string, entrypoints: string[] = []): RegoError | undefined {
  try {
    compileToIr({ modules: [{ file: 'p.rego', source }], entrypoints });
    return undefined;
  } catch (err) {
    if (err instanceof RegoError) return err;
    throw err;
  }
}

describe('checks', () => {
  it('reports unsafe variables with their location', () => {
    const err = compileError('package t\n\np if {\n\tx > 1\n}\n');
    expect(err?.code).toBe('rego_unsafe_var_error');
    expect(err?.message).toBe('p.rego:4:2: rego_unsafe_var_error: var x is unsafe');
  });

  it('finds unsafe variables in rules no entrypoint reaches', () => {
    expect(compileError('package t\nok := 1\nbad contains y if { z := 1 }\n', ['t/ok'])?.code).toBe('rego_unsafe_var_error');
  });

  it('a variable bound only inside a negation or comprehension stays unsafe outside it', () => {
    expect(compileError('package t\np if { not input.a[x]; x == 1 }\n')?.message).toMatch(/var x is unsafe/);
    expect(compileError('package t\np := y if { c := [y | y := 1] }\n')?.message).toMatch(/var y is unsafe/);
  });

  it('reorders bodies instead of rejecting them when a later expression binds the var', () => {
    expect(compileError('package t\np := y if {\n  y := x + 1\n  x := input.n\n}\n')).toBeUndefined();
    expect(compileError('package t\np if {\n  count(xs) > 1\n  xs := [x | some x in input.xs]\n}\n')).toBeUndefined();
  });

  it('detects recursion between rules', () => {
    const err = compileError('package t\na := b\nb := c\nc := a\n');
    expect(err?.code).toBe('rego_recursion_error');
    expect(err?.message).toMatch(/^p\.rego:\d+:1: rego_recursion_error: rule data\.t\.\w is recursive: /);
    expect(err?.message).toMatch(/data\.t\.a -> data\.t\.b -> data\.t\.c -> data\.t\.a$/);
  });

  it('rejects unknown functions and wrong builtin arity as rego_type_error', () => {
    expect(compileError('package t\np := nosuch.fn(1)\n')?.message).toBe('p.rego:2:6: rego_type_error: undefined function nosuch.fn');
    const arity = compileError('package t\np := count(1, 2, 3)\n');
    expect(arity?.code).toBe('rego_type_error');
    expect(arity?.message).toMatch(/count: arity mismatch/);
  });

  it('rejects rules of different kinds at one path and clashing function arities', () => {
    expect(compileError('package t\np := 1\np contains 2\n')?.code).toBe('rego_type_error');
    expect(compileError('package t\nf(x) := 1\nf(x, y) := 2\n')?.message).toMatch(/arity/);
    expect(compileError('package t\ndefault p := 1\ndefault p := 2\n')?.message).toMatch(/multiple default rules/);
  });

  it('rejects else and default on multi-value rules', () => {
    expect(compileError('package t\np contains 1 if false else := 2\n')?.message).toMatch(/^p\.rego:2:\d+: rego_parse_error: else keyword cannot be used on multi-value rules/);
    expect(compileError('package t\ndefault p[x] := 1\n')?.code).toBe('rego_parse_error');
  });

  it('rejects a complete rule that also has rules below it', () => {
    expect(compileError('package t\np := 1\np.q := 2\n')?.code).toBe('rego_type_error');
  });

  it('fails cleanly on pathologically deep nesting', () => {
    const deep = `package t\np := ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    expect(compileError(deep)?.message).toMatch(/^p\.rego:1:1: rego_(parse|compile)_error: .*nested too deeply/);
  });

  it('requires functions to be called', () => {
    expect(compileError('package t\nf(x) := x\np := f\n')?.code).toBe('rego_type_error');
  });
});
