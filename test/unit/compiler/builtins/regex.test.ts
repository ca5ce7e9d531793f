import { describe, expect, it } from 'vitest';
import { call, lenient } from './helpers.ts';

describe('regex builtins (RE2 semantics)', () => {
  it('replaces all matches with Go $-expansion', () => {
    expect(call('regex.replace', '-wy-wxxy-', 'w(x*)y', '0')).toBe('-0-0-');
    expect(call('regex.replace', 'foo', '(foo)', '$1$1')).toBe('foofoo');
    expect(call('regex.replace', 'foo barx', '[a-z]{2}', '_')).toBe('_o __');
    expect(lenient['regex.replace']!('foo', '[', '$1')).toBeUndefined();
  });

  it('finds n matches and submatches, empty groups as ""', () => {
    expect(call('regex.find_n', 'a.', 'paranormal', -1)).toEqual(['ar', 'an', 'al']);
    expect(call('regex.find_n', 'a.', 'paranormal', 2)).toEqual(['ar', 'an']);
    expect(call('regex.find_all_string_submatch_n', '[^aouiye]([aouiye])([^aouiye])?', 'somestri', -1)).toEqual([
      ['som', 'o', 'm'],
      ['ri', 'i', ''],
    ]);
  });

  it('splits like Go regexp.Split', () => {
    expect(call('regex.split', 'a', 'banana')).toEqual(['b', 'n', 'n', '']);
    expect(call('regex.split', 'z+', 'pizza')).toEqual(['pi', 'a']);
  });

  it('translates RE2-only syntax and rejects what RE2 lacks', () => {
    expect(call('regex.match', '(?i)^HELLO\\z', 'hello')).toBe(true);
    expect(call('regex.match', '^[[:digit:]]+$', '123')).toBe(true);
    expect(call('regex.match', '(?P<year>\\d{4})', 'in 2024')).toBe(true);
    expect(call('regex.is_valid', '(a)\\1')).toBe(false);
    expect(call('regex.is_valid', '(?=a)')).toBe(false);
  });

  it('matches templates and intersects glob-like regexes', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.globs_match', '[a-z]+', '[0-9]*')).toBe(false);
    expect(call('regex.globs_match', 'b.*', 'bar')).toBe(true);
    expect(call('regex.globs_match', '[a-z]+\\[[0-9]+\\]', 'foo\\[1\\]')).toBe(true);
  });
});
