/**
 * The A2A JSON-RPC methods warden knows, in both wire dialects: A2A v1.0
 * (`SendMessage`, …) and v0.3 (`message/send`, …). Each maps to its v1.0 name,
 * which is what policies see in `tool.name` (`<agent>:<V1Name>`), so one rule
 * covers callers of either version.
 */

export type A2aMethodKind = 'send' | 'stream' | 'task' | 'subscribe' | 'push' | 'card' | 'other';

export interface A2aMethod {
  /** The v1.0 method name. */
  readonly name: string;
  readonly kind: A2aMethodKind;
  /** The answer is an SSE stream of JSON-RPC responses. */
  readonly streaming: boolean;
}

const V1: Record<string, A2aMethod> = {
  SendMessage: { name: 'SendMessage', kind: 'send', streaming: false },
  SendStreamingMessage: { name: 'SendStreamingMessage', kind: 'stream', streaming: true },
  GetTask: { name: 'GetTask', kind: 'task', streaming: false },
  ListTasks: { name: 'ListTasks', kind: 'task', streaming: false },
  CancelTask: { name: 'CancelTask', kind: 'task', streaming: false },
  SubscribeToTask: { name: 'SubscribeToTask', kind: 'subscribe', streaming: true },
  CreateTaskPushNotificationConfig: { name: 'CreateTaskPushNotificationConfig', kind: 'push', streaming: false },
  GetTaskPushNotificationConfig: { name: 'GetTaskPushNotificationConfig', kind: 'push', streaming: false },
  ListTaskPushNotificationConfigs: { name: 'ListTaskPushNotificationConfigs', kind: 'push', streaming: false },
  DeleteTaskPushNotificationConfig: { name: 'DeleteTaskPushNotificationConfig', kind: 'push', streaming: false },
  GetExtendedAgentCard: { name: 'GetExtendedAgentCard', kind: 'card', streaming: false },
};

const LEGACY: Record<string, string> = {
  'message/send': 'SendMessage',
  'message/stream': 'SendStreamingMessage',
  'tasks/get': 'GetTask',
  'tasks/list': 'ListTasks',
  'tasks/cancel': 'CancelTask',
  'tasks/resubscribe': 'SubscribeToTask',
  'tasks/pushNotificationConfig/set': 'CreateTaskPushNotificationConfig',
  'tasks/pushNotificationConfig/get': 'GetTaskPushNotificationConfig',
  'tasks/pushNotificationConfig/list': 'ListTaskPushNotificationConfigs',
  'tasks/pushNotificationConfig/delete': 'DeleteTaskPushNotificationConfig',
  'agent/getAuthenticatedExtendedCard': 'GetExtendedAgentCard',
};

const table = new Map<string, A2aMethod>(Object.entries(V1));
for (const [legacy, v1] of Object.entries(LEGACY)) table.set(legacy, V1[v1]!);

/** What warden knows about a wire method; methods it does not know (extensions) are forwarded as unary calls. */
export function a2aMethod(wire: string): A2aMethod {
  return table.get(wire) ?? { name: wire, kind: 'other', streaming: false };
}

/**
 * Whether the params ask the upstream to call back a URL: a push-notification config
 * inline in a send (v1.0 `taskPushNotificationConfig`, v0.3 `pushNotificationConfig`).
 */
export function asksForPushCallback(params: unknown): boolean {
  if (typeof params !== 'object' || params === null) return false;
  const config = (params as { configuration?: unknown }).configuration;
  if (typeof config !== 'object' || config === null) return false;
  const c = config as { taskPushNotificationConfig?: unknown; pushNotificationConfig?: unknown };
  return isSet(c.taskPushNotificationConfig) || isSet(c.pushNotificationConfig);
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v).length === 0);
}
