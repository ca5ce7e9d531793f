import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinDecl, builtinDecls, hostBuiltinName, infixOperators, isNativeInWasm, operatorAliases } from '../../../../src/compiler/builtins/decls.ts';
import { strict } from './helpers.ts';

const CASES = '/work/shared/rego-conformance/cases';

function planDecls(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const dir of readdirSync(CASES)) {
    for (const file of readdirSync(join(CASES, dir))) {
      const doc = JSON.parse(readFileSync(join(CASES, dir, file), 'utf8')) as { cases: { plan?: { static?: { builtin_funcs?: { name: string; decl: unknown }[] } } }[] };
      for (const c of doc.cases) for (const b of c.plan?.static?.builtin_funcs ?? []) out.set(b.name, b.decl);
    }
  }
  return out;
}

describe('builtin declarations', () => {
  it('declares every builtin the conformance plans call, exactly as OPA declares it', () => {
    const decls = planDecls();
    expect(decls.size).toBeGreaterThan(150);
    for (const [name, decl] of decls) expect(builtinDecls[name], name).toEqual(decl);
  });

  it('maps every infix operator and alias to a declared builtin', () => {
    for (const name of [...Object.values(infixOperators), ...Object.values(operatorAliases)]) {
      expect(builtinDecl(name), name).toBeDefined();
    }
    expect(infixOperators['+']).toBe('plus');
    expect(infixOperators['==']).toBe('equal');
    expect(operatorAliases.in).toBe('internal.member_2');
  });

  it('knows which builtins are native to the Wasm runtime', () => {
    expect(isNativeInWasm('count')).toBe(true);
    expect(isNativeInWasm('io.jwt.decode')).toBe(false);
    expect(builtinDecl('toString')).toBeUndefined();
  });

  it('routes builtins opa-wasm would shadow to warden aliases that the JS table answers', () => {
    expect(hostBuiltinName('sprintf')).toBe('warden.sprintf');
    expect(hostBuiltinName('io.jwt.decode')).toBe('io.jwt.decode');
    expect(strict[hostBuiltinName('sprintf')]!('hi %v', [['there', 5]])).toBe('hi ["there", 5]');
    expect(strict[hostBuiltinName('json.is_valid')]!(42)).toBe(false);
  });
});
