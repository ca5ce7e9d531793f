import { z } from 'zod';

/** Inbound listener settings. */
export const serverConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8080),
  /** Public base URL of this gateway; used as the RFC 8707 resource / token audience. Defaults to http://host:port. */
  publicUrl: z.url().optional(),
  /** Maximum JSON body size in bytes. */
  bodyLimitBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** Allowed Origin header values (DNS-rebinding protection). Loopback origins are always allowed when bound to loopback. */
  allowedOrigins: z.array(z.string()).default([]),
  /** Allowed Host header values; empty = the bind host and loopback names. */
  allowedHosts: z.array(z.string()).default([]),
  /** Idle MCP sessions are closed after this many seconds. */
  sessionIdleTimeoutS: z.number().int().positive().default(1800),
  /** Serve HTTPS (and accept mTLS X.509-SVIDs); the identity stage verifies client certificates against the SPIFFE bundles. */
  tls: z
    .strictObject({
      certFile: z.string(),
      keyFile: z.string(),
      /** CA certificates advertised to clients as acceptable issuers. */
      caFile: z.string().optional(),
      /** Ask clients for a certificate (default true). */
      requestClientCert: z.boolean().default(true),
    })
    .optional(),
});

/** One upstream MCP server: Streamable HTTP (url) or a stdio child process (command). */
export const upstreamConfigSchema = z.union([
  z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only'),
    url: z.url(),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.number().int().positive().default(30_000),
    /** How warden authenticates to this upstream: never by passing the caller's token through. */
    auth: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('none') }),
        z.strictObject({ type: z.literal('client_credentials'), tokenUrl: z.url(), clientId: z.string(), clientSecret: z.string(), scope: z.string().optional(), audience: z.string().optional() }),
        z.strictObject({ type: z.literal('token_exchange'), tokenUrl: z.url(), clientId: z.string(), clientSecret: z.string(), audience: z.string() }),
      ])
      .default({ type: 'none' }),
  }),
  z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only'),
    command: z.string(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().optional(),
    timeoutMs: z.number().int().positive().default(30_000),
    restart: z
      .strictObject({
        policy: z.enum(['always', 'on-failure', 'never']).default('on-failure'),
        maxRestarts: z.number().int().nonnegative().default(5),
        backoffMs: z.number().int().positive().default(500),
      })
      .default({ policy: 'on-failure', maxRestarts: 5, backoffMs: 500 }),
  }),
]);

export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type UpstreamConfig = z.infer<typeof upstreamConfigSchema>;
