/**
 * PII scanner micro-benchmark: µs per KiB on PII-free prose (the prefilter's
 * fast path) and on the shared corpus (free text and JSON documents).
 * Run: npx tsx bench/pii.bench.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { scanText } from '../src/pii/scanner.ts';
import { scanJson } from '../src/pii/walk.ts';

const CORPUS_DIR = process.env.WARDEN_PII_CORPUS ?? '/work/shared/pii-corpus';

/** Runs `fn` for at least `minMs` after a warm-up; returns µs per call. */
function measure(fn: () => void, minMs = 500): number {
  for (let i = 0; i < 50; i++) fn();
  let runs = 0;
  const t0 = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 20; i++) fn();
    runs += 20;
    elapsed = performance.now() - t0;
  }
  return (elapsed * 1000) / runs;
}

const PROSE =
  'The committee reviewed the proposal in detail and agreed that the new design should keep the ' +
  'existing interface while making the internal structure easier to follow. Several members asked ' +
  'for clearer naming, shorter functions and a test for every behaviour a user would notice. ';
const clean: string[] = [];
let cleanLen = 0;
while (cleanLen < 64 * 1024) {
  clean.push(PROSE);
  cleanLen += PROSE.length;
}
const cleanText = clean.join('');

const perKiB = (us: number, chars: number) => us / (chars / 1024);

// Calibration: the cost of merely reading every char code. On a shared, loaded
// machine all figures inflate together; the ratio to this line stays meaningful.
let sink = 0;
const calibrate = () => {
  for (let i = 0; i < cleanText.length; i++) sink += cleanText.charCodeAt(i);
};

interface Row {
  name: string;
  usPerKiB: number;
  calibration: number;
}
const rows: Row[] = [];

/** Best of three rounds, each measuring the case and the calibration back to back (load noise hurts less). */
function bench(name: string, fn: () => void, chars: number): void {
  let best = Infinity;
  let cal = Infinity;
  for (let round = 0; round < 3; round++) {
    best = Math.min(best, perKiB(measure(fn, 300), chars));
    cal = Math.min(cal, perKiB(measure(calibrate, 300), cleanText.length));
  }
  rows.push({ name, usPerKiB: best, calibration: cal });
}

bench('PII-free prose (64 KiB, one string)', () => scanText(cleanText), cleanText.length);
const chunks = cleanText.match(/[^]{1,1024}/g)!;
bench('PII-free prose (1 KiB strings)', () => {
  for (const c of chunks) scanText(c);
}, cleanText.length);

if (existsSync(`${CORPUS_DIR}/corpus.jsonl`)) {
  const texts = readFileSync(`${CORPUS_DIR}/corpus.jsonl`, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text);
  const chars = texts.reduce((n, t) => n + t.length, 0);
  bench(`corpus.jsonl free text (${texts.length} strings)`, () => {
    for (const t of texts) scanText(t);
  }, chars);
  const docs = readFileSync(`${CORPUS_DIR}/structured.jsonl`, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { doc: unknown }).doc);
  const docChars = docs.reduce((n: number, d) => n + JSON.stringify(d).length, 0);
  bench(`structured.jsonl JSON walk (${docs.length} docs)`, () => {
    for (const d of docs) scanJson(d);
  }, docChars);
} else {
  console.error(`corpus not found at ${CORPUS_DIR}; set WARDEN_PII_CORPUS`);
}

if (sink === -1) console.log(sink);
for (const r of rows) {
  console.log(`pii  ${r.name.padEnd(44)} ${r.usPerKiB.toFixed(2).padStart(8)} µs/KiB   ${(r.usPerKiB / r.calibration).toFixed(1).padStart(5)} × bare charCodeAt loop (${r.calibration.toFixed(2)} µs/KiB)`);
}
