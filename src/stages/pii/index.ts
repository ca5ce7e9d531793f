/**
 * The pii stage: scrubs tool-call arguments on the way to the upstream and
 * results (tool content, structuredContent, resource contents, prompt
 * messages: every string, walked structurally) on the way back.
 *
 * Findings are recorded as types and counts only, never values, in
 * `ctx.facts.pii = {arguments: {EMAIL_ADDRESS: 1}, result: {...}}`.
 * Policy obligations (`obligations.redact`) add types to redact, or JSON
 * pointers whose values are replaced outright.
 */
import { WardenError } from '../../errors.ts';
import type { PiiAction, PiiConfig } from '../../pii/config.ts';
import { MAX_DEPTH, scrubJson, type ScrubResult } from '../../pii/scrub.ts';
import { TokenVault } from '../../pii/vault.ts';
import type { Logger } from '../../observability/logger.ts';
import type { CallContext, Stage } from '../../pipeline/types.ts';

export interface PiiStageOptions {
  config: PiiConfig;
  logger?: Logger;
  /** Share a vault with the detokenize route; created from config.tokenKey when omitted. */
  vault?: TokenVault;
}

export interface PiiStage extends Stage {
  /** The token vault (present when tokenization is configured), for `detokenizeRoute`. */
  readonly vault: TokenVault | undefined;
}

type Direction = 'arguments' | 'result';

/** Creates the pii stage. */
export function piiStage(opts: PiiStageOptions): PiiStage {
  const { config, logger } = opts;
  const vault = opts.vault ?? (config.tokenKey ? new TokenVault(config.tokenKey, config.vaultSize) : undefined);
  const configured = new Map<string, PiiAction>(Object.entries(config.actions));
  const baseActionOf = (type: string): PiiAction => configured.get(type) ?? config.defaultAction;

  type Actions = { actionOf: (t: string) => PiiAction; paths: string[] | undefined };
  const baseActions: Actions = { actionOf: baseActionOf, paths: undefined };
  // Policies return the same few obligation lists call after call: build each one's action table once.
  const byObligation = new Map<string, Actions>();

  /** Obligation entries: type names raise those types to redact; `/pointers` redact whole values. */
  function obligationActions(ctx: CallContext): Actions {
    const extra = ctx.obligations?.redact;
    if (!extra || extra.length === 0) return baseActions;
    const key = extra.length === 1 ? extra[0]! : extra.join('\n');
    let actions = byObligation.get(key);
    if (actions === undefined) {
      actions = buildActions(extra);
      if (byObligation.size >= 256) byObligation.clear();
      byObligation.set(key, actions);
    }
    return actions;
  }

  function buildActions(extra: readonly string[]): Actions {
    const types = new Set<string>();
    let paths: string[] | undefined;
    for (const e of extra) {
      if (e.startsWith('/')) (paths ??= []).push(e);
      else types.add(e.toUpperCase());
    }
    const actionOf = (type: string): PiiAction => {
      const base = baseActionOf(type);
      if (!types.has(type)) return base;
      return base === 'block' || base === 'tokenize' ? base : 'redact';
    };
    return { actionOf, paths };
  }

  function scrub(ctx: CallContext, value: unknown, direction: Direction): ScrubResult {
    const { actionOf, paths } = obligationActions(ctx);
    const result = scrubJson(value, {
      maxScanBytes: config.maxScanBytes,
      actionOf,
      ...(paths ? { redactPaths: paths } : {}),
      actionContext: { ...(vault ? { vault } : {}), taskId: ctx.task?.id ?? ctx.request.sessionId ?? '' },
    });
    if (result.counts || result.truncated) {
      const facts = (ctx.facts.pii ??= {}) as Record<string, unknown>;
      if (result.counts) facts[direction] = result.counts;
      if (result.truncated) {
        facts.truncated = true;
        logger?.warn({ decisionId: ctx.decision.id, direction, maxScanBytes: config.maxScanBytes }, 'pii: scan budget exceeded; the rest was not scanned');
      }
    }
    if (result.tooDeep) {
      // Unscanned data must not pass: refuse rather than forward it.
      const reason = `the ${direction} nest deeper than ${MAX_DEPTH} levels and cannot be scanned for PII`;
      throw new WardenError(direction === 'arguments' ? 'WARDEN_BAD_REQUEST' : 'WARDEN_UPSTREAM_ERROR', reason);
    }
    if (result.blocked) {
      const types = result.blocked;
      throw new WardenError('WARDEN_PII_BLOCKED', `the ${direction === 'arguments' ? 'tool-call arguments contain' : 'result contains'} ${types.join(', ')}, which policy blocks`, { types, direction });
    }
    return result;
  }

  return {
    name: 'pii',
    vault,
    onRequest(ctx: CallContext): void {
      if (!config.enabled || !config.scrubArguments || ctx.arguments === undefined) return;
      const r = scrub(ctx, ctx.arguments, 'arguments');
      if (r.changed) ctx.arguments = r.value;
    },
    onResponse(ctx: CallContext): void {
      if (!config.enabled || !config.scrubResults || ctx.result === undefined) return;
      const r = scrub(ctx, ctx.result, 'result');
      if (r.changed) ctx.result = r.value;
    },
  };
}
