/**
 * The audit stage: one tamper-evident record per call, denied calls included.
 *
 * onRequest refuses the call (WARDEN_AUDIT_UNAVAILABLE) when the log cannot
 * take records: warden does not run calls it cannot audit. onSettled queues
 * the call's fields (references, pushed flat into the writer's queue); everything costly
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
      writer.appendCall(ctx.agent?.id ?? 'anonymous', ctx, Date.now(), policyVersion?.());
    },
    close: () => writer.close(),
  };
}

/** PII finding counts by type, never values (the writer thread summarises each record's pii facts with it). */
export { summarizePii } from '../../audit/call-fields.ts';
