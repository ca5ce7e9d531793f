import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTaskTool, narrowTools, type ArgConstraint } from '../../../src/identity/task-constraints.ts';
import type { TaskTool } from '../../../src/pipeline/types.ts';

// Small alphabets so that generated values often hit the constraints' edges.
const str = fc.string({ unit: fc.constantFrom('/', 'a', 'b', '.', 'x'), maxLength: 8 });
const constraint: fc.Arbitrary<ArgConstraint> = fc.oneof(
  fc.record({ prefix: str }),
  fc.record({ enum: fc.uniqueArray(str, { minLength: 1, maxLength: 4 }) }),
  fc.record({ const: str }),
  fc.record({ maxLength: fc.nat(8) }),
  fc.record({ minimum: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ maximum: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ minimum: fc.integer({ min: -5, max: 0 }), maximum: fc.integer({ min: 0, max: 5 }) }),
);
const args = fc.record({ a: fc.oneof(str, fc.integer({ min: -6, max: 6 })), b: fc.oneof(str, fc.integer({ min: -6, max: 6 })) });
const constraintsFor = fc.dictionary(fc.constantFrom('a', 'b'), constraint, { maxKeys: 2 });

describe('narrowing never widens (property)', () => {
  it('whatever a narrowed tool admits, its parent admits too', () => {
    fc.assert(
      fc.property(constraintsFor, constraintsFor, fc.array(args, { minLength: 1, maxLength: 20 }), (parentC, childC, samples) => {
        const parent: TaskTool[] = [{ name: 't', constraints: parentC }];
        let child: TaskTool[];
        try {
          child = narrowTools(parent, [{ name: 't', constraints: childC }]);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('WARDEN_TASK_WIDENING');
          return;
        }
        const p = compileTaskTool(parent[0]!);
        const c = compileTaskTool(child[0]!);
        for (const sample of samples) {
          if (c.check(sample) === undefined) expect(p.check(sample)).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
  });
});
