/**
 * The audit stage: one tamper-evident record per call, denied calls included.
 *
 * onRequest refuses the call (WARDEN_AUDIT_UNAVAILABLE) when the log cannot
 * take records: warden does not run calls it cannot audit. onSettled queues
 * the call's fields (references in a small array); everything costly
 * (argument digest, serialising, hashing, signing, I/O) happens in the
 * writer thread.
 *
 * Argument digest: the pipeline runs pii before audit, so by the time this
 * stage sees a call that passed pii its arguments are the scrubbed ones. The
 * digest covers the caller's original arguments when the protocol layer put
 * `ctx.facts.originalArguments` (the caller's arguments object: one property
 * store, digested later off the call path) or `ctx.facts.argumentsDigest`
 * (digestJson of the original), when the call
 * never reached pii, or when pii found nothing in them (it then leaves them
 * untouched); otherwise it covers the scrubbed arguments (`argsDigestOf: "after-pii"`).
 */
import { WardenError } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { CallContext, Stage } from '../../pipeline/types.ts';
import type { AuditConfig } from '../../audit/config.ts';
import type { CallFields, CallOutcome } from '../../audit/record.ts';
import { AuditWriter } from '../../audit/writer.ts';

export interface AuditStageOptions {
  config: AuditConfig;
  /** Hash of the policy bundle in force; falls back to ctx.facts.policy.version. */
  policyVersion?: () => string;
  logger?: Logger;
}

export type AuditStage = Stage & {
  /** Flushes, seals every chain with a signed checkpoint, fsyncs. Call after the server stopped taking calls. */
  close(): Promise<void>;
  /** The writer, for flush() in tests and tools; absent when the audit log is disabled. */
  readonly writer?: AuditWriter;
};

/** Builds the audit stage; with `enabled: false` it passes every call and writes nothing. */
export function auditStage(opts: AuditStageOptions): AuditStage {
  const { config, policyVersion } = opts;
  if (!config.enabled) return { name: 'audit', close: () => Promise.resolve() };
  const writer = new AuditWriter({ config, ...(opts.logger ? { logger: opts.logger } : {}) });
  return {
    name: 'audit',
    writer,
    onRequest(): void {
      if (!writer.accepting) throw new WardenError('WARDEN_AUDIT_UNAVAILABLE', writer.refusal);
    },
    onSettled(ctx: CallContext): void {
      writer.append(ctx.agent?.id ?? 'anonymous', callFields(ctx, Date.now(), policyVersion?.()));
    },
    close: () => writer.close(),
  };
}

/**
 * The call's fields in CALL_FIELDS order: references only, nothing walked or formatted.
 * The writer thread formats the time, digests and size-checks the arguments and
 * summarises the pii facts.
 */
function callFields(ctx: CallContext, settledAt: number, policy: string | undefined): CallFields {
  const decision = ctx.decision;
  const facts = ctx.facts;
  const given = facts.argumentsDigest;
  const original = facts.originalArguments;
  let digestOf: 'original' | 'after-pii' | undefined;
  if (typeof given === 'string' || original !== undefined) digestOf = 'original';
  else if (ctx.arguments !== undefined) digestOf = piiMayHaveChangedArguments(ctx) ? 'after-pii' : 'original';
  const request = ctx.request;
  const tool = ctx.tool;
  return [
    request.time, decision.id, ctx.agent?.id ?? 'anonymous', ctx.user?.sub, ctx.task?.id, tool?.upstream, tool?.name, request.method,
    typeof given === 'string' ? given : undefined, digestOf, ctx.arguments,
    // The caller's arguments object, kept by the protocol layer (pii copies on write, never mutates).
    typeof given !== 'string' && original !== ctx.arguments ? original : undefined,
    decision.allow ? 'allow' : 'deny', decision.code, decision.reason, decision.stages,
    policy ?? policyFromFacts(facts.policy), facts.limits, facts.pii, settledAt - request.time, outcomeOf(ctx),
  ];
}

/**
 * Whether the arguments the audit stage sees may differ from the caller's: the pii stage
 * passed and reported findings in the arguments (or a policy asked for paths to be redacted).
 * When pii found nothing it leaves the arguments untouched, so their digest is the original's.
 */
function piiMayHaveChangedArguments(ctx: CallContext): boolean {
  if (!ctx.decision.stages.some((s) => s.stage === 'pii' && s.outcome === 'pass')) return false;
  const pii = ctx.facts.pii as { arguments?: unknown; truncated?: unknown } | undefined;
  return pii?.arguments !== undefined || (ctx.obligations?.redact?.length ?? 0) > 0;
}

function outcomeOf(ctx: CallContext): CallOutcome {
  const code = ctx.decision.code;
  if (ctx.decision.allow) return ctx.upstreamError === undefined ? 'ok' : 'upstream_error';
  if (code === 'WARDEN_INTERNAL') return 'error';
  if (code !== undefined && code.startsWith('WARDEN_UPSTREAM_')) return 'upstream_error';
  return 'denied';
}

function policyFromFacts(policy: unknown): string | undefined {
  const version = (policy as { version?: unknown } | undefined)?.version;
  return typeof version === 'string' ? version : undefined;
}

/** PII finding counts by type (moved to src/audit/call-body.ts; the writer thread summarises). */
export { summarizePii } from '../../audit/call-body.ts';
