import { z } from 'zod';

export const piiActionSchema = z.enum(['redact', 'mask', 'tokenize', 'block', 'allow']);
export type PiiAction = z.infer<typeof piiActionSchema>;

/** PII and secret scrubbing (owned by src/pii). */
export const piiConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    scrubArguments: z.boolean().default(true),
    scrubResults: z.boolean().default(true),
    defaultAction: piiActionSchema.default('redact'),
    /** Per-type actions, e.g. {US_SSN: block, EMAIL_ADDRESS: mask}. */
    actions: z.record(z.string(), piiActionSchema).default({}),
    /** Key for HMAC tokenization; required when any action is tokenize. */
    tokenKey: z.string().min(16).optional(),
    maxScanBytes: z.number().int().positive().default(1024 * 1024),
    /** How many token → value pairs the in-memory detokenize vault keeps (oldest evicted first). */
    vaultSize: z.number().int().positive().default(10_000),
  })
  .superRefine((cfg, ctx) => {
    const usesTokenize = cfg.defaultAction === 'tokenize' || Object.values(cfg.actions).includes('tokenize');
    if (usesTokenize && !cfg.tokenKey) {
      ctx.addIssue({ code: 'custom', path: ['tokenKey'], message: 'tokenKey is required when an action is tokenize' });
    }
  });
export type PiiConfig = z.infer<typeof piiConfigSchema>;
