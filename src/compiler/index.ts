/**
 * The Rego compiler's public API: parse, check, plan to OPA IR, and (through the
 * Wasm backend) compile to a module the unmodified opa-wasm SDK loads.
 */
import { RegoError, RegoErrors } from './ast/errors.ts';
import type { Expr, Module, Term } from './ast/types.ts';
import { someNode } from './ast/walk.ts';
import type { Policy } from './ir/types.ts';
import { parseModule, parseQuery, parseTerm } from './parser/index.ts';
import { PolicyPlanner } from './plan/rules.ts';
import { emitWasm } from './wasm/index.ts';
import { inputReads, type InputReads } from './input-reads.ts';

export { parseModule, parseQuery, parseTerm, RegoError, RegoErrors };
export { inputProjector, inputReads, projectInput, type InputReads, type InputReadTree } from './input-reads.ts';
export type { Module };
export type { Term, Expr, Rule, Location } from './ast/types.ts';

/** A Rego source file: its name (used in error locations) and text. */
export interface SourceFile {
  file: string;
  source: string;
}

export interface CompileOptions {
  /** Rego modules; plain strings are named `module-<i>.rego`. */
  modules: (SourceFile | string)[];
  /** Entrypoints like `warden/decision`; each becomes a plan whose rows are `{"result": …}`. */
  entrypoints?: string[];
  /** A query (text, or parsed with parseQuery) planned as the plan `eval`; rows bind the query's variables. */
  query?: string | Expr[];
  /** Also report `:=`/`some` variables of the query in its rows (like `opa eval`; the conformance cases do not). */
  queryLocals?: boolean;
}

function parseAll(modules: (SourceFile | string)[]): Module[] {
  return modules.map((m, i) => (typeof m === 'string' ? parseModule(m, `module-${i}.rego`) : parseModule(m.source, m.file)));
}

/** Parse, check and plan Rego to OPA IR (`ir.Policy`). Throws RegoError on the first problem. */
export function compileToIr(opts: CompileOptions): Policy {
  return compileParsed(opts).policy;
}

/** compileToIr, also returning the parsed modules and query (for analyses such as inputReads). */
function compileParsed(opts: CompileOptions): Parsed {
  try {
    return compileUnguarded(opts);
  } catch (err) {
    // Pathologically deep nesting must fail like any other bad policy, not crash the caller.
    if (err instanceof RangeError && /call stack/.test(err.message)) {
      const first = opts.modules[0];
      const file = first === undefined ? '<query>' : typeof first === 'string' ? 'module-0.rego' : first.file;
      throw new RegoError('rego_compile_error', 'policy is nested too deeply to compile', { file, row: 1, col: 1 });
    }
    throw err;
  }
}

interface Parsed {
  policy: Policy;
  modules: Module[];
  query: Expr[] | undefined;
}

function compileUnguarded(opts: CompileOptions): Parsed {
  const modules = parseAll(opts.modules);
  const planner = new PolicyPlanner(modules);
  const query = opts.query === undefined ? undefined : typeof opts.query === 'string' ? parseQuery(opts.query) : opts.query;
  if (query !== undefined) planner.planQuery(query, 'eval', opts.queryLocals === true);
  for (const ep of opts.entrypoints ?? []) planner.planEntrypoint(ep);
  // Check the rules no plan reached too (recursion, unsafe vars, unknown functions).
  new PolicyPlanner(modules).checkAll(planner.plannedFuncs());
  return { policy: planner.toPolicy(), modules, query };
}

/** Plan a query against modules like the conformance cases: a single plan `eval`. */
export function compileQuery(opts: { modules: (SourceFile | string)[]; query: string }): Policy {
  return compileToIr({ modules: opts.modules, query: opts.query });
}

export interface WasmOptions extends CompileOptions {
  strictBuiltinErrors?: boolean;
  /** The data document the policy will be evaluated with, when known: sharpens the input analysis (see input-reads.ts). */
  data?: unknown;
}

/** Compile to an OPA-ABI Wasm module. Entrypoints keep their order (entrypoint id = index). */
export async function compileWasm(
  opts: WasmOptions,
): Promise<{ wasm: Uint8Array; entrypoints: string[]; irMs: number; wasmMs: number; inputReads: InputReads; builtins: string[] }> {
  const t0 = performance.now();
  const { policy, modules, query } = compileParsed(opts);
  const t1 = performance.now();
  const wasm = emitWasm(policy, { strictBuiltinErrors: opts.strictBuiltinErrors ?? false });
  const t2 = performance.now();
  return {
    wasm,
    entrypoints: policy.plans.plans.map((p) => p.name),
    irMs: t1 - t0,
    wasmMs: t2 - t1,
    inputReads: inputReads(modules, query, opts.data),
    // Every builtin the plans call (natively in Wasm or imported); print is planned apart from them.
    builtins: [...(policy.static.builtin_funcs ?? []).map((b) => b.name), ...(callsPrint(modules) ? ['print'] : [])],
  };
}

/** Whether any rule calls print (planned as its own statement, so absent from builtin_funcs). */
function callsPrint(modules: Module[]): boolean {
  return someNode(modules, (n) => {
    if (n.type !== 'call') return false;
    const op = n.op as Term;
    return (op.type === 'var' && op.value === 'print') || (op.type === 'ref' && op.value.length === 1 && op.value[0]!.type === 'var' && op.value[0]!.value === 'print');
  });
}

export { compileBundle } from './bundle.ts';
export { allDeterministic } from './builtins/decls.ts';
