import { z } from 'zod';

/** One upstream A2A agent that warden fronts at `/a2a/<name>`. */
export const a2aAgentConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only'),
  /** The agent's JSON-RPC endpoint. */
  url: z.url(),
  /** Where the agent card is fetched; defaults to `/.well-known/agent-card.json` on the url's origin. */
  cardUrl: z.url().optional(),
  /** Static headers warden sends upstream (its own credentials; the caller's token is never passed through). */
  headers: z.record(z.string(), z.string()).default({}),
  /** Wait for a unary answer, or between two events of a stream, before WARDEN_UPSTREAM_TIMEOUT. */
  timeoutMs: z.number().int().positive().default(30_000),
  /**
   * Push-notification configs make the upstream call a URL warden never sees, so they are
   * refused unless allowed here (tasks/pushNotificationConfig/* and configuration.pushNotificationConfig).
   */
  allowPushNotifications: z.boolean().default(false),
});

/** A2A termination (owned by src/protocol/a2a). */
export const a2aConfigSchema = z
  .strictObject({
    agents: z.array(a2aAgentConfigSchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.agents.forEach((a, i) => {
      if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'name'], message: `agent name ${a.name} is given twice` });
      seen.add(a.name);
    });
  });

export type A2aAgentConfig = z.infer<typeof a2aAgentConfigSchema>;
export type A2aConfig = z.infer<typeof a2aConfigSchema>;
