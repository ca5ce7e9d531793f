/** The runtime's native regex and glob builtins (RE2 syntax, linear-time matching). */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuntime } from '../../../../src/compiler/wasm/runtime.ts';
import { instance } from './instance.ts';

function matcher(): { match(p: string, s: string): boolean | 'undefined'; valid(p: string): boolean; glob(p: string, d: string[] | null, s: string): boolean | 'undefined' } {
  const { ex, parse, dump } = instance();
  const call = (f: string, ...args: unknown[]): boolean | 'undefined' => {
    const r = ex[f]!(...args.map((a) => parse(JSON.stringify(a))));
    return r === 0 ? 'undefined' : dump(r) === 'true';
  };
  return {
    match: (p, s) => call('b_regex_match', p, s),
    valid: (p) => call('b_regex_is_valid', p) === true,
    glob: (p, d, s) => call('b_glob_match', p, d, s),
  };
}

describe('runtime regex', () => {
  // On a clean clone the runtime is built on first use (tens of seconds on a busy machine).
  beforeAll(() => void loadRuntime(), 180_000);

  it('matches RE2 syntax: anchors, classes, alternation, repetition, flags', () => {
    const m = matcher();
    const cases: [string, string, boolean][] = [
      ['^a.c$', 'abc', true],
      ['^a.c$', 'abcd', false],
      ['b', 'abc', true],
      ['^[a-z]+@[a-z]+\\.com$', 'ops@example.com', true],
      ['^[^0-9]*$', 'abc1', false],
      ['^(foo|bar)baz$', 'barbaz', true],
      ['^x{2,3}$', 'xxxx', false],
      ['^x{2,3}$', 'xxx', true],
      ['(?i)^HELLO$', 'hello', true],
      ['^\\d+\\s\\w+$', '42 apples', true],
      ['\\bcat\\b', 'a cat sat', true],
      ['\\bcat\\b', 'concatenate', false],
      ['^[[:alpha:]]+$', 'abcXYZ', true],
      ['^é.$', 'éa', true],
      ['(?s)a.b', 'a\nb', true],
      ['a.b', 'a\nb', false],
      ['^(?:a|ab)(?:c|bcd)$', 'abcd', true],
    ];
    for (const [p, s, want] of cases) expect([p, s, m.match(p, s)]).toEqual([p, s, want]);
  });

  it('rejects what RE2 rejects (backreferences, lookarounds, bad syntax)', () => {
    const m = matcher();
    for (const bad of ['(a', 'a)', '*a', 'a**', '[a-', '(?=a)', '\\1', 'x{2,1}', 'a{1001}']) expect([bad, m.valid(bad)]).toEqual([bad, false]);
    for (const good of ['a|b', '[]a]', 'a{2}', '(?P<n>x)', '\\Qa.b\\E', '[\\d\\-]']) expect([good, m.valid(good)]).toEqual([good, true]);
    expect(m.match('(a', 'a')).toBe('undefined');
  });

  it('answers catastrophic patterns without backtracking: (a*)*b against 30 a\'s', () => {
    const m = matcher();
    expect(m.match('(a*)*b', 'a'.repeat(30))).toBe(false);
    expect(m.match('^(a|aa)*$', `${'a'.repeat(40)}b`)).toBe(false);
    expect(m.match('(x+x+)+y', `${'x'.repeat(5000)}y`)).toBe(true);
  });

  it('implements glob.match with delimiters, ** and alternatives', () => {
    const m = matcher();
    expect(m.glob('*.github.com', [], 'api.github.com')).toBe(true);
    expect(m.glob('*.github.com', [], 'api.cdn.github.com')).toBe(false);
    expect(m.glob('**.github.com', [], 'api.cdn.github.com')).toBe(true);
    expect(m.glob('*.github.com', null, 'api.cdn.github.com')).toBe(true);
    expect(m.glob('{cat,dog}:?', [':'], 'dog:x')).toBe(true);
    expect(m.glob('[!a-c]x', [], 'dx')).toBe(true);
    expect(m.glob('[!a-c]x', [], 'bx')).toBe(false);
  });
});

describe('runtime regex with captures', () => {
  beforeAll(() => void loadRuntime(), 180_000);

  function call(): (name: string, ...args: unknown[]) => unknown {
    const { ex, parse, dump } = instance();
    return (name, ...args) => {
      const r = ex[`b_${name.replace(/\./g, '_')}`]!(...args.map((a) => parse(JSON.stringify(a))));
      return r === 0 ? undefined : JSON.parse(dump(r));
    };
  }

  it('finds matches leftmost-first like Go, skipping empty matches right after a match', () => {
    const c = call();
    expect(c('regex.find_n', 'a+', 'baaab aab', -1)).toEqual(['aaa', 'aa']);
    expect(c('regex.find_n', 'a|ab', 'ab', -1)).toEqual(['a']); // first alternative wins
    expect(c('regex.find_n', 'a*', 'baaac', -1)).toEqual(['', 'aaa', '']); // Go: no empty match right after 'aaa'
    expect(c('regex.find_n', '[0-9]+', 'a1b22c333', 2)).toEqual(['1', '22']);
    expect(c('regex.find_all_string_submatch_n', '(\\w+)@(\\w+)?', 'ann@x bob@', -1)).toEqual([
      ['ann@x', 'ann', 'x'],
      ['bob@', 'bob', ''],
    ]);
  });

  it('splits and replaces with $-expansion like Go', () => {
    const c = call();
    expect(c('regex.split', ',\\s*', 'a, b,c')).toEqual(['a', 'b', 'c']);
    expect(c('regex.split', 'x*', 'axbc')).toEqual(['a', 'b', 'c']);
    expect(c('regex.split', ',', '')).toEqual(['']);
    expect(c('regex.replace', 'ann@x.org bob@y.org', '(\\w+)@(\\w+)', '${2}:$1')).toEqual('x:ann.org y:bob.org');
    expect(c('regex.replace', 'abc', 'x*', '-')).toEqual('-a-b-c-');
    expect(c('regex.replace', 'aaa', 'a', '$$')).toEqual('$$$');
  });

  it('stays linear on catastrophic patterns with captures', () => {
    const c = call();
    expect(c('regex.find_n', '(a*)*b', 'a'.repeat(2000), -1)).toEqual([]);
  });
});
