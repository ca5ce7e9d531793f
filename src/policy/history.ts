/**
 * Per-agent call history for the policy input: how many calls each agent made
 * per tool and per task in the current window.
 *
 * Windows are fixed (they restart every `windowS` seconds per agent), which keeps
 * recording and reading to a few property updates per call. Counters are plain
 * objects so the snapshot can go into the policy input without conversion.
 */

export interface HistorySnapshot {
  window_s: number;
  /** Unix ms when the current window started. */
  started_at: number;
  total: number;
  tools: Record<string, number>;
  tasks: Record<string, number>;
}

export class CallHistory {
  readonly windowS: number;
  readonly #windowMs: number;
  readonly #agents = new Map<string, HistorySnapshot>();
  readonly #maxAgents: number;

  constructor(options: { windowS?: number; maxAgents?: number } = {}) {
    this.windowS = options.windowS ?? 3600;
    this.#windowMs = this.windowS * 1000;
    this.#maxAgents = options.maxAgents ?? 100_000;
  }

  /** The agent's counters for the current window (live object: do not mutate). */
  snapshot(agentId: string | undefined, now = Date.now()): HistorySnapshot {
    if (agentId === undefined) return this.#fresh(now);
    const w = this.#agents.get(agentId);
    if (!w || now - w.started_at >= this.#windowMs) return this.#fresh(now);
    return w;
  }

  /** Counts one call of `tool` (and `taskId`) for the agent. */
  record(agentId: string, tool: string | undefined, taskId: string | undefined, now = Date.now()): void {
    let w = this.#agents.get(agentId);
    if (!w || now - w.started_at >= this.#windowMs) {
      if (!w && this.#agents.size >= this.#maxAgents) {
        // Bounded memory: forget the oldest agent (Map keeps insertion order).
        const oldest = this.#agents.keys().next().value;
        if (oldest !== undefined) this.#agents.delete(oldest);
      }
      w = this.#fresh(now);
      this.#agents.set(agentId, w);
    }
    w.total++;
    if (tool !== undefined) w.tools[tool] = (w.tools[tool] ?? 0) + 1;
    if (taskId !== undefined) w.tasks[taskId] = (w.tasks[taskId] ?? 0) + 1;
  }

  #fresh(now: number): HistorySnapshot {
    return { window_s: this.windowS, total: 0, tools: {}, tasks: {}, started_at: now };
  }
}
