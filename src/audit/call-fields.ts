/**
 * How a call's record travels from the gateway's event loop to the writer thread.
 *
 * Cloning for postMessage costs per value, and most per object and per string,
 * so the call path pushes the call's fields flat into the writer's queue (no
 * per-record object, stage outcomes as small integers, optional fields only
 * when present, strings that repeat the previous record's as null) and the
 * writer thread rebuilds the record body: it formats the time, digests and
 * size-checks the arguments and summarises the pii facts. Both ends live here
 * so they cannot drift apart.
 *
 * One queue (one message) holds entries back to back. Each starts with its agent
 * (null: the previous entry's agent). A call entry then holds:
 *   time(ms), flags, id, user, task, upstream, tool, method, policy, args, limits,
 *   pii, latencyMs, [argsDigest given], [argsOriginal], [code, reason],
 *   then n stage outcomes, each one small integer (stage, outcome, µs) or, when it
 *   does not fit one, the outcome object itself.
 * flags: bit 0 allow, bits 1-2 outcome, bits 3-4 argsDigestOf, bits 5-7 which of the
 * optional slots follow, bit 8 flat limits, bits 9+ n. user…policy are null when equal to
 * the previous call entry's in the same queue. With flat limits, the limits slot is five
 * slots: key (null: the previous flat key), scope, remaining, tier, denied (the limiter's
 * facts, which have only those members: an object costs the clone far more than scalars). A record body given whole (AuditWriter.append)
 * takes two slots after the agent: null, then the body; a call's time is never null.
 */
import { randomBytes } from 'node:crypto';
import type { StageOutcome } from '../pipeline/decision.ts';
import type { CallContext } from '../pipeline/types.ts';
import { canonicalJson, digestJson, sha256Hex } from './canonical.ts';
import type { CallOutcome } from './record.ts';
import { packedStagesJson, packStage, unpackStage } from './stage-slots.ts';

const F_ALLOW = 1;
const F_GIVEN = 1 << 5;
const F_ORIGINAL = 1 << 6;
const F_CODE = 1 << 7;
const F_FLAT_LIMITS = 1 << 8;
const N_SHIFT = 9;

/**
 * The gateway's end: pushes entries into a queue. Call path: references only. Remembers the
 * previous entry's agent and strings; reset() when the queue is sent (the decoder starts afresh
 * with each message).
 */
export class CallFieldsEncoder {
  private agent: string | undefined;
  private user: unknown;
  private task: unknown;
  private upstream: unknown;
  private tool: unknown;
  private method: unknown;
  private policy: unknown;
  private limitKey: unknown;

  /** Forgets the previous entry: the next queue starts a new message. */
  reset(): void {
    this.agent = this.user = this.task = this.upstream = this.tool = this.method = this.policy = this.limitKey = undefined;
  }

  /** Queues a record body given whole. */
  pushBody(queue: unknown[], agent: string, body: unknown): void {
    queue.push(agent === this.agent ? null : (this.agent = agent), null, body);
  }

  /** Queues a call's fields. */
  pushCall(queue: unknown[], agent: string, ctx: CallContext, settledAt: number, policy: string | undefined): void {
    const decision = ctx.decision;
    const facts = ctx.facts;
    const request = ctx.request;
    const tool = ctx.tool;
    const args = ctx.arguments;
    const given = facts.argumentsDigest;
    const original = facts.originalArguments;
    const stages = decision.stages;
    const code = decision.code;
    const reason = decision.reason;
    // The caller's arguments object, kept by the protocol layer (pii copies on write, never mutates).
    const sendOriginal = typeof given !== 'string' && original !== undefined && original !== args;
    const hasCode = code !== undefined || reason !== undefined;
    // argsDigestOf is added once the stages have been read (see below).
    const limits = facts.limits;
    const flat = isFlatLimits(limits);
    const flags = (decision.allow ? F_ALLOW : 0) | (outcomeOf(ctx) << 1) | (typeof given === 'string' ? F_GIVEN : 0)
      | (sendOriginal ? F_ORIGINAL : 0) | (hasCode ? F_CODE : 0) | (flat ? F_FLAT_LIMITS : 0) | (stages.length << N_SHIFT);
    // `?? undefined`: a null would read as "same as before".
    const user = ctx.user?.sub ?? undefined;
    const task = ctx.task?.id ?? undefined;
    const upstream = tool?.upstream ?? undefined;
    const toolName = tool?.name ?? undefined;
    const method = request.method ?? undefined;
    const pol = policy ?? policyFromFacts(facts.policy);
    const flagsAt = queue.length + 2;
    queue.push(
      agent === this.agent ? null : (this.agent = agent),
      request.time, flags, decision.id,
      user === this.user ? null : (this.user = user),
      task === this.task ? null : (this.task = task),
      upstream === this.upstream ? null : (this.upstream = upstream),
      toolName === this.tool ? null : (this.tool = toolName),
      method === this.method ? null : (this.method = method),
      pol === this.policy ? null : (this.policy = pol),
      args,
    );
    if (flat) {
      const l = limits as FlatLimits;
      queue.push(l.key === this.limitKey ? null : (this.limitKey = l.key), l.scope, l.remaining, l.tier, l.denied);
    } else queue.push(limits);
    queue.push(facts.pii, settledAt - request.time);
    if (flags & F_GIVEN) queue.push(given);
    if (sendOriginal) queue.push(original);
    if (hasCode) queue.push(code, reason);
    let piiPassed = false;
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i]!;
      if (stage.stage === 'pii' && stage.outcome === 'pass') piiPassed = true;
      queue.push(packStage(stage));
    }
    let digestOf = 0;
    if (typeof given === 'string' || original !== undefined) digestOf = 1;
    else if (args !== undefined) digestOf = piiPassed && piiMayHaveChangedArguments(ctx) ? 2 : 1;
    queue[flagsAt] = flags | (digestOf << 3);
  }
}

