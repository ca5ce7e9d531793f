/**
 * Audit benchmark: the CPU the audit log costs per record, per thread.
 *
 * A typical record: a tools/call with a 1 KiB text argument and about 20 fields.
 * N calls go through onRequest + onSettled in chunks, yielding to the event loop
 * between chunks (as a server would between requests), so the flush timer and
 * the writer thread's reports run as they would in production; then a flush
 * waits until every record is on disk.
 *
 * CPU is read per thread from /proc/self/task/<tid>/schedstat (ns on CPU), so the
 * gateway's thread is counted alone (process.cpuUsage() would add the writer
 * thread's time). Main thread = call path + flush timer (the postMessage clone) +
 * handling the writer's reports + the GC of what audit allocates; building the
 * call contexts is measured and subtracted. The writer thread and the rest of the
 * process (libuv fs threads, GC helpers) are reported separately.
 *
 * The machine may be shared: a baseline loop (a charCodeAt scan of the same
 * 1 KiB text) runs in the same process right before, and the ratio to it is printed.
 *   npx tsx bench/audit.bench.ts          CALLS=90000 by default
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { MicroResult } from './micro.ts';
import { auditConfigSchema } from '../src/audit/config.ts';
import { newDecisionRecord } from '../src/pipeline/decision.ts';
import type { CallContext } from '../src/pipeline/types.ts';
import { auditStage } from '../src/stages/audit/index.ts';

const CALLS = Number(process.env.CALLS ?? 90_000);
const CHUNK = 500;
const TEXT = 'The quarterly report shows revenue growth across all regions; see the attached tables. '.repeat(13).slice(0, 1024);

/** ns this thread (or another of this process) has spent on a CPU. */
function threadCpuNs(tid: number = process.pid): number {
  return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
}
function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}
function threadIds(): Set<number> {
  return new Set(readdirSync('/proc/self/task').map(Number));
}

function call(i: number): CallContext {
  const decision = newDecisionRecord();
  decision.allow = true;
  decision.stages.push(
    { stage: 'identity', outcome: 'pass', us: 4 }, { stage: 'policy', outcome: 'pass', us: 12 },
    { stage: 'rate-limit', outcome: 'pass', us: 1 }, { stage: 'pii', outcome: 'pass', us: 9 },
  );
  return {
    decision,
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    agent: { id: `agent-${i % 8}`, kind: 'dev' },
    user: { sub: 'alice@example.com' },
    task: { id: 'task-1', tools: [], expiresAt: 0, boundTo: 'agent' },
    tool: { name: 'fs__write_file', upstreamName: 'write_file', upstream: 'fs' },
    // Parsed from a request body, as the protocol layer does: a fresh, flat string per call.
    arguments: JSON.parse(`{"path":"/srv/data/report-${i}.txt","content":${JSON.stringify(TEXT)}}`) as unknown,
    result: { content: [{ type: 'text', text: 'ok' }] },
    facts: { limits: { perAgent: { remaining: 99 } }, pii: { arguments: { EMAIL_ADDRESS: 1 } }, policy: { version: 'sha256:abc' } },
  };
}

/** The baseline: ns per charCodeAt scan of the 1 KiB text, on this thread, now. */
function baselineNs(): number {
  let sum = 0;
  const rounds = 5_000;
  const t0 = threadCpuNs();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < TEXT.length; i++) sum = (sum + TEXT.charCodeAt(i)) | 0;
  const ns = (threadCpuNs() - t0) / rounds;
  if (sum === 42) console.log('');
  return ns;
}

interface Run {
  /** Main-thread ns: all of it, and the part spent building call contexts. */
  mainNs: number;
  buildNs: number;
  writerNs: number;
  restNs: number;
  callPathNs: number;
  wallMs: number;
  written: number;
  writerThreads: number;
}

