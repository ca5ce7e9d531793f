/**
 * Where MCP session state lives between requests.
 *
 * A replica keeps live connections (SSE streams, pending server→client requests) in
 * memory; the store holds the part that lets another replica continue a session
 * created elsewhere: who owns it, what was negotiated, and the upstream session ids.
 */

/** The JSON-serialisable state of one warden MCP session. */
export interface SessionRecord {
  /** warden's own Mcp-Session-Id (cryptographically random). */
  id: string;
  /** The agent that created the session; any other identity is refused. */
  ownerAgentId: string;
  /** The protocol version negotiated with the client. */
  protocolVersion: string;
  /** The client's `initialize` params.capabilities, as sent. */
  clientCapabilities: Record<string, unknown>;
  /** The client's `initialize` params.clientInfo, as sent. */
  clientInfo?: Record<string, unknown>;
  /** `null` for the aggregated endpoint `/mcp`, else the upstream name of `/mcp/<upstream>`. */
  route: string | null;
  /** Per upstream name: the upstream's Mcp-Session-Id (absent for stdio or stateless upstreams) and negotiated version. */
  upstreams: Record<string, { sessionId?: string; protocolVersion: string }>;
  /** Unix milliseconds. */
  createdAt: number;
}

/** Async storage of session records; implementations: in-memory (here), Redis (src/limits). */
export interface SessionStore {
  get(id: string): Promise<SessionRecord | undefined>;
  /** Creates or replaces the record; `ttlS` is the idle lifetime (the record may be dropped after it). */
  put(record: SessionRecord, ttlS: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Extends the idle lifetime of a record without rewriting it. */
  touch?(id: string, ttlS: number): Promise<void>;
  close?(): Promise<void>;
}

/** A process-local store: sessions survive as long as the process (and their TTL). */
export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, { json: string; expiresAt: number }>();

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.#records.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#records.delete(id);
      return undefined;
    }
    // Stored serialised so callers cannot mutate shared state and the store behaves like Redis.
    return JSON.parse(entry.json) as SessionRecord;
  }

  async put(record: SessionRecord, ttlS: number): Promise<void> {
    this.#records.set(record.id, { json: JSON.stringify(record), expiresAt: Date.now() + ttlS * 1000 });
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async touch(id: string, ttlS: number): Promise<void> {
    const entry = this.#records.get(id);
    if (entry) entry.expiresAt = Date.now() + ttlS * 1000;
  }
}