const OUTCOMES: readonly CallOutcome[] = ['ok', 'denied', 'upstream_error', 'error'];
/**
 * Members of a body built by CallFieldsDecoder whose JSON text is already known hold RAW_PLACEHOLDER,
 * and the texts, in member order, are under this key (JSON and pino skip symbol keys); the chain swaps
 * each placeholder pino wrote for its text. So the arguments are serialised once (not once for the
 * digest and again by pino), and the stages are written from their packed form without objects.
 */
export const RAW_PARTS: unique symbol = Symbol('warden.audit.rawParts');
/** Per thread and unguessable (128 random bits), so no value a caller controls can spell it; short, as pino scans it. */
export const RAW_PLACEHOLDER = `~${randomBytes(16).toString('base64url')}`;

/** Latest time before the year 10000 (toISOString's plain form). */
const MAX_PLAIN_TIME = 253402300799999;

/** The writer thread's end: reads the entries of one message in order (see CallFieldsEncoder). */
/** Record members sent as null when they repeat the previous record's, in slot order. */
const REPEATED_FIELDS = ['user', 'task', 'upstream', 'tool', 'method'] as const;

export class CallFieldsDecoder {
  private agent: string | undefined;
  /** The last value of each of REPEATED_FIELDS. */
  private readonly last: unknown[] = [undefined, undefined, undefined, undefined, undefined];
  private policy: unknown;
  private limitKey: unknown;
  /** toISOString of the last second formatted, up to the milliseconds: most records share one. */
  private second = -1;
  private secondIso = '';

  constructor(private readonly maxArgsBytes: number) {}

  /** Call at the start of each message. */
  reset(): void {
    this.agent = this.policy = this.limitKey = undefined;
    this.last.fill(undefined);
  }

  /** The agent of the entry starting at `at`. */
  agentAt(items: unknown[], at: number): string {
    const agent = items[at];
    if (agent !== null) this.agent = agent as string;
    return this.agent as string;
  }

  /**
   * Rebuilds a call's record body from the queue, starting at `at` (the slot after the agent).
   * Returns the body and the index of the next entry's agent slot.
   */
  readCall(items: unknown[], at: number, agent: string): { body: Record<string, unknown>; next: number } {
    let i = at;
    const time = items[i++] as number;
    const flags = items[i++] as number;
    // kind, seq and prev lead the record; the chain fills seq and prev in. Absent fields are
    // left out (not set to undefined) so that pino has fewer keys to walk; the order stays.
    const body: Record<string, unknown> = { kind: 'call', seq: 0, prev: '', time: this.iso(time), id: items[i++], agent };
    // user, task, upstream, tool, method: null repeats the previous record's value.
    const last = this.last;
    for (let k = 0; k < REPEATED_FIELDS.length; k++) {
      const v = items[i++];
      if (v !== null) last[k] = v;
      if (last[k] !== undefined) body[REPEATED_FIELDS[k]!] = last[k];
    }
    const v = items[i++];
    if (v !== null) this.policy = v;
    const policy = this.policy;
    const args = items[i++];
    let limits: unknown;
    if (flags & F_FLAT_LIMITS) {
      const key = items[i];
      if (key !== null) this.limitKey = key;
      limits = flatLimits(this.limitKey as string, items[i + 1], items[i + 2], items[i + 3], items[i + 4]);
      i += 5;
    } else limits = items[i++];
    const pii = items[i++];
    const latencyMs = items[i++];
    const given = flags & F_GIVEN ? items[i++] : undefined;
    const original = flags & F_ORIGINAL ? items[i++] : undefined;
    const code = flags & F_CODE ? items[i++] : undefined;
    const reason = flags & F_CODE ? items[i++] : undefined;
    const canonical = args === undefined ? undefined : canonicalJson(args);
    if (typeof given === 'string') body.argsDigest = given;
    else if (original !== undefined) body.argsDigest = digestJson(original);
    else if (canonical !== undefined) body.argsDigest = sha256Hex(canonical);
    const digestOf = (flags >> 3) & 3;
    if (digestOf !== 0) body.argsDigestOf = digestOf === 1 ? 'original' : 'after-pii';
    const raw: string[] = [];
    if (canonical !== undefined) {
      // UTF-8 takes 1 to 3 bytes per UTF-16 unit: count bytes only when the limit may be near.
      const bytes = canonical.length * 3 > this.maxArgsBytes ? Buffer.byteLength(canonical) : canonical.length;
      // Huge arguments would bloat every line; the digest still pins them.
      if (bytes > this.maxArgsBytes) body.argsOmitted = { bytes };
      else {
        // The canonical text is already there: the chain writes it as the args member (see RAW_PARTS).
        body.args = RAW_PLACEHOLDER;
        raw.push(canonical);
      }
    }
    body.decision = flags & F_ALLOW ? 'allow' : 'deny';
    if (code !== undefined) body.code = code;
    if (reason !== undefined) body.reason = reason;
    const n = flags >>> N_SHIFT;
    const stagesJson = packedStagesJson(items, i, n);
    if (stagesJson !== undefined) {
      body.stages = RAW_PLACEHOLDER;
      raw.push(stagesJson);
      i += n;
    } else {
      const stages: StageOutcome[] = new Array<StageOutcome>(n);
      for (let k = 0; k < n; k++) stages[k] = unpackStage(items[i++]);
      body.stages = stages;
    }
    if (raw.length > 0) (body as Record<symbol, unknown>)[RAW_PARTS] = raw;
    if (policy !== undefined) body.policy = policy;
    if (limits !== undefined) body.limits = limits;
    const counts = summarizePii(pii);
    if (counts !== undefined) body.pii = counts;
    body.latencyMs = latencyMs;
    body.outcome = OUTCOMES[(flags >> 1) & 3];
    return { body, next: i };
  }

