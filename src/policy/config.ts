import { z } from 'zod';

/** Where policies come from (owned by src/policy). */
export const policyConfigSchema = z.strictObject({
  /** Directory of .rego files compiled in-process at start and on change. */
  dir: z.string().default('rego'),
  /** A prebuilt OPA Wasm bundle (.tar.gz) or .wasm instead of `dir`. */
  bundle: z.string().optional(),
  /** Entrypoint returning the decision document. */
  entrypoint: z.string().default('warden/decision'),
  hotReload: z.boolean().default(true),
  /** Data document mounted under `data` (JSON or YAML file). */
  dataFile: z.string().optional(),
});
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
