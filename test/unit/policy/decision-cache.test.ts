import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compileWasm } from '../../../src/compiler/index.ts';
import { jsBuiltins } from '../../../src/compiler/builtins/index.ts';
import { createPolicyEngine, type PolicyEngine } from '../../../src/policy/engine.ts';
import type { PolicyInput } from '../../../src/policy/input.ts';

const engines: PolicyEngine[] = [];
afterAll(() => engines.forEach((e) => e.close()));

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'warden-cache-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function engine(config: { dir: string; entrypoint: string; dataFile?: string }): Promise<PolicyEngine> {
  const e = await createPolicyEngine({ config: { hotReload: false, ...config } });
  engines.push(e);
  return e;
}

const base: PolicyInput = {
  version: 1,
  agent: { id: 'demo', kind: 'oidc', manifest: { name: 'demo', tools: ['*'], upstreams: ['*'] } },
  request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: '2026-01-01T00:00:00.000Z' },
  token: { age_s: 10, scopes: [] },
  history: { window_s: 3600, started_at: 0, total: 0, tools: {}, tasks: {} },
  tool: { name: 'echo', upstream: 'demo', upstream_name: 'echo', annotations: {} },
  arguments: { text: 'hi' },
};

describe('remembered decisions (deterministic policies)', () => {
  it('decide as the policy does on the whole input, asked once or again (fast-check, default policy, with and without data)', async () => {
    const source = readFileSync('rego/warden/decision.rego', 'utf8');
    const { wasm } = await compileWasm({ modules: [{ file: 'decision.rego', source }], entrypoints: ['warden/decision'] });
    const reference = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
    const name = fc.constantFrom('echo', 'get_customer', 'delete_records');
    const arbInput = fc.record({
      agentId: fc.constantFrom('demo', 'bot'),
      tools: fc.array(name, { maxLength: 2 }),
      tool: name,
      destructive: fc.boolean(),
      ageS: fc.nat(1200),
      sub: fc.option(fc.constantFrom('alice', 'bob'), { nil: undefined }),
      calls: fc.dictionary(name, fc.nat(4)),
    });
    for (const data of [undefined, { config: { max_calls_per_tool: 2, max_token_age_s: 600 } }]) {
      const dataFile = data ? join(tempDir({ 'data.json': JSON.stringify(data) }), 'data.json') : undefined;
      const e = await engine({ dir: 'rego', entrypoint: 'warden/decision', ...(dataFile ? { dataFile } : {}) });
      reference.setData(data ?? {});
      fc.assert(
        fc.property(arbInput, (g) => {
          const input: PolicyInput = {
            ...base,
            agent: { id: g.agentId, kind: 'oidc', manifest: { name: g.agentId, tools: g.tools, upstreams: ['*'] } },
            tool: { name: g.tool, upstream: 'demo', upstream_name: g.tool, annotations: g.destructive ? { destructiveHint: true } : {} },
            token: { age_s: g.ageS, scopes: [] },
            history: { ...base.history, tools: g.calls },
            ...(g.sub ? { user: { sub: g.sub } } : {}),
          };
          const want = (reference.evaluate(input) as { result: { allow: boolean; reason: string; obligations: unknown } }[])[0]!.result;
          for (let i = 0; i < 2; i++) {
            const got = e.decide(input);
            expect(got).toEqual({ allow: want.allow, reason: want.reason, obligations: want.obligations });
          }
        }),
        { numRuns: 200 },
      );
    }
  });

  it('cannot be changed by a caller: a remembered decision is frozen', async () => {
    const e = await engine({ dir: 'rego', entrypoint: 'warden/decision' });
    const first = e.decide(base);
    expect(() => (first.obligations.redact as string[]).push('IBAN')).toThrow(TypeError);
    expect(() => ((first as { allow: boolean }).allow = false)).toThrow(TypeError);
    expect(e.decide(base)).toEqual({ allow: true, reason: 'allowed', obligations: { redact: ['EMAIL_ADDRESS', 'PHONE_NUMBER'], require_approval: false } });
  });

  it('are not kept for a policy that reads the clock', async () => {
    const dir = tempDir({ 'p.rego': 'package t\nimport rego.v1\ndecision := {"allow": true, "reason": sprintf("at %d", [time.now_ns()])}\n' });
    const e = await engine({ dir, entrypoint: 't/decision' });
    const reasons = new Set<string>();
    for (let i = 0; i < 50 && reasons.size < 2; i++) {
      reasons.add(e.decide(base).reason);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(reasons.size).toBe(2);
  });

  it('stay right when inputs stop repeating and the cache switches off, and after it comes back', async () => {
    const dir = tempDir({ 'p.rego': 'package t\nimport rego.v1\ndecision := {"allow": input.token.age_s % 2 == 0, "reason": sprintf("age %d", [input.token.age_s])}\n' });
    const e = await engine({ dir, entrypoint: 't/decision' });
    // Distinct ages (no hits: the cache switches off at 4,096, on again at 69,632), then repeats that hit.
    for (let i = 0; i < 80_000; i++) {
      const age = i < 70_000 ? i : i % 7;
      const d = e.decide({ ...base, token: { age_s: age, scopes: [] } });
      if (d.allow !== (age % 2 === 0) || d.reason !== `age ${age}`) throw new Error(`wrong decision for age ${age}: ${JSON.stringify(d)}`);
    }
    expect(e.decide({ ...base, token: { age_s: 3, scopes: [] } })).toMatchObject({ allow: false, reason: 'age 3' });
  });

  it('are forgotten when the policy is reloaded', async () => {
    const dir = tempDir({ 'p.rego': 'package t\nimport rego.v1\ndecision := {"allow": true, "reason": "v1"}\n' });
    const e = await engine({ dir, entrypoint: 't/decision' });
    expect(e.decide(base).reason).toBe('v1');
    writeFileSync(join(dir, 'p.rego'), 'package t\nimport rego.v1\ndecision := {"allow": false, "reason": "v2"}\n');
    await e.reload();
    expect(e.decide(base)).toMatchObject({ allow: false, reason: 'v2' });
  });
});
