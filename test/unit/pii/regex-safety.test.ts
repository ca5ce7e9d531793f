/**
 * Linear-time guarantee for the scanner's patterns: a static lint over every
 * regex source (bounded quantifiers, no ambiguous nested repetition), then each
 * pattern and the whole scanner run over adversarial inputs built to trigger
 * backtracking. The adversarial runs check results, not time: a catastrophic
 * pattern would not finish inside the test timeout.
 */
import { describe, expect, it } from 'vitest';
import { CONTEXT_PATTERNS } from '../../../src/pii/context.ts';
import { IBAN_PATTERNS } from '../../../src/pii/recognizers/iban.ts';
import { NETWORK_PATTERNS } from '../../../src/pii/recognizers/network.ts';
import { NUMERIC_PATTERNS } from '../../../src/pii/recognizers/numeric.ts';
import { SECRET_PATTERNS } from '../../../src/pii/recognizers/secrets.ts';
import { VALIDATOR_PATTERNS } from '../../../src/pii/validators.ts';
import { scanText } from '../../../src/pii/scanner.ts';
import { scanJson } from '../../../src/pii/walk.ts';
import { lintRegex } from './regex-lint.ts';

const ALL = [...NUMERIC_PATTERNS, ...NETWORK_PATTERNS, ...IBAN_PATTERNS, ...SECRET_PATTERNS, ...CONTEXT_PATTERNS, ...VALIDATOR_PATTERNS];

const N = 20_000;
const ADVERSARIAL: Record<string, string> = {
  digits: '1'.repeat(N),
  spacedDigits: '1 '.repeat(N / 2),
  dashedDigits: '12-'.repeat(N / 3),
  dottedDigits: '1.'.repeat(N / 2),
  parens: '(1) '.repeat(N / 4),
  plusDigits: '+1 '.repeat(N / 3),
  ats: 'a@'.repeat(N / 2),
  localThenAt: 'a'.repeat(N) + '@',
  colons: '1:'.repeat(N / 2),
  hexColons: 'ab:'.repeat(N / 3),
  eyj: 'eyJ'.repeat(N / 3),
  eyjDots: 'eyJhbGc.'.repeat(N / 8),
  pemBegins: '-----BEGIN PRIVATE KEY-----'.repeat(N / 27),
  dashes: '-'.repeat(N),
  akia: 'AKIA'.repeat(N / 4),
  ghp: 'ghp_'.repeat(N / 4),
  githubPat: 'github_pat_'.repeat(N / 11),
  ibanish: 'GB00 '.repeat(N / 5),
  assignments: 'TOKEN='.repeat(N / 6),
  secretWords: 'secret'.repeat(N / 6) + '=',
  bearer: 'Bearer '.repeat(N / 7),
  phoneCue: 'phone: 1 '.repeat(N / 9),
  mixed: '4111-1111 1111.1111 '.repeat(N / 20),
};

describe('regex safety', () => {
  it('collects a non-trivial set of patterns', () => {
    expect(ALL.length).toBeGreaterThan(25);
  });

  for (const re of ALL) {
    it(`lint: /${re.source.slice(0, 50)}/ has bounded quantifiers and no ambiguous nesting`, () => {
      const { problems, maxLength } = lintRegex(re);
      expect(problems).toEqual([]);
      expect(Number.isFinite(maxLength)).toBe(true);
    });
  }

  it('the lint itself catches the classic catastrophic shapes', () => {
    expect(lintRegex(/(a+)+b/).problems.length).toBeGreaterThan(0);
    expect(lintRegex(/(\d{1,4}){1,6}x/).problems).toEqual(['ambiguous nested repetition at (\\d{1,4}){1,6}']);
    expect(lintRegex(/\d+/).problems.length).toBe(1);
    expect(lintRegex(/(?:[ .-]\d{1,5}){0,6}/).problems).toEqual([]);
  });

  it('every pattern on every adversarial input: matches stay within the lint bound', () => {
    for (const re of ALL) {
      const { maxLength } = lintRegex(re);
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
      for (const input of Object.values(ADVERSARIAL)) {
        let longest = 0;
        for (const m of input.matchAll(g)) longest = Math.max(longest, m[0].length);
        expect(longest, `/${re.source}/`).toBeLessThanOrEqual(maxLength);
      }
    }
  });

  it('the scanner on adversarial inputs returns sorted, non-overlapping, in-bounds spans', () => {
    for (const [name, input] of Object.entries(ADVERSARIAL)) {
      const spans = scanText(input);
      let last = 0;
      for (const s of spans) {
        expect(s.start, name).toBeGreaterThanOrEqual(last);
        expect(s.end, name).toBeGreaterThan(s.start);
        expect(s.end, name).toBeLessThanOrEqual(input.length);
        last = s.end;
      }
      // With every key hint on, weak patterns are enabled too.
      expect(() => scanText(input, { hint: 0b111111 })).not.toThrow();
    }
  });

  it('a deeply nested JSON document is walked without blowing the stack on sane depth', () => {
    let doc: unknown = 'a@b.io';
    for (let i = 0; i < 200; i++) doc = { k: [doc] };
    expect(scanJson(doc)).toHaveLength(1);
  });
});
