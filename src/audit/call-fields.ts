/**
 * How a call's record travels from the gateway's event loop to the writer thread.
 *
 * Cloning for postMessage costs per value, and most per object, so the call
 * path pushes the call's fields flat into the writer's queue (no per-record
 * object, stage outcomes as flat triples) and the writer thread rebuilds the
 * record body: it formats the time, digests and size-checks the arguments and
 * summarises the pii facts. Both ends live here so they cannot drift apart.
 *
 * Layout after the agent slot (the agent is the queue's own first slot):
 *   time(ms), id, user, task, upstream, tool, method, argsDigest, args,
 *   argsOriginal, flags (decision, outcome, argsDigestOf), code, reason, policy,
 *   limits, pii, latencyMs, n, then n stage outcomes, each one small integer
 *   (stage, outcome, µs) or, when it does not fit one, the outcome object itself.
 * A record body given whole (AuditWriter.append) takes two slots after the agent:
 * null, then the body; the first slot of a call (its time) is never null.
 */
import { randomUUID } from 'node:crypto';
import type { StageOutcome } from '../pipeline/decision.ts';
import type { CallContext, StageName } from '../pipeline/types.ts';
import { canonicalJson, digestJson, sha256Hex } from './canonical.ts';
import type { CallOutcome } from './record.ts';

/** Pushes a call's fields into the queue (after its agent slot). Call path: references only. */
export function pushCallFields(queue: unknown[], ctx: CallContext, settledAt: number, policy: string | undefined): void {
  const decision = ctx.decision;
  const facts = ctx.facts;
  const request = ctx.request;
  const tool = ctx.tool;
  const args = ctx.arguments;
  const given = facts.argumentsDigest;
  const original = facts.originalArguments;
  let digestOf: 'original' | 'after-pii' | undefined;
  if (typeof given === 'string' || original !== undefined) digestOf = 'original';
  else if (args !== undefined) digestOf = piiMayHaveChangedArguments(ctx) ? 'after-pii' : 'original';
  const outcome = outcomeOf(ctx);
  const flags = (decision.allow ? 1 : 0) | (OUTCOMES.indexOf(outcome) << 1) | ((digestOf === undefined ? 0 : digestOf === 'original' ? 1 : 2) << 3);
  const stages = decision.stages;
  queue.push(
    request.time, decision.id, ctx.user?.sub, ctx.task?.id, tool?.upstream, tool?.name, request.method,
    typeof given === 'string' ? given : undefined, args,
    // The caller's arguments object, kept by the protocol layer (pii copies on write, never mutates).
    typeof given !== 'string' && original !== args ? original : undefined,
    flags, decision.code, decision.reason, policy ?? policyFromFacts(facts.policy), facts.limits, facts.pii,
    settledAt - request.time, stages.length,
  );
  for (let i = 0; i < stages.length; i++) queue.push(packStage(stages[i]!));
}

const OUTCOMES: readonly CallOutcome[] = ['ok', 'denied', 'upstream_error', 'error'];
const STAGE_NAMES: readonly StageName[] = ['identity', 'task-scope', 'policy', 'rate-limit', 'pii', 'audit', 'forward'];
const STAGE_OUTCOMES: readonly StageOutcome['outcome'][] = ['pass', 'deny', 'error'];
/** µs above this do not fit a small integer with the stage and outcome (about 33 s). */
const MAX_PACKED_US = 2 ** 25 - 1;

/** A stage outcome as one small integer ((µs + 1) · 32 + stage · 4 + outcome; µs + 1 = 0 when absent), or the object. */
function packStage(s: StageOutcome): number | StageOutcome {
  const name = STAGE_NAMES.indexOf(s.stage);
  const outcome = STAGE_OUTCOMES.indexOf(s.outcome);
  const us = s.us === undefined ? 0 : s.us + 1;
  if (name < 0 || outcome < 0 || s.code !== undefined || s.reason !== undefined || !Number.isInteger(us) || us < 0 || us > MAX_PACKED_US) return s;
  return us * 32 + name * 4 + outcome;
}

function unpackStage(slot: unknown): StageOutcome {
  if (typeof slot !== 'number') return slot as StageOutcome;
  const outcome: StageOutcome = { stage: STAGE_NAMES[(slot >> 2) & 7]!, outcome: STAGE_OUTCOMES[slot & 3]! };
  const us = Math.floor(slot / 32);
  if (us > 0) outcome.us = us - 1;
  return outcome;
}

/**
 * A body built by readCallFields carries its arguments as canonical JSON text under this key (JSON and
 * pino skip symbol keys) and `args` holds RAW_ARGS_PLACEHOLDER, which the chain swaps for the text in
 * the serialised line: the arguments are serialised once, not once for the digest and again by pino.
 */
