/**
 * Agent manifests: one YAML file per agent in `agents/`, validated with zod.
 * A manifest names the identities that map to the agent (SPIFFE ID, OAuth
 * client id, dev token name) and what the agent may reach.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatConfigIssues } from '../config/load.ts';
import { WardenError } from '../errors.ts';
import { agentLimitsSchema } from '../limits/overrides.ts';

export const agentManifestSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'letters, digits, _ . and - only'),
  description: z.string().optional(),
  identity: z
    .strictObject({
      spiffeId: z.string().startsWith('spiffe://', 'a SPIFFE ID starts with spiffe://').optional(),
      clientId: z.string().optional(),
      /** Name used in dev tokens (`warden token --agent`); defaults to `name`. */
      devName: z.string().optional(),
    })
    .default({}),
  owner: z.string(),
  upstreams: z.array(z.string()).default([]),
  /** Tool names or globs (`*`, `files__read_*`) the agent may call. */
  tools: z.array(z.string()).default([]),
  /** Per-agent limits (rate `100/1s`, burst, tier, concurrency…): the limits area's schema. */
  limits: agentLimitsSchema.default({}),
  taskKinds: z.array(z.string()).default([]),
  /** Scopes the token must carry per tool (name or glob), on top of `identity.requiredScopes`. */
  requiredScopes: z.record(z.string(), z.array(z.string())).default({}),
  /** May reverse PII tokens at `POST /pii/detokenize` (default false). */
  detokenize: z.boolean().optional(),
});

export type AgentManifest = z.infer<typeof agentManifestSchema>;

export interface AgentIdentityKeys {
  spiffeId?: string | undefined;
  clientId?: string | undefined;
  devName?: string | undefined;
}

export interface AgentRegistry {
  readonly agents: readonly AgentManifest[];
  /** The manifest with this name. */
  get(name: string): AgentManifest | undefined;
  /** The manifest whose identity matches: SPIFFE ID first, then client id, then dev name. */
  match(keys: AgentIdentityKeys): AgentManifest | undefined;
}

/** Builds a registry from manifests already parsed; duplicates are a config error. */
export function createAgentRegistry(manifests: readonly AgentManifest[]): AgentRegistry {
  const byName = new Map<string, AgentManifest>();
  const bySpiffe = new Map<string, AgentManifest>();
  const byClient = new Map<string, AgentManifest>();
  const byDev = new Map<string, AgentManifest>();
  const claim = (map: Map<string, AgentManifest>, key: string | undefined, m: AgentManifest, what: string) => {
    if (key === undefined) return;
    const other = map.get(key);
    if (other) throw new WardenError('WARDEN_CONFIG_INVALID', `agents ${other.name} and ${m.name} both claim ${what} ${key}`);
    map.set(key, m);
  };
  for (const m of manifests) {
    claim(byName, m.name, m, 'name');
    claim(bySpiffe, m.identity.spiffeId, m, 'spiffeId');
    claim(byClient, m.identity.clientId, m, 'clientId');
    claim(byDev, m.identity.devName ?? m.name, m, 'devName');
  }
  const agents = Object.freeze([...manifests]);
  return {
    agents,
    get: (name) => byName.get(name),
    match(keys) {
      if (keys.spiffeId !== undefined) return bySpiffe.get(keys.spiffeId);
      if (keys.clientId !== undefined) return byClient.get(keys.clientId);
      if (keys.devName !== undefined) return byDev.get(keys.devName);
      return undefined;
    },
  };
}

/** Loads every `*.yaml` / `*.yml` in `dir`; errors name the file and the path inside it. */
export function loadAgents(dir: string): AgentRegistry {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `cannot read agents directory ${dir}: ${(err as Error).message}`);
  }
  const manifests: AgentManifest[] = [];
  for (const f of files) {
    const file = join(dir, f);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new WardenError('WARDEN_CONFIG_INVALID', `agent manifest ${file} is not valid YAML: ${(err as Error).message}`);
    }
    const parsed = agentManifestSchema.safeParse(raw);
    if (!parsed.success) throw new WardenError('WARDEN_CONFIG_INVALID', `agent manifest ${file} is invalid:\n${formatConfigIssues(parsed.error)}`);
    manifests.push(parsed.data);
  }
  return createAgentRegistry(manifests);
}

/** True when `name` matches one of the glob patterns (`*` matches any run of characters). */
export function matchesAnyGlob(patterns: readonly string[], name: string): boolean {
  for (const p of patterns) if (globMatch(p, name)) return true;
  return false;
}

// Iterative wildcard match: linear-ish, no regex built from user input.
function globMatch(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}
