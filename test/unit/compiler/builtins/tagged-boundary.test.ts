/**
 * Values crossing from compiled policies to the JavaScript builtins and back
 * (warden's runtime + jsBuiltins({taggedSets: true}) through the real opa-wasm SDK):
 * sets stay sets, integers beyond 2^53 stay exact, and user objects that look
 * like a tag are not misread.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';
import { compileWasm } from '../../../../src/compiler/index.ts';
import { evalQuery, valueOf, warmUp } from '../plan/evaluate.ts';

beforeAll(warmUp, 180_000);

const M = 'package t\nimport rego.v1\n';

describe('tagged values at the Wasm/JS builtin boundary', () => {
  it('passes user objects keyed like tags through a JS builtin unchanged', async () => {
    const docs = [{ $rego_set: [1, 2] }, { $rego_num: '123456789012345678901' }, { $rego_obj: { $rego_set: 'x' } }, { $rego_set: { $rego_set: [] } }];
    for (const doc of docs) {
      expect(await valueOf(M, 'json.patch(input.doc, [])', { input: { doc } })).toEqual(doc);
      const rows = await evalQuery(M, 'x = json.patch(input.doc, []); y = x == input.doc; z = is_object(x)', { input: { doc } });
      expect(rows[0]).toMatchObject({ y: true, z: true });
    }
  });

  it('keeps sets as sets inside values a JS builtin returns', async () => {
    const rows = await evalQuery(M, 'x = json.patch({"a": {1, 2}}, [{"op": "add", "path": "/b", "value": {3}}]); s = is_set(x.a); t = is_set(x.b)');
    expect(rows[0]).toMatchObject({ s: true, t: true, x: { a: [1, 2], b: [3] } });
  });

  it('serialises a set handed to yaml.marshal as a list, as OPA does', async () => {
    expect(await valueOf(M, 'yaml.unmarshal(yaml.marshal({"k": {3, 1}}))')).toEqual({ k: [1, 3] });
  });

  it('hands integers beyond 2^53 to the time builtins exactly', async () => {
    expect(await valueOf(M, 'time.format(1670006453141828752)')).toBe('2022-12-02T18:40:53.141828752Z');
    expect(await valueOf(M, 'time.format(-9007199254740993)')).toBe('1969-09-18T18:00:00.745259007Z');
  });

  it('does not tag entry point results or inputs (they stay plain JSON)', async () => {
    const rows = await evalQuery(M, 'x = {1, 2}; y = input.v; z = 12345678901234567890', { input: { v: { $rego_set: [1] } } });
    expect(rows[0]).toEqual({ x: [1, 2], y: { $rego_set: [1] }, z: 12345678901234567000 });
  });
});

describe('after a JS builtin throws (strict builtin errors)', () => {
  it('the next evaluation reads its input as plain JSON again', async () => {
    const source = 'package t\nimport rego.v1\nr := {"t": time.parse_rfc3339_ns(input.t), "v": input.v, "set": is_set(input.v)}\n';
    const { wasm } = await compileWasm({ modules: [{ file: 't.rego', source }], entrypoints: ['t/r'] });
    const p = await loadPolicy(wasm, undefined, jsBuiltins({ strict: true, taggedSets: true }));
    expect(() => p.evaluate({ t: 'not a time', v: 1 })).toThrow(/time.parse_rfc3339_ns/);
    const v = { $rego_set: [1] };
    expect(p.evaluate({ t: '2022-12-02T18:40:53Z', v })).toEqual([{ result: { t: 1670006453000000000, v, set: false } }]);
  });
});

describe('jsBuiltins({taggedSets: true}) wire form', () => {
  const tagged = jsBuiltins({ strict: true, taggedSets: true });

  it('reads escaped objects as objects and escapes them again in results', () => {
    const wire = { $rego_obj: { $rego_set: [1, { $rego_set: [2] }] } };
    const out = tagged['json.patch']!(wire, []);
    expect(JSON.parse(JSON.stringify(out))).toEqual({ $rego_obj: { $rego_set: [1, { $rego_set: [2] }] } });
    expect(tagged['json.patch']!({ a: { $rego_set: [1] } }, [{ op: 'add', path: '/b', value: 2 }])).toEqual({ a: [1], b: 2 });
  });

  it('gives tagged integers to the time builtins as exact bigints and to others as numbers', () => {
    expect(tagged['time.format']!({ $rego_num: '1670006453141828752' })).toBe('2022-12-02T18:40:53.141828752Z');
    expect(tagged['format_int']!({ $rego_num: '9007199254740993' }, 10)).toBe('9007199254740992');
  });
});
