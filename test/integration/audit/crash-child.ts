/**
 * Crash-test child: runs calls through the real pipeline with the audit stage
 * as fast as it can and reports, after each batch, how many calls were
 * answered and how many records the writer had handed to the OS. The test
 * SIGKILLs it and compares the reports with what is on disk.
 *   node --import tsx crash-child.ts <dir> <flushIntervalMs> <maxPendingRecords>
 */
import { auditConfigSchema } from '../../../src/audit/config.ts';
import { newDecisionRecord } from '../../../src/pipeline/decision.ts';
import { createPipeline } from '../../../src/pipeline/pipeline.ts';
import type { CallContext } from '../../../src/pipeline/types.ts';
import { auditStage } from '../../../src/stages/audit/index.ts';

const [dir, flushIntervalMs, maxPendingRecords] = process.argv.slice(2);
const BATCH = 50;
const audit = auditStage({
  config: auditConfigSchema.parse({ dir, flushIntervalMs: Number(flushIntervalMs), maxPendingRecords: Number(maxPendingRecords), checkpointEvery: 500 }),
});
const pipeline = createPipeline([audit, { name: 'forward', onRequest: (ctx) => void (ctx.result = { ok: true }) }]);

function call(i: number): CallContext {
  return {
    decision: newDecisionRecord(),
    request: { protocol: 'mcp', method: 'tools/call', transport: 'stdio', ip: '', time: Date.now(), headers: {} },
    agent: { id: `agent-${i % 3}`, kind: 'dev' },
    tool: { name: 'echo', upstreamName: 'echo', upstream: 'everything' },
    arguments: { message: `call ${i}` },
    facts: {},
  };
}

let answered = 0;
for (;;) {
  if (!audit.writer!.accepting) {
    // The gateway would refuse calls now; wait for the writer to catch up.
    await new Promise((r) => setTimeout(r, 1));
    continue;
  }
  const batch: Promise<void>[] = [];
  for (let i = 0; i < BATCH; i++) batch.push(pipeline.run(call(answered + i)));
  // A call refused with WARDEN_AUDIT_UNAVAILABLE is answered (with that error) and audited too.
  await Promise.allSettled(batch);
  answered += BATCH;
  // stdout to a pipe is synchronous on Linux: a report is out before the next batch starts.
  process.stdout.write(`answered ${answered} written ${audit.writer!.written}\n`);
  // Yield to timers so the flush loop runs as it would between requests.
  await new Promise((r) => setImmediate(r));
}
