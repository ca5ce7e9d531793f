/**
 * The gateway gives a policy only the parts of input its rules can read
 * (src/compiler/input-reads.ts). Over every OPA conformance case that has a
 * JSON input, compiled from source, cutting the input down that way must change
 * no result. (`warden rego conformance <dir> --project-input` runs them all.)
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCases } from '../../src/compiler/conformance/cases.ts';
import { runCase } from '../../src/compiler/conformance/runner.ts';
import { loadRuntime } from '../../src/compiler/wasm/runtime.ts';

const here = dirname(fileURLToPath(import.meta.url));
const casesDir = resolve(here, '../../../shared/rego-conformance/cases');

describe.skipIf(!existsSync(casesDir))('rego conformance with the input cut down to what each policy reads', () => {
  beforeAll(() => void loadRuntime(), 180_000);

  it('passes every case that has a JSON input', async () => {
    const failures: string[] = [];
    let withInput = 0;
    for (const lc of loadCases(casesDir)) {
      if (!('input' in lc.case) || lc.case.input_term !== undefined) continue;
      withInput++;
      const o = await runCase(lc, { plans: false, projectInput: true });
      if (o.status === 'fail') failures.push(`${lc.id}: ${lc.case.note} — ${o.reason}`);
    }
    expect(withInput).toBeGreaterThan(100);
    expect(failures).toEqual([]);
  }, 300_000);
});