/** Runs calls through the stage (or, without audit, the same loop with nothing in it). */
async function run(calls: number, withAudit: boolean): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-bench-'));
  const before = threadIds();
  const audit = withAudit ? auditStage({ config: auditConfigSchema.parse({ dir, maxPendingRecords: 10_000_000, flushIntervalMs: 50 }) }) : undefined;
  await audit?.writer!.ready();
  const writerTids = [...threadIds()].filter((t) => !before.has(t));

  const main0 = threadCpuNs();
  const proc0 = processCpuNs();
  const writer0 = writerTids.reduce((n, t) => n + threadCpuNs(t), 0);
  const wall0 = performance.now();
  let buildNs = 0;
  let callPathNs = 0;
  for (let start = 0; start < calls; start += CHUNK) {
    const b0 = threadCpuNs();
    const contexts = Array.from({ length: CHUNK }, (_, i) => call(start + i));
    buildNs += threadCpuNs() - b0;
    const t0 = threadCpuNs();
    if (audit) {
      for (let i = 0; i < CHUNK; i++) {
        const c = contexts[i]!;
        audit.onRequest!(c);
        audit.onSettled!(c);
      }
    }
    callPathNs += threadCpuNs() - t0;
    // Give the flush timer and the writer's reports their turn, as between requests.
    await new Promise((r) => setImmediate(r));
  }
  await audit?.writer!.flush();
  const wallMs = performance.now() - wall0;
  const mainNs = threadCpuNs() - main0;
  const writerNs = writerTids.reduce((n, t) => n + threadCpuNs(t), 0) - writer0;
  const restNs = processCpuNs() - proc0 - mainNs - writerNs;
  const written = audit?.writer!.written ?? 0;
  await audit?.close();
  await rm(dir, { recursive: true, force: true });
  return { mainNs, buildNs, writerNs, restNs, callPathNs, wallMs, written, writerThreads: writerTids.length };
}

/** Main-thread CPU per audit record (the budget) and the writer thread's CPU per record. */
export async function benchAudit(print = false, calls = CALLS): Promise<MicroResult[]> {
  // Warm-up (JIT, files, the writer thread's code), not reported.
  await run(20_000, true);
  await run(20_000, false);

  // Rounds alternate baseline, bare loop and audit, so that all three see the same machine.
  const ROUNDS = 3;
  const per = calls / ROUNDS;
  const bases: number[] = [];
  const bare: Run[] = [];
  const audited: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bases.push(baselineNs());
    bare.push(await run(per, false));
    audited.push(await run(per, true));
  }
  const sum = (runs: Run[], f: (r: Run) => number): number => runs.reduce((n, r) => n + f(r), 0);
  const n = per * ROUNDS;
  const log = print ? console.log : () => undefined;
  const us = (ns: number): string => (ns / n / 1000).toFixed(2);
  const direct = sum(audited, (r) => r.mainNs - r.buildNs);
  const marginal = sum(audited, (r) => r.mainNs) - sum(bare, (r) => r.mainNs);
  const base = bases.reduce((a, b) => a + b, 0) / bases.length;
  const wall = sum(audited, (r) => r.wallMs);
  log(`audit, 1 KiB text argument, ~20 fields: ${n} calls in ${ROUNDS} rounds, ${sum(audited, (r) => r.written)} records on disk, ${Math.round((n * 1000) / wall)} records/s`);
  log(`  main thread, per record (budget 3 µs):`);
  log(`    measured directly (all main-thread CPU minus building the contexts): ${us(direct)} µs`);
  log(`    marginal (main-thread CPU with audit minus the same loop without):   ${us(marginal)} µs`);
  log(`    of which the call path, onRequest + onSettled:                       ${us(sum(audited, (r) => r.callPathNs))} µs`);
  log(`    the bare loop alone, measured like "directly" (not audit's, included above): ${us(sum(bare, (r) => r.mainNs - r.buildNs))} µs`);
  log(`  writer thread (+ its loader thread, ${audited[0]!.writerThreads} threads): ${us(sum(audited, (r) => r.writerNs))} µs CPU/record`);
  log(`  rest of the process (libuv fs threads, GC helpers), minus the bare loop's: ${us(sum(audited, (r) => r.restNs) - sum(bare, (r) => r.restNs))} µs CPU/record`);
  log(`  baseline: a charCodeAt scan of 1 KiB took ${(base / 1000).toFixed(2)} µs on the main thread; main thread per record (direct) = ${(direct / n / base).toFixed(2)}× that`);
  return [
    // The budgeted figure is what audit adds to the main thread: the same loop without audit is
    // subtracted (the direct figure also holds the loop's own yields and chunking, not audit's).
    { name: 'audit record, main thread (call path + hand-over)', unit: 'µs', budget: 3, measured: marginal / n / 1000 },
    { name: 'audit record, main thread, direct (incl. the bench loop)', unit: 'µs', budget: Number.POSITIVE_INFINITY, measured: direct / n / 1000 },
    { name: 'audit record, writer thread (off the event loop)', unit: 'µs', budget: Number.POSITIVE_INFINITY, measured: sum(audited, (r) => r.writerNs) / n / 1000 },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchAudit(true);
