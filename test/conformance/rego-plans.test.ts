/**
 * The Wasm backend and runtime against OPA's conformance suite, using each
 * case's own IR plan (so the frontend is not involved). The fixture lists a
 * fixed, representative subset that must keep passing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../src/compiler/wasm/runtime.ts';
import type { ConformanceCase, LoadedCase } from '../../src/compiler/conformance/cases.ts';
import { runCase } from '../../src/compiler/conformance/runner.ts';

const here = dirname(fileURLToPath(import.meta.url));
const casesDir = resolve(here, '../../../shared/rego-conformance/cases');
const fixture = JSON.parse(readFileSync(join(here, '../fixtures/rego/conformance-plans-subset.json'), 'utf8')) as { cases: string[] };

describe.skipIf(!existsSync(casesDir))('rego conformance (plans mode, fixed subset)', () => {
  // On a clean clone the runtime is built on first use (tens of seconds on a busy machine).
  beforeAll(() => void loadRuntime(), 180_000);

  it('passes every listed case', async () => {
    const byId = new Map<string, LoadedCase>();
    const files = new Map<string, ConformanceCase[]>();
    for (const id of fixture.cases) {
      const [file, index] = id.split('#') as [string, string];
      let cases = files.get(file);
      if (!cases) files.set(file, (cases = (JSON.parse(readFileSync(join(casesDir, file), 'utf8')) as { cases: ConformanceCase[] }).cases));
      const c = cases[Number(index)];
      if (c) byId.set(id, { id, case: c });
    }
    expect(byId.size).toBe(fixture.cases.length);
    const failures: string[] = [];
    for (const id of fixture.cases) {
      const o = await runCase(byId.get(id)!, { plans: true });
      if (o.status !== 'pass') failures.push(`${id}: ${o.note} — ${o.reason}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
