import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STMT_TYPES, validatePolicy, type Block } from '../../../../src/compiler/ir/types.ts';

const root = '/work/shared/rego-conformance';

describe('IR types', () => {
  it('cover every statement kind and plan shape used by the conformance plans', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as { dir: string; file: string }[];
    const seen = new Set<string>();
    const walk = (b: Block): void => {
      for (const s of b.stmts) {
        seen.add(s.type);
        const st = s.stmt as unknown as Record<string, unknown>;
        if (st['block']) walk(st['block'] as Block);
        if (Array.isArray(st['blocks'])) (st['blocks'] as Block[]).forEach(walk);
      }
    };
    for (const e of manifest.slice(0, 200)) {
      const file = JSON.parse(readFileSync(join(root, 'cases', e.dir, e.file), 'utf8')) as { cases: { plan: unknown }[] };
      for (const c of file.cases) {
        expect(validatePolicy(c.plan)).toEqual([]);
        const p = c.plan as { plans: { plans: { blocks: Block[] }[] }; funcs?: { funcs: { blocks: Block[] }[] | null } };
        p.plans.plans.forEach((pl) => pl.blocks.forEach(walk));
        p.funcs?.funcs?.forEach((f) => f.blocks.forEach(walk));
      }
    }
    for (const t of seen) expect(STMT_TYPES).toContain(t);
  });

  it('rejects documents that are not IR', () => {
    expect(validatePolicy(null)).not.toEqual([]);
    expect(validatePolicy({ static: {}, plans: {} })).toEqual(['static.strings is not an array', 'plans.plans is not an array']);
  });
});
