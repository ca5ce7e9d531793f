/**
 * The pipeline: stages declared once, in order, as data.
 *
 *   request:  identity → task-scope → policy → rate-limit → pii → audit → forward
 *   response: pii → audit          (scrub first, so the audit record holds the scrubbed result)
 *   settled:  every stage's onSettled, once per call, whatever the outcome
 *
 * A stage denies by throwing a WardenError; the runner records it in the
 * decision record and rethrows it for the protocol layer to turn into a
 * spec-shaped error. Synchronous stages never touch the microtask queue.
 */
import { performance } from 'node:perf_hooks';
import { asWardenError, type WardenError } from '../errors.ts';
import type { CallContext, Stage, StageName } from './types.ts';

/** The fixed order of stages on the way to the upstream. */
export const STAGE_ORDER: readonly StageName[] = ['identity', 'task-scope', 'policy', 'rate-limit', 'pii', 'audit', 'forward'];

export interface Pipeline {
  readonly stages: readonly Stage[];
  /** Runs the call through every stage; resolves when answered, rejects with a WardenError when denied. */
  run(ctx: CallContext): Promise<void>;
}

/** Builds a pipeline; stages are sorted into STAGE_ORDER and may be omitted. */
export function createPipeline(stages: readonly Stage[]): Pipeline {
  const ordered = [...stages].sort((a, b) => STAGE_ORDER.indexOf(a.name) - STAGE_ORDER.indexOf(b.name));
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.name === ordered[i - 1]!.name) throw new Error(`pipeline: stage ${ordered[i]!.name} given twice`);
  }
  const requestStages = ordered.filter((s) => s.onRequest);
  const responseStages = ordered.filter((s) => s.onResponse);
  const settledStages = ordered.filter((s) => s.onSettled).reverse();

  async function run(ctx: CallContext): Promise<void> {
    const record = ctx.decision;
    let failure: WardenError | undefined;
    let current: Stage | undefined;
    try {
      // One clock read per stage boundary: a stage's end is the next one's start.
      let t0 = performance.now();
      for (const stage of requestStages) {
        current = stage;
        const pending = stage.onRequest!(ctx);
        if (pending) await pending;
        const t1 = performance.now();
        record.stages.push({ stage: stage.name, outcome: 'pass', us: Math.round((t1 - t0) * 1000) });
        t0 = t1;
      }
      for (const stage of responseStages) {
        current = stage;
        const pending = stage.onResponse!(ctx);
        if (pending) await pending;
        const t1 = performance.now();
        record.stages.push({ stage: stage.name, outcome: 'pass', us: Math.round((t1 - t0) * 1000) });
        t0 = t1;
      }
      record.allow = true;
    } catch (err) {
      failure = asWardenError(err);
      record.allow = false;
      record.code = failure.code;
      record.reason = failure.message;
      record.stages.push({
        stage: current?.name ?? 'forward',
        outcome: failure.code === 'WARDEN_INTERNAL' ? 'error' : 'deny',
        code: failure.code,
        reason: failure.message,
      });
    }
    for (const stage of settledStages) {
      try {
        const pending = stage.onSettled!(ctx);
        if (pending) await pending;
      } catch (err) {
        // A settle hook failing (e.g. the audit sink) must not turn an answered call into a
        // different answer; the stage itself is responsible for reporting it.
        ctx.facts[`${stage.name}.settleError`] = err instanceof Error ? err.message : String(err);
      }
    }
    if (failure) throw failure;
  }

  return { stages: ordered, run };
}
