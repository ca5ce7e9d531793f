/**
 * Runs conformance cases through warden's compiler and the unmodified
 * @open-policy-agent/opa-wasm SDK, comparing against the expected results.
 */
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import type { Expr, Module } from '../ast/types.ts';
import type { InputReads } from '../input-reads.ts';
import type { Policy } from '../ir/types.ts';
import { emitWasm } from '../wasm/index.ts';
import type { ConformanceCase, LoadedCase } from './cases.ts';
import { compareResults } from './compare.ts';

/** Builtins a Wasm policy cannot implement in principle (they reach outside the evaluation). */
export const UNSUPPORTED_BUILTINS: Readonly<Record<string, string>> = {
  'http.send': 'needs network access (http.send)',
  'net.lookup_ip_addr': 'needs DNS resolution (net.lookup_ip_addr)',
};

export interface RunOptions {
  /** Use each case's own IR plan (tests the backend alone) instead of compiling its Rego. */
  plans: boolean;
  filter?: string;
  /** Give each case only the parts of input its modules and query can read (checks the input analysis). */
  projectInput?: boolean;
}

export interface CaseOutcome {
  id: string;
  note: string;
  status: 'pass' | 'fail' | 'skip';
  reason?: string;
}

type Builtins = Record<string, (...args: unknown[]) => unknown>;
interface Frontend {
  compileQuery(opts: { modules: string[]; query: string }): Policy;
  parseModule(source: string, file: string): Module;
  parseQuery(text: string): Expr[];
  inputReads(modules: readonly Module[], query?: readonly Expr[], data?: unknown): InputReads;
  projectInput(input: unknown, reads: InputReads): unknown;
}
interface BuiltinsModule {
  jsBuiltins(o: { strict: boolean; taggedSets?: boolean }): Builtins;
  resetEvaluation?(b: Builtins): void;
}

let builtinsModule: BuiltinsModule | null | undefined;
async function loadBuiltins(): Promise<BuiltinsModule | null> {
  if (builtinsModule !== undefined) return builtinsModule;
  try {
    const path = '../builtins/js/index.ts';
    builtinsModule = (await import(path)) as BuiltinsModule;
  } catch {
    builtinsModule = null;
  }
  return builtinsModule;
}

let frontend: Frontend | null | undefined;
async function loadFrontend(): Promise<Frontend | null> {
  if (frontend !== undefined) return frontend;
  try {
    const path = '../index.ts';
    const m = (await import(path)) as Partial<Frontend>;
    frontend = typeof m.compileQuery === 'function' ? (m as Frontend) : null;
  } catch {
    frontend = null;
  }
  return frontend;
}

const enc = new TextEncoder();

/**
 * The SDK drops falsy inputs (`if (input)`), so pass JSON text as an ArrayBuffer instead.
 * With `reads`, the input is cut down to what the modules and query can read, as the gateway does.
 */
