/**
 * Per-call budgets measured in isolation: each entry runs the real module on a
 * realistic input many times and reports the median of several batches.
 */
import { performance } from 'node:perf_hooks';

export interface MicroResult {
  name: string;
  unit: string;
  budget: number;
  measured: number;
}

/** Median µs per call of `fn` over `batches` batches of `iterations` calls. */
export function measureUs(fn: () => unknown, iterations = 20_000, batches = 7): number {
  for (let i = 0; i < iterations; i++) fn(); // warm-up
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    samples.push(((performance.now() - t0) * 1000) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

type MicroBench = () => Promise<MicroResult>;

/** The registered microbenchmarks, one per budget. */
const benches: MicroBench[] = [];

export async function runMicro(): Promise<MicroResult[]> {
  const results: MicroResult[] = [];
  for (const bench of benches) results.push(await bench());
  return results;
}
