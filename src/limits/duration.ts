/** Parsing of the small duration and rate strings used in limits config and agent manifests. */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Milliseconds in a duration like `500ms`, `1s`, `2m`, `1h`, `1d`; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/** A sustained rate with its bucket capacity. */
export interface RateSpec {
  /** Tokens added per `perMs`. */
  limit: number;
  perMs: number;
  /** Bucket capacity; defaults to `limit`. */
  burst: number;
}

/** Parses `100/1s` (or `100/s`) into a RateSpec; undefined when malformed. */
export function parseRate(text: string, burst?: number): RateSpec | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0) return undefined;
  const limit = Number(text.slice(0, slash).trim());
  let per = text.slice(slash + 1).trim();
  if (/^(ms|s|m|h|d)$/.test(per)) per = `1${per}`;
  const perMs = parseDuration(per);
  if (!(limit > 0) || !Number.isFinite(limit) || perMs === undefined) return undefined;
  return { limit, perMs, burst: burst !== undefined && burst > 0 ? burst : Math.max(1, limit) };
}

/** A RateSpec from the config shape `{limit, per, burst?}`. */
export function rateFromConfig(rate: { limit: number; per: string; burst?: number | undefined }): RateSpec {
  const perMs = parseDuration(rate.per);
  if (perMs === undefined) throw new Error(`invalid duration ${rate.per}`);
  return { limit: rate.limit, perMs, burst: rate.burst ?? Math.max(1, rate.limit) };
}