function inputFor(c: ConformanceCase, reads?: InputReads): unknown {
  if (c.input_term !== undefined) return toBuffer(c.input_term); // the runtime parses Rego value syntax too
  if (!('input' in c)) return undefined;
  return toBuffer(JSON.stringify(reads === undefined || frontend == null ? c.input : frontend.projectInput(c.input, reads)));
}
function toBuffer(text: string): ArrayBuffer {
  const b = enc.encode(text);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/**
 * Why a case cannot run in a Wasm policy at all, judged from the builtins the compiled plan
 * really calls (a builtin replaced by a `with` mock is not called, so it is not a reason).
 */
function skipReason(policy: Policy): string | undefined {
  for (const n of (policy.static.builtin_funcs ?? []).map((b) => b.name)) {
    const why = UNSUPPORTED_BUILTINS[n];
    if (why) return why;
  }
  return undefined;
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

/** Runs one case. */
export async function runCase(lc: LoadedCase, opts: RunOptions): Promise<CaseOutcome> {
  const c = lc.case;
  const base = { id: lc.id, note: c.note };
  const wantsError = c.want_error_code !== undefined || c.want_error !== undefined;
  const strict = c.strict_error === true;

  let policy: Policy;
  if (opts.plans) policy = c.plan;
  else {
    const fe = await loadFrontend();
    if (!fe) return { ...base, status: 'fail', reason: 'the Rego frontend (src/compiler/index.ts compileQuery) is not available' };
    try {
      policy = fe.compileQuery({ modules: c.modules ?? [], query: c.query });
    } catch (e) {
      return { ...base, status: 'fail', reason: `compile error: ${errorText(e)}` };
    }
  }
  const skip = skipReason(policy);
  if (skip) return { ...base, status: 'skip', reason: skip };
  let wasm: Uint8Array;
  try {
    wasm = emitWasm(policy, { strictBuiltinErrors: strict });
  } catch (e) {
    return { ...base, status: 'fail', reason: `backend error: ${errorText(e)}` };
  }

  // --project-input: check that leaving out what the analysis says is unread changes no result.
  let reads: InputReads | undefined;
  if (opts.projectInput && 'input' in c && c.input_term === undefined) {
    const fe = await loadFrontend();
    if (!fe) return { ...base, status: 'fail', reason: 'the Rego frontend is not available for --project-input' };
    try {
      reads = fe.inputReads((c.modules ?? []).map((m, i) => fe.parseModule(m, `module-${i}.rego`)), fe.parseQuery(c.query), c.data ?? {});
    } catch (e) {
      return { ...base, status: 'fail', reason: `input analysis error: ${errorText(e)}` };
    }
  }

  const bm = await loadBuiltins();
  const custom: Builtins = bm ? { ...bm.jsBuiltins({ strict, taggedSets: true }) } : {};
  if (!custom['test.sleep']) custom['test.sleep'] = () => null;

  let result: unknown;
  try {
    const policyInst = await loadPolicy(wasm, undefined, custom);
    policyInst.setData((c.data ?? {}) as object);
    if (bm?.resetEvaluation) bm.resetEvaluation(custom);
    result = policyInst.evaluate(inputFor(c, reads), 0);
  } catch (e) {
    if (wantsError) {
      // Messages that name an OPA error category must name the expected one.
      const category = /eval_[a-z]+_error/.exec(errorText(e))?.[0];
      if (c.want_error_code && category && category !== c.want_error_code)
        return { ...base, status: 'fail', reason: `expected ${c.want_error_code}, got: ${errorText(e).slice(0, 200)}` };
      return { ...base, status: 'pass' };
    }
    return { ...base, status: 'fail', reason: `evaluation error: ${errorText(e)}` };
  }
  if (wantsError) return { ...base, status: 'fail', reason: `expected an error (${c.want_error_code ?? c.want_error}), got ${JSON.stringify(result).slice(0, 200)}` };
  const diff = compareResults(c.want_result ?? [], result, { sortBindings: c.sort_bindings, ignoreGeneratedVars: c.ignore_generated_vars });
  return diff === undefined ? { ...base, status: 'pass' } : { ...base, status: 'fail', reason: diff };
}

export interface Summary {
  outcomes: CaseOutcome[];
  passed: number;
  failed: number;
  skipped: number;
}

/** Runs every case (optionally filtered by a substring of its id or note). */
export async function runCases(cases: LoadedCase[], opts: RunOptions, onOutcome?: (o: CaseOutcome) => void): Promise<Summary> {
  const outcomes: CaseOutcome[] = [];
  for (const lc of cases) {
    if (opts.filter && !lc.id.includes(opts.filter) && !lc.case.note.includes(opts.filter)) continue;
    const o = await runCase(lc, opts);
    outcomes.push(o);
    onOutcome?.(o);
  }
  return {
    outcomes,
    passed: outcomes.filter((o) => o.status === 'pass').length,
    failed: outcomes.filter((o) => o.status === 'fail').length,
    skipped: outcomes.filter((o) => o.status === 'skip').length,
  };
}

/** The summary line the CLI ends with. */
export function summaryLine(s: Summary): string {
  return s.skipped > 0 ? `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped` : `${s.passed} passed, ${s.failed} failed`;
}
