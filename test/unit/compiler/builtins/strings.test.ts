import { describe, expect, it } from 'vitest';
import { call, lenient, strict } from './helpers.ts';

describe('string builtins', () => {
  it('interpolates template strings: literals raw, values as Rego terms, undefined marked', () => {
    expect(call('internal.template_string', ['user_', [1], ' is ', ['ok'], ' ', [], ', ', [{ a: 'b' }]])).toBe('user_1 is ok <undefined>, {"a": "b"}');
    expect(call('internal.template_string', [[[42, 13.37, true, 'foo', null]]])).toBe('[42, 13.37, true, "foo", null]');
  });

  it('matches any prefix / suffix across strings, arrays and sets', () => {
    expect(call('strings.any_prefix_match', ['a/b', 'c/d'], 'c/')).toBe(true);
    expect(call('strings.any_prefix_match', 'x/y', ['a/', 'b/'])).toBe(false);
    expect(call('strings.any_suffix_match', 'file.rego', ['.json', '.rego'])).toBe(true);
    expect(() => call('strings.any_prefix_match', [1], 'a')).toThrow(/operand 1 must be array of strings but got array containing number/);
    expect(lenient['strings.any_prefix_match']!(1, 'a')).toBeUndefined();
  });

  it('counts non-overlapping occurrences like Go (empty needle: runes + 1)', () => {
    expect(call('strings.count', 'cheese', 'e')).toBe(3);
    expect(call('strings.count', '11111', '11')).toBe(2);
    expect(call('strings.count', 'dummy', '')).toBe(6);
    expect(call('strings.count', '', '')).toBe(1);
  });

  it('reports rune indices of all matches', () => {
    expect(call('indexof_n', 'dogcatdogcat', 'cat')).toEqual([3, 9]);
    expect(call('indexof_n', '😇😀😇😀😇😀', '😀')).toEqual([1, 3, 5]);
    expect(call('indexof', 'héllo', 'l')).toBe(2);
  });

  it('renders Go text/template: fields, range with index, if, missing keys', () => {
    expect(call('strings.render_template', '{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}', { hellonames: ['rohan', 'john doe'] })).toBe(
      'hello rohan,hello john doe',
    );
    expect(call('strings.render_template', 'test {{.foo}} {{.bar}} {{.baz}}', { baz: 1 })).toBe('test <undefined> <undefined> 1');
  });

  it('formats with Go verbs', () => {
    expect(call('sprintf', 'hi %02d %.2f %s %v', [5, 3.1415, true, ['there', 5, 3.14]])).toBe('hi 05 3.14 true ["there", 5, 3.14]');
    expect(call('sprintf', '%x %q %d%%', ['hi', 'a"b', 7])).toBe('6869 "a\\"b" 7%');
  });

  it('replaces with Go Replacer semantics and trims by cutsets', () => {
    expect(call('strings.replace_n', { foo: 'bar', bar: 'baz' }, 'foo bar')).toBe('bar baz');
    expect(call('trim', '..a.b..', '.')).toBe('a.b');
    expect(call('substring', 'abcdef', 2, -1)).toBe('cdef');
    expect(() => strict.substring!('abc', -1, 1)).toThrow(/negative offset/);
  });
});
