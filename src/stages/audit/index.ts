/**
 * The audit stage: one tamper-evident record per call, denied calls included.
 *
 * onRequest refuses the call (WARDEN_AUDIT_UNAVAILABLE) when the log cannot
 * take records: warden does not run calls it cannot audit. onSettled queues
 * the record; everything costly (argument digest, serialising, hashing,
 * signing, I/O) happens later in the writer's flush loop.
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
import { canonicalJson, digestJson, sha256Hex } from '../../audit/canonical.ts';
import type { AuditConfig } from '../../audit/config.ts';
import type { CallOutcome } from '../../audit/record.ts';
import { AuditWriter, type LazyAuditEntry } from '../../audit/writer.ts';

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
      writer.append(ctx.agent?.id ?? 'anonymous', new PendingCall(ctx, Date.now(), policyVersion?.(), config.maxArgsBytes));
    },
    close: () => writer.close(),
  };
}

/** What the call path keeps: references only; the record is built in the flush loop. */
class PendingCall implements LazyAuditEntry {
  constructor(
    private readonly ctx: CallContext,
    private readonly settledAt: number,
    private readonly policy: string | undefined,
    private readonly maxArgsBytes: number,
  ) {}

  toAuditBody(): Record<string, unknown> {
    const ctx = this.ctx;
    const decision = ctx.decision;
    const facts = ctx.facts;
    const body: Record<string, unknown> = {
      time: new Date(ctx.request.time).toISOString(),
      id: decision.id,
      agent: ctx.agent?.id ?? 'anonymous',
      user: ctx.user?.sub,
      task: ctx.task?.id,
      upstream: ctx.tool?.upstream,
      tool: ctx.tool?.name,
      method: ctx.request.method,
    };
    const given = facts.argumentsDigest;
    const canonical = ctx.arguments === undefined ? undefined : canonicalJson(ctx.arguments);
    const original = facts.originalArguments;
    if (typeof given === 'string') {
      body.argsDigest = given;
      body.argsDigestOf = 'original';
    } else if (original !== undefined) {
      // The caller's arguments object, kept by the protocol layer (pii copies on write, never mutates).
      body.argsDigest = original === ctx.arguments && canonical !== undefined ? sha256Hex(canonical) : digestJson(original);
      body.argsDigestOf = 'original';
    } else if (canonical !== undefined) {
      body.argsDigest = sha256Hex(canonical);
      body.argsDigestOf = piiMayHaveChangedArguments(ctx) ? 'after-pii' : 'original';
    }
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when the limit may be near.
    const bytes = canonical === undefined ? 0 : canonical.length * 3 > this.maxArgsBytes ? Buffer.byteLength(canonical) : canonical.length;
    if (bytes > this.maxArgsBytes) {
      // Huge arguments would bloat every line; the digest still pins them.
      body.argsOmitted = { bytes };
    } else {
      body.args = ctx.arguments;
    }
    body.decision = decision.allow ? 'allow' : 'deny';
    body.code = decision.code;
    body.reason = decision.reason;
    body.stages = decision.stages;
    body.policy = this.policy ?? policyFromFacts(facts.policy);
    body.limits = facts.limits;
    body.pii = summarizePii(facts.pii);
    body.latencyMs = this.settledAt - ctx.request.time;
    body.outcome = outcomeOf(ctx);
    return body;
  }
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

/**
 * PII finding counts by type, never values. Accepts the shapes a pii stage may
 * leave: {counts: {TYPE: n}}, {TYPE: n}, or {findings: [{type, count?}]}
 * (also under `arguments`/`result`, summed).
 */
const PII_TYPE = /^[A-Z][A-Z0-9_]*$/;

export function summarizePii(pii: unknown): Record<string, number> | undefined {
  if (pii === null || typeof pii !== 'object') return undefined;
  const counts: Record<string, number> = {};
  let any = false;
  const add = (type: unknown, n: unknown): void => {
    if (typeof type !== 'string' || typeof n !== 'number' || !Number.isFinite(n)) return;
    counts[type] = (counts[type] ?? 0) + n;
    any = true;
  };
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 2) return;
    if (Array.isArray(node)) {
      for (const f of node) if (f && typeof f === 'object') add((f as { type?: unknown }).type, (f as { count?: unknown }).count ?? 1);
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'number') {
        if (PII_TYPE.test(key)) add(key, value);
      }
      else if (key === 'counts' || key === 'findings' || key === 'arguments' || key === 'result' || key === 'request' || key === 'response') visit(value, depth + 1);
    }
  };
  visit(pii, 0);
  return any ? counts : undefined;
}
