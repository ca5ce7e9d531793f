/**
 * A bounded cache of verified tokens, keyed by the token (see tokenCacheKey).
 *
 * Verifying a JWT costs 100–300 µs; a lookup costs well under a microsecond, so
 * each token is verified once. Entries carry their own expiry (the token's `exp`);
 * callers still re-check expiry and maximum age on every hit. When full, the
 * oldest-inserted entry goes first (a Map iterates in insertion order).
 */
export interface Expiring {
  /** Unix seconds after which the entry is useless. */
  readonly expiresAt: number;
}

/**
 * The cache key of a token: the tail of its signature. Hashing a fresh 600–1000 byte
 * header string on every request costs microseconds; the last 43 characters (256 bits of
 * signature) cost a fraction of that. Only verified tokens are ever stored, so a token
 * that borrows a cached signature tail with another header or payload can only get back
 * the identity of the genuine token it copied from — which its bearer already holds —
 * and callers also check the length.
 */
export function tokenCacheKey(token: string): string {
  return token.length > 86 ? token.slice(-43) : token;
}

export class TokenCache<V extends Expiring> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  /** The cached value, or undefined when absent or past its expiry. */
  get(token: string, nowS: number): V | undefined {
    const hit = this.entries.get(token);
    if (hit === undefined) return undefined;
    if (hit.expiresAt <= nowS) {
      this.entries.delete(token);
      return undefined;
    }
    return hit;
  }

  set(token: string, value: V): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, value);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
