import { describe, expect, it } from 'vitest';
import { call, lenient } from './helpers.ts';

describe('object, json and encoding builtins', () => {
  it('object.subset recurses into objects, treats sets as sets and arrays as runs', () => {
    expect(call('object.subset', { a: 5, b: 7, n: { x: 1, y: 2 } }, { a: 5, n: { x: 1 } })).toBe(true);
    expect(call('object.subset', { a: 5 }, { a: 5, b: 7 })).toBe(false);
    expect(call('object.subset', [1, 2, 3, 4, 5, 6], [3, 4, 5])).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4, 5, 6], [4, 5, 6, 8])).toBe(false);
  });

  it('unions objects recursively, last wins; keys come back as a set', () => {
    expect(call('object.union_n', [{ a: 1, b: { c: 1 } }, { b: { d: 2 } }, { a: 'final' }])).toEqual({ a: 'final', b: { c: 1, d: 2 } });
    expect(call('object.keys', { b: 1, a: 2 })).toEqual(['a', 'b']);
    expect(call('object.get', { a: { b: [10, 20] } }, ['a', 'b', 1], 'none')).toBe(20);
  });

  it('marshals JSON as Go does and honours marshal options', () => {
    expect(call('json.marshal', { b: [1, 2], a: '<x>' })).toBe('{"a":"\\u003cx\\u003e","b":[1,2]}');
    expect(call('json.marshal_with_options', { foo: 'bar', bar: 'baz' }, { prefix: 'JSON => ' })).toBe('JSON => {\nJSON => \t"bar": "baz",\nJSON => \t"foo": "bar"\nJSON => }');
    expect(() => call('json.marshal_with_options', [], { indent: ' ', bogus: true })).toThrow(/unknown key "bogus"/);
  });

  it('applies JSON Patch and fails the whole patch on a bad path', () => {
    expect(call('json.patch', { a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'replace', path: '/b', value: 0 }])).toBeUndefined();
    expect(call('json.patch', { a: [1, 2] }, [{ op: 'add', path: '/a/-', value: 3 }, { op: 'move', from: '/a', path: '/b' }])).toEqual({ b: [1, 2, 3] });
    expect(call('json.patch', ['foo'], [{ op: 'test', path: '/00', value: 'foo' }])).toBeUndefined();
  });

  it('validates JSON Schema with gojsonschema-shaped errors', () => {
    const schema = { properties: { id: { type: 'integer' } }, required: ['id'] };
    expect(call('json.match_schema', { id: 5 }, schema)).toEqual([true, []]);
    expect(call('json.match_schema', { id: 'foo' }, schema)).toEqual([
      false,
      [{ desc: 'Invalid type. Expected: integer, given: string', error: 'id: Invalid type. Expected: integer, given: string', field: 'id', type: 'invalid_type' }],
    ]);
    expect(call('json.verify_schema', '{"type": "boolean"}')).toEqual([true, null]);
    expect((call('json.verify_schema', { type: 'nope' }) as unknown[])[0]).toBe(false);
  });

  it('encodes hex, base64url without padding and url queries like Go', () => {
    expect(call('hex.encode', 'lorem ipsum')).toBe('6c6f72656d20697073756d');
    expect(() => call('hex.decode', 'fghijkl')).toThrow(/invalid byte: U\+0067 'g'/);
    expect(call('base64url.encode_no_pad', 'hello')).toBe('aGVsbG8');
    expect(call('base64url.decode', 'aGVsbG8')).toBe('hello');
    expect(call('urlquery.encode', 'a=b+1')).toBe('a%3Db%2B1');
    expect(call('urlquery.encode_object', { a: ['b+1', 'c+2'] })).toBe('a=b%2B1&a=c%2B2');
    expect(call('urlquery.decode_object', 'a=value_a1&b&a=value_a2')).toEqual({ a: ['value_a1', 'value_a2'], b: [''] });
  });

  it('parses units exactly and bytes as integers', () => {
    expect(call('units.parse', '0.0000005M')).toBe(0.5);
    expect(call('units.parse', '500m')).toBe(0.5);
    expect(call('units.parse', '128Gi')).toBe(137438953472);
    expect(call('units.parse_bytes', '1.5KiB')).toBe(1536);
    expect(() => call('units.parse_bytes', '100 kb')).toThrow(/spaces not allowed/);
    expect(() => call('units.parse_bytes', 'GB')).toThrow(/no byte amount provided/);
  });

  it('compares semantic versions and parses UUIDs', () => {
    expect(call('semver.compare', '1.0.0', '2.0.0')).toBe(-1);
    expect(call('semver.is_valid', 'v1.0.0')).toBe(false);
    expect(() => call('semver.compare', '1', '1.0.0')).toThrow(/operand 1: string "1" is not a valid SemVer/);
    expect(call('uuid.parse', '{00000000-0000-4000-8000-000000000000}')).toEqual({ variant: 'RFC4122', version: 4 });
    const v2 = call('uuid.parse', 'urn:uuid:000003e8-48b9-21ee-b200-325096b39f47') as Record<string, unknown>;
    // OPA's expected time is a float64 rendering; compare by value.
    expect(Number(v2.time)).toBe(1693566990121469700);
    expect({ ...v2, time: 0 }).toEqual({
      clocksequence: 12800,
      domain: 'Person',
      id: 1000,
      macvariables: 'local:unicast',
      nodeid: '32-50-96-b3-9f-47',
      time: 0,
      variant: 'RFC4122',
      version: 2,
    });
    expect(lenient['uuid.parse']!('not-a-uuid')).toBeUndefined();
  });
});
