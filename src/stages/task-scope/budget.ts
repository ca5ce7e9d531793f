/**
 * Task call budgets: how many calls a task has made. In-process here; the
 * interface lets a shared store (Redis) take over without touching the stage.
 */
export interface TaskBudget {
  /** Counts one call for `taskId`; returns the count after it, or false when `limit` was already reached. */
  take(taskId: string, limit: number, expiresAt: number): number | false | Promise<number | false>;
}

/** Counts in a Map; entries are dropped once their task has expired. */
export function inProcessTaskBudget(maxTasks = 100_000): TaskBudget {
  const used = new Map<string, { n: number; expiresAt: number }>();
  const sweep = (nowS: number) => {
    for (const [id, e] of used) if (e.expiresAt <= nowS) used.delete(id);
  };
  return {
    take(taskId, limit, expiresAt) {
      let entry = used.get(taskId);
      if (!entry) {
        if (used.size >= maxTasks) sweep(Math.floor(Date.now() / 1000));
        entry = { n: 0, expiresAt };
        used.set(taskId, entry);
      }
      if (entry.n >= limit) return false;
      return ++entry.n;
    },
  };
}
