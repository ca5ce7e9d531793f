import { z } from 'zod';

export const piiActionSchema = z.enum(['redact', 'mask', 'tokenize', 'block', 'allow']);

/** PII and secret scrubbing (owned by src/pii). */
export const piiConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  scrubArguments: z.boolean().default(true),
  scrubResults: z.boolean().default(true),
  defaultAction: piiActionSchema.default('redact'),
  /** Per-type actions, e.g. {US_SSN: block, EMAIL_ADDRESS: mask}. */
  actions: z.record(z.string(), piiActionSchema).default({}),
  /** Key for HMAC tokenization; required when any action is tokenize. */
  tokenKey: z.string().optional(),
  maxScanBytes: z.number().int().positive().default(1024 * 1024),
});
export type PiiConfig = z.infer<typeof piiConfigSchema>;