  /** new Date(time).toISOString(), reusing the text of the second when it repeats. */
  private iso(time: number): string {
    if (!Number.isInteger(time) || time < 0 || time > MAX_PLAIN_TIME) return new Date(time).toISOString();
    const ms = time % 1000;
    const second = time - ms;
    if (second !== this.second) {
      this.secondIso = new Date(second).toISOString().slice(0, 20);
      this.second = second;
    }
    return this.secondIso + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms + 'Z';
  }
}

/** The limiter's facts (src/limits/limiter.ts LimitFacts): only these members, scalars all. */
interface FlatLimits {
  key: string;
  scope?: string;
  remaining?: number;
  tier?: string;
  denied?: boolean;
}

/** Whether `v` has the limiter's shape exactly, so its five members can travel as scalars. */
function isFlatLimits(v: unknown): v is FlatLimits {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const l = v as Record<string, unknown>;
  for (const k in l) {
    if (k !== 'key' && k !== 'scope' && k !== 'remaining' && k !== 'tier' && k !== 'denied') return false;
  }
  return (
    typeof l.key === 'string' &&
    (l.scope === undefined || typeof l.scope === 'string') &&
    (l.remaining === undefined || (typeof l.remaining === 'number' && Number.isFinite(l.remaining))) &&
    (l.tier === undefined || typeof l.tier === 'string') &&
    (l.denied === undefined || typeof l.denied === 'boolean') &&
    Object.getPrototypeOf(l) === Object.prototype
  );
}

/** The limits member rebuilt from its five slots, members in the limiter's order. */
function flatLimits(key: string, scope: unknown, remaining: unknown, tier: unknown, denied: unknown): FlatLimits {
  const out: FlatLimits = { key };
  if (scope !== undefined) out.scope = scope as string;
  if (remaining !== undefined) out.remaining = remaining as number;
  if (tier !== undefined) out.tier = tier as string;
  if (denied !== undefined) out.denied = denied as boolean;
  return out;
}

/** Whether the slot after an agent starts a call's fields (else null, then a record body). */
export function isCallFields(first: unknown): boolean {
  return first !== null;
}

/**
 * Whether the arguments the audit stage sees may differ from the caller's, given that the pii
 * stage passed: it reported findings in the arguments (or a policy asked for paths to be redacted).
 * When pii found nothing it leaves the arguments untouched, so their digest is the original's.
 */
function piiMayHaveChangedArguments(ctx: CallContext): boolean {
  const pii = ctx.facts.pii as { arguments?: unknown } | undefined;
  return pii?.arguments !== undefined || (ctx.obligations?.redact?.length ?? 0) > 0;
}

/** The call's outcome, as its index in OUTCOMES. */
function outcomeOf(ctx: CallContext): number {
  const code = ctx.decision.code;
  if (ctx.decision.allow) return ctx.upstreamError === undefined ? 0 : 2;
  if (code === 'WARDEN_INTERNAL') return 3;
  if (code !== undefined && code.startsWith('WARDEN_UPSTREAM_')) return 2;
  return 1;
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
