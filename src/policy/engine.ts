/**
 * The policy engine: an OPA Wasm policy loaded with @open-policy-agent/opa-wasm,
 * evaluated synchronously per call, swapped atomically on hot reload.
 *
 * Fail closed: an evaluation error, an undefined result or a malformed decision
 * all become WARDEN_POLICY_ERROR denials.
 *
 * Decisions of a deterministic policy (one that calls no builtin reading the clock,
 * randomness or the network, and no print) are remembered per exact input: the
 * input is cut down to what the policy reads, serialised once, and that JSON is
 * both the cache key and the bytes handed to the Wasm module on a miss. Equal
 * JSON, equal data, same policy build: the same decision. A cache that stops
 * paying (under a quarter of lookups hit) switches itself off for the next
 * 65,536 evaluations, then tries again empty.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { parse as parseYaml } from 'yaml';
import { WardenError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Obligations } from '../pipeline/types.ts';
import type { PolicyConfig } from './config.ts';
import type { PolicyInput } from './input.ts';
import { inputProjector, type InputReads } from '../compiler/input-reads.ts';
import { compileRegoDir, loadPrebuilt, type CompiledPolicy, type RegoCompiler } from './source.ts';

export interface PolicyDecision {
  allow: boolean;
  reason: string;
  obligations: Obligations;
}

export interface PolicyEngine {
  /** Content hash of the policy in force (goes into every audit record). */
  readonly version: string;
  /** The parts of input the policy in force can read (`'all'` for prebuilt modules or unbounded reads). */
  readonly inputReads: InputReads;
  /** Evaluates the decision entrypoint. Never returns allow on error: throws WARDEN_POLICY_ERROR. */
  decide(input: PolicyInput): PolicyDecision;
  /** Recompiles / reloads now; on failure keeps the last good policy and rethrows. */
  reload(): Promise<void>;
  close(): void;
}

export interface PolicyEngineOptions {
  config: PolicyConfig;
  logger?: Logger;
  /** Rego compiler; defaults to warden's own (src/compiler). */
  compile?: RegoCompiler;
  /** JavaScript builtins for builtins the Wasm module imports. */
  builtins?: Record<string, (...args: unknown[]) => unknown>;
}

interface Active {
  policy: LoadedPolicy;
  version: string;
  entrypoint: number;
  /** What the policy can read of input; the rest is left out of each evaluation. */
  reads: InputReads;
  project: ((input: PolicyInput) => unknown) | undefined;
  /** Decisions by input JSON; undefined when the policy is not deterministic. */
  cache: DecisionCache | undefined;
}

/** Entries at which the decision cache starts afresh. */
const CACHE_ENTRIES = 4096;
/** Inputs whose JSON is longer than this are evaluated without caching. */
const CACHE_KEY_CHARS = 4096;
/** Lookups per review of the hit rate; below a quarter of them hitting, the cache switches off. */
const CACHE_REVIEW = 4096;
/** Evaluations the cache stays off for before it tries again. */
const CACHE_OFF_EVALUATIONS = 65_536;

class DecisionCache {
  readonly #map = new Map<string, PolicyDecision>();
  #lookups = 0;
  #hits = 0;
  #offFor = 0;
  /** Set while the cache is not paying: evaluations go straight to the policy. */
  off = false;