export const RAW_ARGS: unique symbol = Symbol('warden.audit.rawArgs');
/** Per thread and unguessable, so no value a caller controls can spell it. */
export const RAW_ARGS_PLACEHOLDER = `warden-raw-args-${randomUUID()}`;

/** Whether the slot after an agent starts a call's fields (else null, then a record body). */
export function isCallFields(first: unknown): boolean {
  return first !== null;
}

/**
 * Rebuilds a call's record body from the queue, starting at `at` (the slot after the agent).
 * Returns the body and the index of the next agent slot. Runs in the writer thread.
 */
export function readCallFields(items: unknown[], at: number, maxArgsBytes: number, agent: string): { body: Record<string, unknown>; next: number } {
  let i = at;
  const time = items[i++] as number;
  // kind, seq and prev lead the record; the chain fills seq and prev in.
  const body: Record<string, unknown> = { kind: 'call', seq: 0, prev: '', time: new Date(time).toISOString(), id: items[i++], agent };
  body.user = items[i++];
  body.task = items[i++];
  body.upstream = items[i++];
  body.tool = items[i++];
  body.method = items[i++];
  const given = items[i++];
  const args = items[i++];
  const original = items[i++];
  const flags = items[i++] as number;
  const canonical = args === undefined ? undefined : canonicalJson(args);
  if (typeof given === 'string') body.argsDigest = given;
  else if (original !== undefined) body.argsDigest = digestJson(original);
  else if (canonical !== undefined) body.argsDigest = sha256Hex(canonical);
  const digestOf = (flags >> 3) & 3;
  if (digestOf !== 0) body.argsDigestOf = digestOf === 1 ? 'original' : 'after-pii';
  if (canonical !== undefined) {
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when the limit may be near.
    const bytes = canonical.length * 3 > maxArgsBytes ? Buffer.byteLength(canonical) : canonical.length;
    // Huge arguments would bloat every line; the digest still pins them.
    if (bytes > maxArgsBytes) body.argsOmitted = { bytes };
    else {
      // The canonical text is already there: the chain writes it as the args member (see RAW_ARGS).
      body.args = RAW_ARGS_PLACEHOLDER;
      (body as Record<symbol, unknown>)[RAW_ARGS] = canonical;
    }
  }
  body.decision = flags & 1 ? 'allow' : 'deny';
  body.code = items[i++];
  body.reason = items[i++];
  const policy = items[i++];
  const limits = items[i++];
  const pii = items[i++];
  const latencyMs = items[i++];
  const n = items[i++] as number;
  const stages: StageOutcome[] = new Array<StageOutcome>(n);
  for (let k = 0; k < n; k++) stages[k] = unpackStage(items[i++]);
  body.stages = stages;
  body.policy = policy;
  body.limits = limits;
  body.pii = summarizePii(pii);
  body.latencyMs = latencyMs;
  body.outcome = OUTCOMES[(flags >> 1) & 3];
  return { body, next: i };
}

/**
 * Whether the arguments the audit stage sees may differ from the caller's: the pii stage
 * passed and reported findings in the arguments (or a policy asked for paths to be redacted).
 * When pii found nothing it leaves the arguments untouched, so their digest is the original's.
 */
function piiMayHaveChangedArguments(ctx: CallContext): boolean {
  const stages = ctx.decision.stages;
  let piiPassed = false;
  for (let i = 0; i < stages.length; i++) if (stages[i]!.stage === 'pii' && stages[i]!.outcome === 'pass') piiPassed = true;
  if (!piiPassed) return false;
  const pii = ctx.facts.pii as { arguments?: unknown } | undefined;
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
  return visitPii(pii, 0, counts) ? counts : undefined;
}

/** Adds the findings under node to counts; whether it found any. */
function visitPii(node: unknown, depth: number, counts: Record<string, number>): boolean {
  if (node === null || typeof node !== 'object' || depth > 2) return false;
  let any = false;
  if (Array.isArray(node)) {
    for (const f of node) {
      if (f && typeof f === 'object') any = addPii(counts, (f as { type?: unknown }).type, (f as { count?: unknown }).count ?? 1) || any;
    }
    return any;
  }
  for (const key in node) {
    if (!Object.hasOwn(node, key)) continue;
    const value = (node as Record<string, unknown>)[key];
    if (typeof value === 'number') {
      if (PII_TYPE.test(key)) any = addPii(counts, key, value) || any;
    } else if (PII_CONTAINERS.has(key)) {
      any = visitPii(value, depth + 1, counts) || any;
    }
  }
  return any;
}

const PII_CONTAINERS = new Set(['counts', 'findings', 'arguments', 'result', 'request', 'response']);

function addPii(counts: Record<string, number>, type: unknown, n: unknown): boolean {
  if (typeof type !== 'string' || typeof n !== 'number' || !Number.isFinite(n)) return false;
  counts[type] = (counts[type] ?? 0) + n;
  return true;
}
