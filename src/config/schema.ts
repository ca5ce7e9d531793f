/** The whole configuration: one zod schema, each section owned by the folder that uses it. */
import { z } from 'zod';
import { auditConfigSchema } from '../audit/config.ts';
import { identityConfigSchema } from '../identity/config.ts';
import { limitsConfigSchema } from '../limits/config.ts';
import { piiConfigSchema } from '../pii/config.ts';
import { policyConfigSchema } from '../policy/config.ts';
import { a2aConfigSchema } from '../protocol/a2a/config.ts';
import { serverConfigSchema, upstreamConfigSchema } from './server.ts';

export const wardenConfigSchema = z.strictObject({
  server: serverConfigSchema.prefault({}),
  upstreams: z.array(upstreamConfigSchema).min(1, 'at least one upstream is required'),
  identity: identityConfigSchema.prefault({}),
  /** Directory of agent manifests (one YAML file per agent). */
  agentsDir: z.string().default('agents'),
  policy: policyConfigSchema.prefault({}),
  limits: limitsConfigSchema.prefault({}),
  pii: piiConfigSchema.prefault({}),
  audit: auditConfigSchema.prefault({}),
  a2a: a2aConfigSchema.prefault({}),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      pretty: z.boolean().optional(),
    })
    .prefault({}),
  metrics: z.strictObject({ enabled: z.boolean().default(true), path: z.string().default('/metrics') }).prefault({}),
});

export type WardenConfig = z.infer<typeof wardenConfigSchema>;
export type WardenConfigInput = z.input<typeof wardenConfigSchema>;
