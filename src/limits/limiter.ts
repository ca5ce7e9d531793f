/**
 * The limiter: resolves which gates a call must pass, keyed on identity (agent,
 * agent × tool, upstream, task), never on the session, and takes a token from each.
 *
 * The fast path (tokens available locally) is synchronous and allocation-light: per
 * agent state is built once and cached; a call does a few Map lookups and arithmetic.
 */
import { performance } from 'node:perf_hooks';
import { WardenError } from '../errors.ts';
import type { CallContext } from '../pipeline/types.ts';
import type { LimitsConfig } from './config.ts';
import { LocalBudget, LocalDailyQuota } from './counters.ts';
import { rateFromConfig, type RateSpec } from './duration.ts';
import { ALLOW, DENY, type Gate, type LimitScope, PENDING } from './gate.ts';
import { SharedBucket, SharedBudget, SharedDailyQuota } from './lease-gate.ts';
import { agentOverrides, obligationLimit, type AgentOverrides } from './overrides.ts';
import type { RedisLimitStore } from './redis-store.ts';
import { LocalBucket } from './token-bucket.ts';
import type { Release, UpstreamGates } from './upstream-gate.ts';

/** What the limiter records in `ctx.facts.limits` for the audit record. */
export interface LimitFacts {
  /** The identity the limits were counted against. */
  key: string;
  /** The gate with the fewest tokens left (or the one that denied). */
  scope?: LimitScope;
  /** Tokens left in that gate. */
  remaining?: number;
  tier?: string;
  denied?: boolean;
}

interface AgentState {
  manifestLimits: Record<string, unknown> | undefined;
  readonly overrides: AgentOverrides;
  readonly rate: Gate | null;
  readonly toolSpec: RateSpec | null;
  readonly tools: Map<string, Gate>;
  readonly quota: Gate | null;
  readonly tier: string | undefined;
  readonly concurrency: number;
  inFlight: number;
}

/** What a call holds until it settles. */
interface Held {
  agent: AgentState | null;
  upstream: Release | null;
}

export interface LimiterOptions {
  config: LimitsConfig;
  store?: RedisLimitStore;
  upstreamGates?: UpstreamGates;
  /** Told about each rejection (for the limit-rejections metric). */
  onReject?: (scope: LimitScope) => void;
}

const SCOPE_TEXT: Record<LimitScope, string> = {
  agent: 'rate limit',
  'agent-tool': 'per-tool rate limit',
  upstream: 'upstream rate limit',
  task: 'task call budget',
  obligation: 'policy-imposed rate limit',
  quota: 'daily quota',
  concurrency: 'concurrency limit',
  'upstream-concurrency': 'upstream concurrency limit',
};

const enc = encodeURIComponent;

/** Identities whose limit state is kept in memory at once (oldest first out). */
const MAX_AGENTS = 100_000;

export class Limiter {
  readonly #config: LimitsConfig;
  readonly #store: RedisLimitStore | undefined;
  readonly #upstreamGates: UpstreamGates | undefined;
  readonly #onReject: ((scope: LimitScope) => void) | undefined;
  readonly #agents = new Map<string, AgentState>();
  readonly #upstreams = new Map<string, Gate>();
  readonly #tasks = new Map<string, Gate & { expiresAt?: number }>();
  readonly #obligations = new Map<string, Gate>();
  readonly #held = new WeakMap<CallContext, Held>();
  readonly #agentRate: RateSpec | null;
  readonly #toolRate: RateSpec | null;
  readonly #upstreamRate: RateSpec | null;
  /** Reused on the synchronous path; copied before any await. */
  readonly #scratch: Gate[] = [];
  #sweepAt = 0;

