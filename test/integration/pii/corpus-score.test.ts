/**
 * The acceptance check: `warden pii scan` over the shared corpus, scored by
 * the shared scorer (overlap matching). Thresholds: micro F1 >= 0.95 per file,
 * every listed type >= 0.90, and no decoy flagged by a prediction of any type.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const CORPUS = '/work/shared/pii-corpus';
const SCORER = '/work/shared/tools/pii-score.mjs';
const TEXT_TYPES = ['CREDIT_CARD', 'PHONE_NUMBER', 'EMAIL_ADDRESS', 'IBAN_CODE', 'US_SSN', 'IP_ADDRESS'];
const STRUCTURED_TYPES = [...TEXT_TYPES, 'GITHUB_TOKEN', 'JWT', 'AWS_ACCESS_KEY', 'PRIVATE_KEY'];

interface Score {
  perType: Record<string, { truth: number; overlap: { f: number } }>;
  micro: { overlap: { f: number } };
  decoys?: { predictionsTouchingDecoys: number };
}

const dir = mkdtempSync(join(tmpdir(), 'warden-pii-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scan(file: string, structured: boolean): string {
  const pred = join(dir, `${structured ? 'structured' : 'text'}.pred.jsonl`);
  const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'warden.mjs'), 'pii', 'scan', ...(structured ? ['--structured'] : [])], {
    input: readFileSync(join(CORPUS, file)),
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(pred, out);
  return pred;
}

function score(truth: string, pred: string, extra: string[]): Score {
  const json = join(dir, `score-${Math.random().toString(36).slice(2)}.json`);
  execFileSync(process.execPath, [SCORER, '--strict', '--truth', join(CORPUS, truth), '--pred', pred, '--json', json, ...extra], { stdio: 'pipe' });
  return JSON.parse(readFileSync(json, 'utf8')) as Score;
}

function expectThresholds(s: Score, types: string[]): void {
  expect(s.micro.overlap.f).toBeGreaterThanOrEqual(0.95);
  for (const t of types) {
    expect(s.perType[t]?.truth, `${t} present in truth`).toBeGreaterThan(0);
    expect(s.perType[t]!.overlap.f, `${t} overlap F1`).toBeGreaterThanOrEqual(0.9);
  }
}

describe('pii corpus score', () => {
  it('free text (corpus.jsonl): micro F1 >= 0.95 and each structured type >= 0.90', () => {
    const pred = scan('corpus.jsonl', false);
    expectThresholds(score('corpus.jsonl', pred, ['--types', TEXT_TYPES.join(',')]), TEXT_TYPES);
  }, 120_000);

  it('JSON documents (structured.jsonl): thresholds met and no decoy flagged', () => {
    const pred = scan('structured.jsonl', true);
    expectThresholds(score('structured.jsonl', pred, ['--structured', '--types', STRUCTURED_TYPES.join(',')]), STRUCTURED_TYPES);
    // Decoys with every predicted type counted (SECRET included).
    const all = score('structured.jsonl', pred, ['--structured']);
    expect(all.decoys?.predictionsTouchingDecoys).toBe(0);
  }, 120_000);
});
