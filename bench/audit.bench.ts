/**
 * Audit micro-benchmark: the cost the audit stage adds to a call (onRequest +
 * onSettled: queueing only), and the flush loop's throughput (argument digest,
 * chaining, pino serialising, hashing, writing) measured separately.
 *   npx tsx bench/audit.bench.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { auditConfigSchema } from '../src/audit/config.ts';
import { newDecisionRecord } from '../src/pipeline/decision.ts';
import type { CallContext } from '../src/pipeline/types.ts';
import { auditStage } from '../src/stages/audit/index.ts';

const CALLS = Number(process.env.CALLS ?? 200_000);
const CHUNK = 1000;

function call(i: number): CallContext {
  const decision = newDecisionRecord();
  decision.allow = true;
  decision.stages.push({ stage: 'policy', outcome: 'pass', us: 3 }, { stage: 'pii', outcome: 'pass', us: 2 });
  return {
    decision,
    request: { protocol: 'mcp', method: 'tools/call', transport: 'streamable-http', ip: '127.0.0.1', time: Date.now(), headers: {} },
    agent: { id: `agent-${i % 8}`, kind: 'dev' },
    user: { sub: 'alice@example.com' },
    task: { id: 'task-1', tools: [], expiresAt: 0, boundTo: 'agent' },
    tool: { name: 'fs__read_file', upstreamName: 'read_file', upstream: 'fs' },
    arguments: { path: `/srv/data/report-${i}.csv`, encoding: 'utf8', limit: 1000 },
    result: { content: [{ type: 'text', text: 'ok' }] },
    facts: { limits: { perAgent: { remaining: 99 } }, pii: { arguments: { counts: { EMAIL_ADDRESS: 1 } } }, policy: { version: 'sha256:abc' } },
  };
}

const dir = await mkdtemp(join(tmpdir(), 'warden-audit-bench-'));
const audit = auditStage({ config: auditConfigSchema.parse({ dir, maxPendingRecords: 10_000_000, flushIntervalMs: 50 }) });
await audit.writer!.ready();

// Warm up the JIT on the same path.
for (let i = 0; i < 20_000; i++) {
  const c = call(i);
  audit.onRequest!(c);
  audit.onSettled!(c);
}
await audit.writer!.flush();

// Contexts are built per chunk, outside the timed loop, and not kept (as in a server).
let callPathMs = 0;
for (let start = 0; start < CALLS; start += CHUNK) {
  const contexts = Array.from({ length: CHUNK }, (_, i) => call(start + i));
  const t0 = performance.now();
  for (let i = 0; i < CHUNK; i++) {
    const c = contexts[i]!;
    audit.onRequest!(c);
    audit.onSettled!(c);
  }
  callPathMs += performance.now() - t0;
  // Give the flush loop its turn, as the event loop would between requests (not timed here).
  await new Promise((r) => setImmediate(r));
}

const t1 = performance.now();
await audit.writer!.flush();
await audit.close();
const drainMs = performance.now() - t1;

const perCallUs = (callPathMs * 1000) / CALLS;
console.log(`audit call path (onRequest + onSettled): ${perCallUs.toFixed(3)} µs/call over ${CALLS} calls (budget 3 µs)`);
console.log(`flush loop (digest + chain + pino + sha256 + write) for the remaining backlog: ${drainMs.toFixed(0)} ms`);

// Flush throughput alone: queue a known number and time the drain.
const dir2 = await mkdtemp(join(tmpdir(), 'warden-audit-bench-'));
const audit2 = auditStage({ config: auditConfigSchema.parse({ dir: dir2, maxPendingRecords: 10_000_000 }) });
await audit2.writer!.ready();
for (let i = 0; i < 50_000; i++) audit2.onSettled!(call(i));
const t2 = performance.now();
const cpu0 = process.cpuUsage();
await audit2.writer!.flush();
const cpu = process.cpuUsage(cpu0);
const writeMs = performance.now() - t2;
await audit2.close();
const cpuUs = (cpu.user + cpu.system) / 50_000;
console.log(`writer: ${((writeMs * 1000) / 50_000).toFixed(1)} µs/record wall, ${cpuUs.toFixed(1)} µs/record CPU, off the call path (~${Math.round(1e6 / cpuUs)} records/s per core)`);
await rm(dir, { recursive: true, force: true });
await rm(dir2, { recursive: true, force: true });
