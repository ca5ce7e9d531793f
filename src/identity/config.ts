import { z } from 'zod';

const keySourceFields = {
  /** JWKS by URL: cached, refetched on an unknown `kid` (after a cooldown), fetched only from allowed hosts. */
  jwksUrl: z.url().optional(),
  /** JWKS from a local file (JSON `{keys: [...]}`). */
  jwksFile: z.string().optional(),
};

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
  /** Allowed clock skew for exp/nbf/iat checks, seconds. */
  clockToleranceS: z.number().int().nonnegative().default(5),
  algorithms: z.array(z.string()).default(['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']),
  /** What to do with an authenticated caller that matches no agent manifest. */
  unknownAgent: z.enum(['deny', 'allow']).default('deny'),
  /** Extra accepted audiences besides this gateway's resource URL (and its origin). */
  audiences: z.array(z.string()).default([]),
  /** Hosts JWKS may be fetched from, besides each issuer's own host. */
  jwksAllowedHosts: z.array(z.string()).default([]),
  /** Minimum seconds between JWKS refetches triggered by an unknown `kid`. */
  jwksCooldownS: z.number().int().nonnegative().default(30),
  /** Verified tokens kept in memory (each token is verified once, then looked up). */
  tokenCacheSize: z.number().int().positive().default(10_000),
  /** Scopes a token must carry to call a tool, by tool name or glob (`files__*`). Manifests may add their own. */
  requiredScopes: z.record(z.string(), z.array(z.string())).default({}),
  issuers: z
    .array(
      z.strictObject({
        issuer: z.string(),
        ...keySourceFields,
        audience: z.string().optional(),
        /** Claim carrying the agent (client) id. */
        clientIdClaim: z.string().default('client_id'),
      }),
    )
    .default([]),
  spiffe: z
    .strictObject({
      trustDomains: z
        .array(z.strictObject({ name: z.string(), ...keySourceFields, caFile: z.string().optional() }))
        .default([]),
    })
    .default({ trustDomains: [] }),
  /** A development token issuer (npm start): warden signs tokens for named agents. */
  devIssuer: z.boolean().default(false),
  /** Where the dev issuer's private key lives (created on first use). */
  devIssuerKeyFile: z.string().default('.warden/dev-issuer.jwk'),
  task: z
    .strictObject({
      /** Require a task token on tools/call. */
      required: z.boolean().default(false),
      /** Lifetime cap of task tokens warden issues, seconds. */
      maxLifetimeS: z.number().int().positive().default(900),
      /** Where warden's task issuer private key lives (created on first use). */
      issuerKeyFile: z.string().default('.warden/task-issuer.jwk'),
      /** External authorization servers whose task tokens (agent_task authorization_details) are accepted. */
      trustedIssuers: z.array(z.strictObject({ issuer: z.string(), ...keySourceFields })).default([]),
    })
    .default({ required: false, maxLifetimeS: 900, issuerKeyFile: '.warden/task-issuer.jwk', trustedIssuers: [] }),
});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
export type IdentityConfigInput = z.input<typeof identityConfigSchema>;
