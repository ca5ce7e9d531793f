import { z } from 'zod';

/** The tamper-evident audit log (owned by src/audit). */
export const auditConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  dir: z.string().default('warden-audit'),
  /** Rotate an agent's file after this many bytes. */
  rotateBytes: z.number().int().positive().default(64 * 1024 * 1024),
  /** Write a signed checkpoint every N records. */
  checkpointEvery: z.number().int().positive().default(1000),
  /** Ed25519 private key (PEM file) for checkpoints; generated per directory when absent. */
  signingKeyFile: z.string().optional(),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