  constructor(opts: LimiterOptions) {
    this.#config = opts.config;
    this.#store = opts.store;
    this.#upstreamGates = opts.upstreamGates;
    this.#onReject = opts.onReject;
    this.#agentRate = opts.config.perAgent ? rateFromConfig(opts.config.perAgent) : null;
    this.#toolRate = opts.config.perAgentTool ? rateFromConfig(opts.config.perAgentTool) : null;
    this.#upstreamRate = opts.config.perUpstream ? rateFromConfig(opts.config.perUpstream) : null;
    if (opts.config.defaultTier !== undefined && opts.config.dailyQuotaTiers[opts.config.defaultTier] === undefined) {
      throw new WardenError('WARDEN_CONFIG_INVALID', `limits.defaultTier "${opts.config.defaultTier}" is not a key of limits.dailyQuotaTiers`);
    }
  }

  /** A rate gate: shared through Redis when a store is configured, else local. */
  #bucket(scope: LimitScope, key: string, spec: RateSpec, now: number): Gate {
    const local = new LocalBucket(scope, spec, now);
    return this.#store ? new SharedBucket(scope, key, this.#store, local) : local;
  }

  #agentState(id: string, manifestLimits: Record<string, unknown> | undefined, now: number): AgentState {
    const found = this.#agents.get(id);
    if (found && found.manifestLimits === manifestLimits) return found;
    // First call of this agent, or its manifest was reloaded: build its gates once.
    const o: AgentOverrides = agentOverrides(id, manifestLimits);
    if (found && sameOverrides(found.overrides, o)) {
      // Same limits in a new object (a reloaded or re-created manifest): keep the counts.
      found.manifestLimits = manifestLimits;
      return found;
    }
    const rateSpec = o.rate ?? this.#agentRate;
    const tierName = o.tier ?? this.#config.defaultTier;
    let quota: Gate | null = null;
    if (tierName !== undefined) {
      const perDay = this.#config.dailyQuotaTiers[tierName];
      if (perDay === undefined) {
        throw new WardenError('WARDEN_CONFIG_INVALID', `agent ${id} names quota tier "${tierName}", which limits.dailyQuotaTiers does not define`);
      }
      const local = new LocalDailyQuota(perDay, tierName);
      quota = this.#store ? new SharedDailyQuota(perDay, tierName, `q:${enc(id)}`, this.#store, local) : local;
    }
    const state: AgentState = {
      manifestLimits,
      overrides: o,
      rate: rateSpec ? this.#bucket('agent', `a:${enc(id)}`, rateSpec, now) : null,
      toolSpec: o.toolRate ?? this.#toolRate,
      tools: found && sameSpec(found.toolSpec, o.toolRate ?? this.#toolRate) ? found.tools : new Map(),
      quota,
      tier: tierName,
      concurrency: o.concurrency ?? this.#config.concurrencyPerAgent ?? 0,
      inFlight: found?.inFlight ?? 0,
    };
    if (!found && this.#agents.size >= MAX_AGENTS) {
      // Unauthenticated callers are keyed by IP: forget the oldest rather than grow without bound.
      const oldest = this.#agents.keys().next().value;
      if (oldest !== undefined) this.#agents.delete(oldest);
    }
    this.#agents.set(id, state);
    return state;
  }

  #taskGate(id: string, budget: number, expiresAtS: number): Gate {
    let gate = this.#tasks.get(id);
    if (gate && gate.limit === budget) return gate;
    const expiresAt = expiresAtS * 1000;
    const local = new LocalBudget(budget, expiresAt);
    gate = this.#store ? new SharedBudget(budget, `t:${enc(id)}`, expiresAt, this.#store, local) : local;
    this.#tasks.set(id, gate);
    return gate;
  }

  /** Drops the state of tasks that have expired (at most once a minute, on the call path). */
  #sweep(now: number): void {
    if (now < this.#sweepAt) return;
    this.#sweepAt = now + 60_000;
    const wall = Date.now();
    for (const [id, gate] of this.#tasks) if ((gate.expiresAt ?? Infinity) + 60_000 < wall) this.#tasks.delete(id);
  }

  /**
   * Takes a token from every gate that applies to the call. Returns synchronously when
   * every gate answered locally; returns a promise when a shared lease had to be refilled
   * or the upstream gate is configured. Throws (or rejects) a WardenError when over a limit.
   */
  acquire(ctx: CallContext): void | Promise<void> {
    const now = performance.now();
    const id = ctx.agent?.id ?? `ip:${ctx.request.ip}`;
    const agent = this.#agentState(id, ctx.agent?.manifest?.limits, now);
    const gates = this.#scratch;
    gates.length = 0;
    if (agent.rate) gates.push(agent.rate);
    const tool = ctx.tool;
    if (tool && agent.toolSpec) {
      let g = agent.tools.get(tool.name);
      if (!g) {
        g = this.#bucket('agent-tool', `at:${enc(id)}:${enc(tool.name)}`, agent.toolSpec, now);
        agent.tools.set(tool.name, g);
      }
      gates.push(g);
    }
    if (tool && this.#upstreamRate) {
      let g = this.#upstreams.get(tool.upstream);
      if (!g) {
        g = this.#bucket('upstream', `u:${enc(tool.upstream)}`, this.#upstreamRate, now);
        this.#upstreams.set(tool.upstream, g);
      }
      gates.push(g);
    }
    const obligation = ctx.obligations?.limits;
    if (obligation) {
      const o = obligationLimit(obligation);
      const key = o.per === 'agent' || !tool ? `o:${enc(id)}:${o.id}` : `o:${enc(id)}:${enc(tool.name)}:${o.id}`;
      let g = this.#obligations.get(key);
      if (!g) {
        g = this.#bucket('obligation', key, o.spec, now);
        this.#obligations.set(key, g);
      }
      gates.push(g);
    }
    // Quotas and budgets meter work (tool calls, A2A messages…), not session housekeeping.
    const metered = isMetered(ctx.request.method);
    if (agent.quota && metered) gates.push(agent.quota);
    const task = ctx.task;
    if (task && task.budget !== undefined && metered && this.#config.taskBudgets) {
      this.#sweep(now);
      gates.push(this.#taskGate(task.id, task.budget, task.expiresAt));
    }

    if (agent.concurrency > 0) {
      if (agent.inFlight >= agent.concurrency) this.#deny(ctx, id, agent, 'concurrency', agent.concurrency, 100, undefined);
      agent.inFlight++;
    }
    for (let i = 0; i < gates.length; i++) {
      const gate = gates[i]!;
      const outcome = gate.tryTake(now);
      if (outcome === ALLOW) continue;
      if (outcome === DENY) this.#denyAt(ctx, id, agent, gates, i, now);
      // A shared lease ran dry: finish this call on the slow path.
      return this.#acquireAsync(ctx, id, agent, gates.slice(), i);
    }
    return this.#passed(ctx, id, agent, gates, now);
  }

  async #acquireAsync(ctx: CallContext, id: string, agent: AgentState, gates: Gate[], from: number): Promise<void> {
    for (let i = from; i < gates.length; i++) {
      const gate = gates[i]!;
      let now = performance.now();
      const outcome = i === from ? PENDING : gate.tryTake(now);
      if (outcome === ALLOW) continue;
      if (outcome === PENDING && (await gate.takeAsync(now))) continue;
      now = performance.now();
      this.#denyAt(ctx, id, agent, gates, i, now);
    }
    const pending = this.#passed(ctx, id, agent, gates, performance.now());
    if (pending) await pending;
  }

  #passed(ctx: CallContext, id: string, agent: AgentState, gates: Gate[], now: number): void | Promise<void> {
    // Facts for the audit record: the tightest gate.
    let scope: LimitScope | undefined;
    let remaining = Infinity;
    for (let i = 0; i < gates.length; i++) {
      const r = gates[i]!.remaining(now);
      if (r < remaining) {
        remaining = r;
        scope = gates[i]!.scope;
      }
    }
    const facts: LimitFacts = { key: id };
    if (scope) {
      facts.scope = scope;
      facts.remaining = remaining;
    }
    if (agent.tier !== undefined) facts.tier = agent.tier;
    ctx.facts.limits = facts;

    const upstream = ctx.tool?.upstream;
    if (agent.concurrency > 0 || (this.#upstreamGates && upstream)) {
      const held: Held = { agent: agent.concurrency > 0 ? agent : null, upstream: null };
      this.#held.set(ctx, held);
      if (this.#upstreamGates && upstream) {
        // `gates` may be the shared scratch array: keep this call's own list for the refund.
        const slot = this.#upstreamGates.acquire(upstream);
        if (typeof slot === 'function') {
          held.upstream = slot;
          return;
        }
        const taken = gates.slice();
        return slot.then(
          (release) => {
            held.upstream = release;
          },
          (err: unknown) => {
            for (const g of taken) g.refund();
            if (err instanceof WardenError) {
              facts.denied = true;
              facts.scope = 'upstream-concurrency';
              this.#onReject?.('upstream-concurrency');
            }
            throw err;
          },
        );
      }
    }
  }

  /** Refunds the gates before `index`, then throws the denial for gate `index`. */
  #denyAt(ctx: CallContext, id: string, agent: AgentState, gates: Gate[], index: number, now: number): never {
    for (let j = 0; j < index; j++) gates[j]!.refund();
    if (agent.concurrency > 0) agent.inFlight--;
    const gate = gates[index]!;
    if ((gate as { unavailable?: boolean }).unavailable) {
      ctx.facts.limits = { key: id, scope: gate.scope, denied: true } satisfies LimitFacts;
      this.#onReject?.(gate.scope);
      throw new WardenError('WARDEN_LIMITS_UNAVAILABLE', `the shared limit store is unreachable and the ${SCOPE_TEXT[gate.scope]} cannot be checked (fail-closed)`, {
        retryAfterMs: 1000,
        scope: gate.scope,
      });
    }
    this.#deny(ctx, id, agent, gate.scope, gate.limit, gate.retryAfterMs(now), gate.remaining(now));
  }

  #deny(ctx: CallContext, id: string, agent: AgentState, scope: LimitScope, limit: number, retryAfterMs: number, remaining: number | undefined): never {
    // Members in one order everywhere (key, scope, remaining, tier, denied): the audit record keeps it.
    const facts: LimitFacts = { key: id, scope, remaining: Math.max(0, remaining ?? 0) };
    if (agent.tier !== undefined) facts.tier = agent.tier;
    facts.denied = true;
    ctx.facts.limits = facts;
    this.#onReject?.(scope);
    const who = ctx.task && scope === 'task' ? `task ${ctx.task.id}` : `agent ${id}`;
    const tier = scope === 'quota' && agent.tier !== undefined ? ` (tier ${agent.tier})` : '';
    const code = scope === 'quota' ? 'WARDEN_QUOTA_EXCEEDED' : scope === 'task' ? 'WARDEN_TASK_BUDGET' : 'WARDEN_RATE_LIMITED';
    throw new WardenError(code, `${who} is over its ${SCOPE_TEXT[scope]} of ${limit}${tier}; retry in ${retryAfterMs} ms`, {
      retryAfterMs,
      limit,
      scope,
    });
  }

  /** Releases what the call held (concurrency slot, upstream slot). Idempotent. */
  release(ctx: CallContext): void {
    const held = this.#held.get(ctx);
    if (!held) return;
    this.#held.delete(ctx);
    if (held.agent && held.agent.inFlight > 0) held.agent.inFlight--;
    held.upstream?.();
  }
}

/** False for MCP housekeeping (initialize, ping, notifications, listings), which quotas and task budgets do not count. */
export function isMetered(method: string): boolean {
  return !(method === 'initialize' || method === 'ping' || method.startsWith('notifications/') || method.endsWith('/list'));
}

function sameOverrides(a: AgentOverrides, b: AgentOverrides): boolean {
  return sameSpec(a.rate ?? null, b.rate ?? null) && sameSpec(a.toolRate ?? null, b.toolRate ?? null) && a.tier === b.tier && a.concurrency === b.concurrency;
}

function sameSpec(a: RateSpec | null, b: RateSpec | null): boolean {
  return a === b || (!!a && !!b && a.limit === b.limit && a.perMs === b.perMs && a.burst === b.burst);
}
