import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { compileBundle, compileToIr, compileWasm, parseModule } from '../../../../src/compiler/index.ts';
import { warmUp } from '../plan/evaluate.ts';

const POLICY = `package warden
import rego.v1

default allow := false
allow if {
  input.tool in data.allowed_tools
  not input.args.dangerous
}
decision := {"allow": allow, "reasons": reasons}
reasons contains "tool not allowed" if not input.tool in data.allowed_tools
reasons contains "dangerous arguments" if input.args.dangerous
`;

beforeAll(warmUp, 180_000);

describe('compile API', () => {
  it('compileToIr plans one entrypoint per name with {"result": …} rows and OPA-shaped static data', () => {
    const ir = compileToIr({ modules: [{ file: 'w.rego', source: POLICY }], entrypoints: ['warden/decision', 'warden/allow'] });
    expect(ir.plans.plans.map((p) => p.name)).toEqual(['warden/decision', 'warden/allow']);
    expect(ir.static.files.map((f) => f.value)).toContain('w.rego');
    expect(ir.static.builtin_funcs?.map((b) => b.name)).toContain('internal.member_2');
    expect(ir.funcs?.funcs?.some((f) => f.name === 'g0.data.warden.allow')).toBe(true);
  });

  it('compileWasm output runs on the unmodified opa-wasm SDK', async () => {
    const { wasm, entrypoints } = await compileWasm({ modules: [{ file: 'w.rego', source: POLICY }], entrypoints: ['warden/decision'] });
    expect(entrypoints).toEqual(['warden/decision']);
    const policy = await loadPolicy(wasm);
    policy.setData({ allowed_tools: ['search'] });
    expect(policy.evaluate({ tool: 'search', args: {} }, 'warden/decision')).toEqual([{ result: { allow: true, reasons: [] } }]);
    expect(policy.evaluate({ tool: 'shell', args: { dangerous: true } }, 'warden/decision')).toEqual([
      { result: { allow: false, reasons: ['dangerous arguments', 'tool not allowed'] } },
    ]);
  });

  it('compileBundle packs /policy.wasm, /data.json and a manifest naming the entrypoints', async () => {
    const tgz = await compileBundle({ modules: [{ file: 'w.rego', source: POLICY }], entrypoints: ['warden/decision'], data: { allowed_tools: ['x'] } });
    const files = untar(gunzipSync(tgz));
    expect([...files.keys()].sort()).toEqual(['.manifest', 'data.json', 'policy.wasm']);
    expect(JSON.parse(files.get('data.json')!.toString())).toEqual({ allowed_tools: ['x'] });
    expect(JSON.parse(files.get('.manifest')!.toString()).wasm).toEqual([{ entrypoint: 'warden/decision', module: '/policy.wasm' }]);
    const policy = await loadPolicy(files.get('policy.wasm')!);
    policy.setData({ allowed_tools: ['x'] });
    expect(policy.evaluate({ tool: 'x', args: {} }, 'warden/decision')[0]).toEqual({ result: { allow: true, reasons: [] } });
  });

  it('an entrypoint that names no rule or package is a compile error', () => {
    expect(() => compileToIr({ modules: [{ file: 'w.rego', source: POLICY }], entrypoints: ['warden/decison'] }))
      .toThrow('<entrypoint>:1:1: rego_compile_error: entrypoint warden/decison does not name a rule or package');
  });

  it('compile errors surface as located RegoErrors', async () => {
    await expect(compileWasm({ modules: [{ file: 'bad.rego', source: 'package x\np if { y }\n' }], entrypoints: ['x/p'] }))
      .rejects.toThrow('bad.rego:2:8: rego_unsafe_var_error: var y is unsafe');
  });

  // The OPA conformance cases live outside the repository; when present, every module must parse.
  const cases = '/work/shared/rego-conformance/cases';
  it.runIf(existsSync(cases))('parses every module of the OPA conformance cases', () => {
    let n = 0;
    for (const dir of readdirSync(cases)) {
      for (const file of readdirSync(`${cases}/${dir}`)) {
        const doc = JSON.parse(readFileSync(`${cases}/${dir}/${file}`, 'utf8')) as { cases: { modules?: string[] }[] };
        for (const c of doc.cases) (c.modules ?? []).forEach((m, i) => { parseModule(m, `${dir}/${file}#${i}`); n++; });
      }
    }
    expect(n).toBeGreaterThan(1900);
  });
});

function untar(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off + 512 <= buf.length) {
    const name = buf.subarray(off, off + 100).toString().replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(buf.subarray(off + 124, off + 136).toString().replace(/\0.*$/s, '').trim(), 8);
    out.set(name.replace(/^\//, ''), buf.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
