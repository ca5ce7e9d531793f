import { readFileSync, existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clusters, F, mayHoldPii, prefilter, prefilterByLoop, prefilterByPasses } from '../../../src/pii/prefilter.ts';

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

// Short strings take the char loop, longer ones the native passes: both must say the same.
describe('prefilter: the char loop and the native passes agree', () => {
  const snapshot = () => ({ starts: Array.from(clusters.starts.subarray(0, clusters.count)), ends: Array.from(clusters.ends.subarray(0, clusters.count)), digits: Array.from(clusters.digits.subarray(0, clusters.count)) });
  const agree = (text: string) => {
    const loop = prefilterByLoop(text, text.length);
    const loopClusters = snapshot();
    const passes = prefilterByPasses(text);
    expect(passes, JSON.stringify(text)).toBe(loop);
    expect(snapshot(), JSON.stringify(text)).toEqual(loopClusters);
  };

  it('on random text over a PII-ish alphabet (flags and digit clusters)', () => {
    const alphabet = fc.constantFrom(...'aAbBeEIJsStxyz @:=_-.()+/#0123456789\u00e9\u00c5\u200b\uff11'.split(''), 'eyJ', 'AKIA', 'ACCA', 'AIza', 'Basic ', 'ghp_', 'github_', 'sk_', 'npm_', 'xoxb-', 'glpat-', '-----', 'DE44', ' ext. ', '4111 1111 1111 1111', '212-555-0100', '10.0.0.1', 'fe80::1');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 120 }).map((parts) => parts.join('')), agree), { numRuns: 5000 });
  });

  it('on every text of the shared corpus', () => {
    const file = new URL('../../../../shared/pii-corpus/corpus.jsonl', import.meta.url);
    if (!existsSync(file)) return;
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) agree((JSON.parse(line) as { text: string }).text);
  });

  it('flags folding only where folding changes something', () => {
    expect(prefilter('Krisztián Szöllösy called', 25) & F.NON_ASCII).toBe(0);
    expect(prefilter('card \uff14\uff11\uff11\uff11 1111 1111 1111 and more padding to pass sixty-four chars', 80) & F.NON_ASCII).not.toBe(0);
    expect(prefilter('4111\u200b1111', 9) & F.NON_ASCII).not.toBe(0);
  });

  it('finds many long digit clusters and flags more than the buffer holds (long input, linear passes)', () => {
    const text = '555-123-4567 and '.repeat(40) + '1 '.repeat(20_000);
    const flags = prefilter(text, text.length);
    expect(flags & F.DIGITS7).not.toBe(0);
    expect(flags & F.MANY_CLUSTERS).not.toBe(0);
    expect(clusters.count).toBe(clusters.starts.length);
  });
});
