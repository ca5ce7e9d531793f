/**
 * Task ownership: warden calls every agent as itself, so the agent cannot tell its callers
 * apart. warden remembers which caller started each task it relayed and refuses another
 * caller's attempt to read, continue, cancel or subscribe to it.
 */
import { WardenError } from '../../errors.ts';
import type { A2aMethod } from './methods.ts';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Task id → the agent that started it, for one upstream; the oldest entries go first past `max`. */
export class TaskOwners {
  readonly #owners = new Map<string, string>();
  readonly #max: number;

  constructor(max = 100_000) {
    this.#max = max;
  }

  /** Records the owner of the task a result or stream event names (the first caller to see it owns it). */
  note(result: unknown, agentId: string): void {
    const id = taskIdOfResult(result);
    if (id === undefined || this.#owners.has(id)) return;
    if (this.#owners.size >= this.#max) this.#owners.delete(this.#owners.keys().next().value!);
    this.#owners.set(id, agentId);
  }

  /** Throws WARDEN_SESSION_FORBIDDEN when the request names a task another agent started. Unknown tasks pass (the agent decides). */
  check(method: A2aMethod, params: unknown, agentId: string, agentName: string): void {
    const id = taskIdOfRequest(method, params);
    if (id === undefined) return;
    const owner = this.#owners.get(id);
    if (owner !== undefined && owner !== agentId) {
      throw new WardenError('WARDEN_SESSION_FORBIDDEN', `task ${id} at A2A agent ${agentName} belongs to another agent`, { upstream: agentName, taskId: id });
    }
  }

  /** A ListTasks result without the tasks other agents started. */
  filterList(result: unknown, agentId: string): unknown {
    const mine = (t: unknown): boolean => {
      const id = isObject(t) ? str(t.id) : undefined;
      return id === undefined || (this.#owners.get(id) ?? agentId) === agentId;
    };
    if (Array.isArray(result)) return result.every(mine) ? result : result.filter(mine);
    if (isObject(result) && Array.isArray(result.tasks) && !result.tasks.every(mine)) return { ...result, tasks: result.tasks.filter(mine) };
    return result;
  }
}

/** The task a request is about: `id` of task methods, `taskId` of push configs, `message.taskId` of sends. */
function taskIdOfRequest(method: A2aMethod, params: unknown): string | undefined {
  if (!isObject(params)) return undefined;
  switch (method.kind) {
    case 'send':
    case 'stream':
      return isObject(params.message) ? str(params.message.taskId) : undefined;
    case 'task':
    case 'subscribe':
      return method.name === 'ListTasks' ? undefined : str(params.id);
    case 'push':
      return str(params.taskId) ?? str(params.id);
    default:
      return undefined;
  }
}

/** The task a result names, in either dialect: a Task, a Message in a task, a status or artifact update. */
function taskIdOfResult(result: unknown): string | undefined {
  if (!isObject(result)) return undefined;
  // v1.0 wraps the payload in a one-member object named after its kind.
  if (isObject(result.task)) return str(result.task.id);
  for (const key of ['message', 'statusUpdate', 'artifactUpdate'] as const) {
    const inner = result[key];
    if (isObject(inner)) return str(inner.taskId);
  }
  // v0.3 payloads (kind-tagged), and a bare Task (GetTask, CancelTask).
  if (result.kind === 'task' || (result.kind === undefined && isObject(result.status) && str(result.id) !== undefined)) return str(result.id);
  return str(result.taskId);
}
