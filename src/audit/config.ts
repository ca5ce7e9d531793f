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
  /** Hand queued records to the OS at least this often; a SIGKILL loses at most this window. */
  flushIntervalMs: z.number().int().positive().default(50),
  /** fsync the files at least this often (and at checkpoints, rotation and close); bounds loss on power failure. */
  fsyncIntervalMs: z.number().int().positive().default(1000),
  /** Arguments whose canonical JSON is larger than this are left out of the record (their digest stays). */
  maxArgsBytes: z.number().int().positive().default(64 * 1024),
  /** Records queued but not yet written above which new calls are refused (WARDEN_AUDIT_UNAVAILABLE). */
  maxPendingRecords: z.number().int().positive().default(20_000),
});
export type AuditConfig = z.infer<typeof auditConfigSchema>;
