/** Loading and validating configuration: parsed once, then frozen. */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { wardenConfigSchema, type WardenConfig, type WardenConfigInput } from './schema.ts';

/** Formats zod issues as `path: what was expected` lines. */
export function formatConfigIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(root)';
      return `  ${path}: ${issue.message}`;
    })
    .join('\n');
}

/** Validates a raw config object; throws WARDEN_CONFIG_INVALID naming each bad path. */
export function parseConfig(raw: unknown, source = 'config'): Readonly<WardenConfig> {
  const result = wardenConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `${source} is invalid:\n${formatConfigIssues(result.error)}`);
  }
  return deepFreeze(result.data);
}

/** Reads, parses (YAML or JSON) and validates a config file. */
export async function loadConfigFile(file: string): Promise<Readonly<WardenConfig>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `${file} is not valid YAML: ${(err as Error).message}`);
  }
  return parseConfig(raw ?? {}, file);
}

export function defineConfig(config: WardenConfigInput): WardenConfigInput {
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
