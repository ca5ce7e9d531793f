/**
 * glob.match matches simple patterns (ASCII literals, `*`, `?`, one-byte
 * delimiters, at most 64 bytes) without a regex. The same pattern wrapped in
 * braces, `{p}`, means the same thing but takes the regex path, so a policy
 * evaluating both, with the pattern from input, compares the two paths; a small
 * reference matcher written here checks both.
 */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsBuiltins } from '../../../../src/compiler/builtins/index.ts';
import { compileWasm } from '../../../../src/compiler/index.ts';
import { warmUp } from '../plan/evaluate.ts';

type Delims = string[] | null;
type Glob = (p: string, d: Delims, s: string) => boolean | undefined;
type Both = (p: string, q: string, d: Delims, s: string) => [boolean | undefined, boolean | undefined];

let glob: Glob;
let both: Both;

beforeAll(async () => {
  await warmUp();
  const source = `package p
import rego.v1
one := glob.match(input.p, input.d, input.s)
two := [glob.match(input.p, input.d, input.s), glob.match(input.q, input.d, input.s)]
`;
  const { wasm } = await compileWasm({ modules: [{ file: 'p.rego', source }], entrypoints: ['p/one', 'p/two'] });
  const policy = await loadPolicy(wasm, undefined, jsBuiltins({ strict: false, taggedSets: true }));
  const result = (entrypoint: string, input: unknown): unknown => (policy.evaluate(input, entrypoint) as { result?: unknown }[])[0]?.result;
  glob = (p, d, s) => result('p/one', { p, d, s }) as boolean | undefined;
  both = (p, q, d, s) => (result('p/two', { p, q, d, s }) ?? [undefined, undefined]) as [boolean | undefined, boolean | undefined];
}, 180_000);

/** The regex-path spelling of a simple pattern: one brace alternative, with `,` and `}` escaped. */
const viaRegex = (p: string): string => `{${p.replace(/[,}]/g, (c) => `\\${c}`)}}`;

/** Reference semantics (gobwas/glob as OPA uses it) for literals, `*` and `?`, per code point. */
function reference(p: string, d: Delims, s: string): boolean {
  const delims = d === null ? [] : d.length === 0 ? ['.'] : d;
  const esc = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  const inClass = (c: string): string => c.replace(/[\\\]^-]/g, '\\$&');
  const one = delims.length === 0 ? '[\\s\\S]' : `[^${delims.map(inClass).join('')}]`;
  let re = '';
  for (const c of p) re += c === '*' ? `${one}*` : c === '?' ? one : esc(c);
  return new RegExp(`^(?:${re})$`, 'u').test(s);
}

const PATTERN_CHARS = ['*', '?', 'a', 'b', '.', ':', '/', '-', ',', '}', ']', '^', '$', '(', '|', '+', ' '];
const SUBJECT_CHARS = ['a', 'b', '.', ':', '/', '-', ',', '}', ' ', '\n', 'é', '日', '😀'];
const DELIMS: fc.Arbitrary<Delims> = fc.oneof(
  fc.constant(null),
  fc.constant<string[]>([]),
  fc.uniqueArray(fc.constantFrom<string>('.', ':', '/', '-', ']', '^', '\\', '*', 'a', '\n'), { minLength: 1, maxLength: 3 }),
);

/** A pattern (no `**`) and a subject: random, or an instance of the pattern, sometimes mutated. */
function patternAndSubject(maxTokens: number): fc.Arbitrary<{ p: string; s: string }> {
  const chars = fc.array(fc.constantFrom(...SUBJECT_CHARS), { maxLength: 4 }).map((a) => a.join(''));
  return fc
    .record({
      tokens: fc.array(fc.constantFrom(...PATTERN_CHARS), { maxLength: maxTokens }),
      fills: fc.array(chars, { minLength: maxTokens, maxLength: maxTokens }),
      random: chars,
      mode: fc.constantFrom('random', 'instance', 'mutated'),
    })
    .map(({ tokens, fills, random, mode }) => {
      const p = tokens.join('').replace(/\*\*+/g, '*');
      if (mode === 'random') return { p, s: random };
      let s = '';
      [...p].forEach((c, i) => {
        const fill = fills[i] ?? '';
        s += c === '*' ? fill : c === '?' ? ([...fill][0] ?? 'x') : c;
      });
      return { p, s: mode === 'mutated' ? s + random : s };
    });
}

