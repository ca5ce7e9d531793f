import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayHoldPii, prefilter } from '../../../src/pii/prefilter.ts';

// The fast first pass may only say "nothing here" when the full prefilter agrees.
describe('mayHoldPii (the native-speed first pass)', () => {
  it('never rules out text the prefilter would flag (random text over a PII-ish alphabet)', () => {
    const alphabet = fc.constantFrom(...'aAbBeEIJsSyzCcx @:=_-.()+/#0123456789\u00e9\u200b'.split(''), 'eyJ', 'AKIA', 'ACCA', 'AIza', 'Basic ', 'gh', 'github', 'sk_live_', 'npm_', 'xoxb-', 'glpat-', '-----');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }).map((parts) => parts.join('')), (text) => {
        if (!mayHoldPii(text)) expect(prefilter(text, text.length)).toBe(0);
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees on every text of the shared corpus', () => {
    const file = new URL('../../../../shared/pii-corpus/corpus.jsonl', import.meta.url);
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
      const { text } = JSON.parse(line) as { text: string };
      if (!mayHoldPii(text)) expect(prefilter(text, text.length)).toBe(0);
    }
  });

  it('lets plain prose through without the full prefilter, and stops at any trigger', () => {
    expect(mayHoldPii('The committee reviewed the proposal in detail and agreed.')).toBe(false);
    for (const t of ['call 555', 'a@b', 'k=v', 'snake_case', 'x-y', 'caf\u00e9', 'eyJhbGci', 'AKIAIOSFODNN7', 'AIzaSy', 'Basic dXNlcg==']) expect(mayHoldPii(t), t).toBe(true);
  });
});
