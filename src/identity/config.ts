import { z } from 'zod';

/** Identity sources and task-token settings (owned by src/identity). */
export const identityConfigSchema = z.strictObject({
  /** Map unauthenticated callers to `anonymousAgent`. Off unless asked for. */
  allowAnonymous: z.boolean().default(false),
  anonymousAgent: z.string().default('anonymous'),
  /** Accept loopback callers without a token as this agent (the demo). */
  loopbackAgent: z.string().optional(),
  /** Reject tokens older than this many seconds (since iat), even if not expired. */
  maxTokenAgeS: z.number().int().positive().default(3600),
  maxTokenBytes: z.number().int().positive().default(8192),
  algorithms: z.array(z.string()).default(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']),
  /** What to do with an authenticated caller that matches no agent manifest. */
  unknownAgent: z.enum(['deny', 'allow']).default('deny'),
  issuers: z
    .array(
      z.strictObject({
        issuer: z.string(),
        jwksUrl: z.url().optional(),
        jwksFile: z.string().optional(),
        audience: z.string().optional(),
        /** Claim carrying the agent (client) id. */
        clientIdClaim: z.string().default('client_id'),
      }),
    )
    .default([]),
  spiffe: z
    .strictObject({
      trustDomains: z.array(z.strictObject({ name: z.string(), jwksFile: z.string().optional(), caFile: z.string().optional() })).default([]),
    })
    .default({ trustDomains: [] }),
  /** A development token issuer (npm start): warden signs tokens for named agents. */
  devIssuer: z.boolean().default(false),
  task: z
    .strictObject({
      /** Require a task token on tools/call. */
      required: z.boolean().default(false),
      /** Lifetime cap of task tokens warden issues, seconds. */
      maxLifetimeS: z.number().int().positive().default(900),
    })
    .default({ required: false, maxLifetimeS: 900 }),
});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