describe('glob.match fast path', () => {
  it('agrees with the regex path and the reference on generated patterns, subjects and delimiters', () => {
    fc.assert(
      fc.property(patternAndSubject(10), DELIMS, ({ p, s }, d) => {
        const want = reference(p, d, s);
        expect(both(p, viaRegex(p), d, s)).toEqual([want, want]);
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees around the 64-byte limit', () => {
    fc.assert(
      fc.property(patternAndSubject(70), DELIMS, ({ p, s }, d) => {
        const want = reference(p, d, s);
        expect(both(p, viaRegex(p), d, s)).toEqual([want, want]);
      }),
      { numRuns: 300 },
    );
    const a = (n: number): string => 'a'.repeat(n);
    for (const n of [63, 64, 65]) {
      expect(glob(a(n), [], a(n))).toBe(true);
      expect(glob(a(n), [], a(n + 1))).toBe(false);
      expect(glob(a(n), [], a(n - 1))).toBe(false);
      expect(glob(`${a(n - 1)}*`, [], a(n + 5))).toBe(true);
      expect(glob(`${a(n - 1)}*`, [], `${a(n - 1)}b.c`)).toBe(false);
      expect(glob(`${a(n - 1)}?`, [], `${a(n - 1)}é`)).toBe(true);
      expect(glob(`*${a(n - 1)}`, [], a(n + 3))).toBe(true);
    }
  });

  it('handles empty patterns and subjects', () => {
    expect(glob('', [], '')).toBe(true);
    expect(glob('', [], 'a')).toBe(false);
    expect(glob('*', [], '')).toBe(true);
    expect(glob('?', [], '')).toBe(false);
    expect(glob('a*', [], 'a')).toBe(true);
  });

  it('keeps `*` and `?` off delimiters, with delimiters at the ends', () => {
    expect(glob('*', [], '.')).toBe(false);
    expect(glob('*', [], 'a.b')).toBe(false);
    expect(glob('*.*', [], 'a.b')).toBe(true);
    expect(glob('*.*', [], '.')).toBe(true);
    expect(glob('.*', [], '.x')).toBe(true);
    expect(glob('*.', [], 'x.')).toBe(true);
    expect(glob('*.', [], 'x..')).toBe(false);
    expect(glob('?', [], '.')).toBe(false);
    expect(glob('.?', [], '..')).toBe(false);
    expect(glob('a?c', ['/'], 'a/c')).toBe(false);
    expect(glob('a?c', ['/'], 'a.c')).toBe(true);
    expect(glob('a*c', ['/'], 'ab/c')).toBe(false);
    expect(glob('a*c', ['/', ':'], 'ab:c')).toBe(false);
    expect(glob('a*c', ['/', ':'], 'ab.c')).toBe(true);
    expect(glob('*', ['\n'], 'a\nb')).toBe(false);
    expect(glob('get_*', [], 'get_user')).toBe(true);
    expect(glob('get_*', [], 'get_')).toBe(true);
    expect(glob('get_*', [], 'list_users')).toBe(false);
  });

  it('matches one rune per `?` in non-ASCII subjects', () => {
    expect(glob('?', [], 'é')).toBe(true);
    expect(glob('??', [], 'é')).toBe(false);
    expect(glob('?', [], '😀')).toBe(true);
    expect(glob('a?b', [], 'a日b')).toBe(true);
    expect(glob('*', [], 'naïve')).toBe(true);
    expect(glob('n*e', [], 'naïve')).toBe(true);
    expect(glob('n??ve', [], 'naïve')).toBe(true);
    expect(glob('n???ve', [], 'naïve')).toBe(false);
  });

  it('reads [] as ["."], ["."] as itself and null as no delimiters', () => {
    for (const d of [[], ['.']]) {
      expect(glob('*', d, 'a.b')).toBe(false);
      expect(glob('?', d, '.')).toBe(false);
      expect(glob('a*', d, 'a/b')).toBe(true);
    }
    expect(glob('*', null, 'a.b')).toBe(true);
    expect(glob('?', null, '.')).toBe(true);
    expect(glob('a?b', null, 'a\nb')).toBe(true);
  });

  it('leaves other syntax to the regex path and reports the same errors', () => {
    expect(glob('**.github.com', [], 'api.cdn.github.com')).toBe(true);
    expect(glob('{cat,dog}:?', [':'], 'dog:x')).toBe(true);
    expect(glob('[!a-c]x', [], 'dx')).toBe(true);
    expect(glob('\\*', [], '*')).toBe(true);
    expect(glob('\\*', [], 'a')).toBe(false);
    expect(glob('é?', [], 'éa')).toBe(true);
    expect(glob('a*c', ['::'], 'ab:c')).toBe(false);
    expect(glob('a*c', ['é'], 'abéc')).toBe(false);
    // invalid pattern and wrong operand types: undefined, as before
    expect(glob('[a', [], 'a')).toBeUndefined();
    expect(glob('a', [1] as unknown as string[], 'a')).toBeUndefined();
    expect(glob('a', 'x' as unknown as string[], 'a')).toBeUndefined();
    expect(glob(1 as unknown as string, [], 'a')).toBeUndefined();
    expect(glob('a', [], 1 as unknown as string)).toBeUndefined();
  });
});
