/**
 * A Redis-backed `TaskBudget` for the task-scope stage: its budget counts (including
 * ancestors' budgets of delegated sub-tasks) become shared by every replica.
 */
import { WardenError } from '../errors.ts';
import type { TaskBudget } from '../stages/task-scope/budget.ts';
import type { RedisLimitStore } from './redis-store.ts';

/** Task budgets counted in Redis; `fallback` decides while Redis is down in fail-open mode. */
export function redisTaskBudget(store: RedisLimitStore, fallback: TaskBudget): TaskBudget {
  const degraded = (taskId: string, limit: number, expiresAt: number) => {
    if (store.onFailure === 'fail-open') {
      store.noteFallback();
      return fallback.take(taskId, limit, expiresAt);
    }
    throw new WardenError('WARDEN_LIMITS_UNAVAILABLE', `the shared limit store is unreachable and the budget of task ${taskId} cannot be checked (fail-closed)`, {
      retryAfterMs: 1000,
      scope: 'task',
    });
  };
  return {
    take(taskId, limit, expiresAt) {
      if (!store.healthy) return degraded(taskId, limit, expiresAt);
      const ttlMs = expiresAt * 1000 - Date.now() + 60_000;
      return store.leaseCount(`tb:${encodeURIComponent(taskId)}`, limit, 1, ttlMs).then(
        (lease) => (lease.granted === 0 ? false : limit - lease.remaining),
        () => degraded(taskId, limit, expiresAt),
      );
    },
  };
}