  /** Counts an evaluation made while off; after CACHE_OFF_EVALUATIONS of them the cache tries again. */
  skipped(): void {
    if (--this.#offFor <= 0) this.off = false;
  }

  get(key: string): PolicyDecision | undefined {
    const found = this.#map.get(key);
    if (found !== undefined) this.#hits++;
    if (++this.#lookups === CACHE_REVIEW) {
      if (this.#hits * 4 < CACHE_REVIEW) {
        this.off = true;
        this.#offFor = CACHE_OFF_EVALUATIONS;
        this.#map.clear();
      }
      this.#lookups = this.#hits = 0;
    }
    return found;
  }

  set(key: string, decision: PolicyDecision): void {
    if (this.off) return;
    if (this.#map.size >= CACHE_ENTRIES) this.#map.clear();
    this.#map.set(key, deepFreeze(decision));
  }
}

const utf8 = new TextEncoder();

/** Loads the configured policy and returns an engine; throws if the first load fails. */
export async function createPolicyEngine(options: PolicyEngineOptions): Promise<PolicyEngine> {
  const { config, logger } = options;
  const compile = options.compile ?? (await defaultCompiler());
  const builtins = options.builtins ?? (await defaultBuiltins());
  const entrypointName = config.entrypoint;

  async function build(): Promise<Active> {
    const dataFile = config.dataFile ? await readDataFile(config.dataFile) : undefined;
    // Rego sources are analysed with the data they will run with ({} when none is configured).
    const compiled: CompiledPolicy = config.bundle ? await loadPrebuilt(config.bundle) : await compileRegoDir(config.dir, entrypointName, compile, dataFile ?? {});
    const policy = await loadPolicy(compiled.wasm, undefined, builtins);
    const data = dataFile ?? compiled.data;
    if (data !== undefined) policy.setData(data as object);
    const entrypoint = (policy.entrypoints as Record<string, number>)[entrypointName];
    if (entrypoint === undefined) {
      throw new WardenError('WARDEN_CONFIG_INVALID', `policy from ${compiled.origin} has no entrypoint ${entrypointName} (it has: ${Object.keys(policy.entrypoints).join(', ') || 'none'})`);
    }
    const reads = compiled.inputReads ?? 'all';
    return {
      policy,
      version: compiled.version,
      entrypoint,
      reads,
      project: reads === 'all' ? undefined : inputProjector(reads),
      cache: compiled.deterministic === true && !config.bundle ? new DecisionCache() : undefined,
    };
  }

  let active = await build();
  let reloading: Promise<void> | undefined;
  let watcher: FSWatcher | undefined;

  async function reload(): Promise<void> {
    const next = await build();
    const previous = active.version;
    active = next;
    if (previous !== next.version) logger?.info({ version: next.version, previous }, 'policy reloaded');
  }

  if (config.hotReload) {
    const target = config.bundle ?? config.dir;
    let timer: NodeJS.Timeout | undefined;
    try {
      watcher = watch(target, { recursive: !config.bundle }, () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          reloading = reload().catch((err: unknown) => {
            // A broken policy never replaces a good one.
            logger?.error({ err: (err as Error).message, keptVersion: active.version }, 'policy reload failed; keeping the last good policy');
          });
        }, 150);
      });
      watcher.unref();
    } catch (err) {
      logger?.warn({ err: (err as Error).message, target }, 'policy hot reload unavailable');
    }
  }

  return {
    get version() {
      return active.version;
    },
    get inputReads() {
      return active.reads;
    },
    decide(input) {
      const current = active;
      const { policy, entrypoint, project, cache } = current;
      let rows: unknown;
      let key: string | undefined;
      try {
        // Only what the policy can read is serialised and parsed (tool arguments, for the default policy, are not).
        const doc = project === undefined ? input : project(input);
        if (cache === undefined || cache.off) {
          cache?.skipped();
          rows = policy.evaluate(doc, entrypoint);
        } else {
          const json = JSON.stringify(doc);
          if (json.length <= CACHE_KEY_CHARS) {
            const known = cache.get(json);
            if (known !== undefined) return known;
            key = json;
          }
          // The same bytes the SDK would write (it stringifies and UTF-8 encodes the object).
          rows = policy.evaluate(utf8.encode(json).buffer, entrypoint);
        }
      } catch (err) {
        throw new WardenError('WARDEN_POLICY_ERROR', `policy evaluation failed: ${errorText(err)}`, { policyVersion: current.version });
      }
      const decision = toDecision(rows, current.version);
      if (key !== undefined) cache!.set(key, decision);
      return decision;
    },
    reload,
    close() {
      watcher?.close();
      void reloading;
    },
  };
}

/** Checks the shape of the entrypoint's result; anything unexpected denies. */
function toDecision(rows: unknown, version: string): PolicyDecision {
  const first = Array.isArray(rows) ? (rows[0] as { result?: unknown } | undefined) : undefined;
  const doc = first?.result as { allow?: unknown; reason?: unknown; obligations?: unknown } | undefined;
  if (!doc || typeof doc !== 'object') {
    throw new WardenError('WARDEN_POLICY_ERROR', 'policy returned no decision (undefined result)', { policyVersion: version });
  }
  if (typeof doc.allow !== 'boolean') {
    throw new WardenError('WARDEN_POLICY_ERROR', 'policy decision has no boolean "allow"', { policyVersion: version });
  }
  const obligations = doc.obligations && typeof doc.obligations === 'object' ? (doc.obligations as Obligations) : {};
  return { allow: doc.allow, reason: typeof doc.reason === 'string' ? doc.reason : doc.allow ? 'allowed' : 'denied by policy', obligations };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

async function readDataFile(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}

// The compiler and builtin catalogue are loaded lazily: a gateway running a
// prebuilt bundle never pays for them.
async function defaultCompiler(): Promise<RegoCompiler> {
  const compiler = await import('../compiler/index.ts');
  return async (modules, entrypoints, options) => {
    const { wasm, inputReads, builtins } = await compiler.compileWasm({ modules, entrypoints, ...(options?.data !== undefined ? { data: options.data } : {}) });
    return { wasm, inputReads, deterministic: compiler.allDeterministic(builtins) };
  };
}

/** Freezes a decision and everything in it: a remembered decision is shared by every call that gets it. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

async function defaultBuiltins(): Promise<Record<string, (...args: unknown[]) => unknown>> {
  const catalogue = await import('../compiler/builtins/index.ts');
  return catalogue.jsBuiltins({ strict: false, taggedSets: true });
}
