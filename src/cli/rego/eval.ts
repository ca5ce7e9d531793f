/**
 * `warden rego eval -d <dir|file>… [-i input.json] '<query>'`: compile the query
 * with the modules to Wasm, evaluate it through opa-wasm and print the result set
 * like `opa eval` ({"result":[{"expressions":[…],"bindings":{…}}]}).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Command } from 'commander';
import { compileWasm, parseQuery, type Expr } from '../../compiler/index.ts';
import { readSources } from '../../compiler/bundle.ts';
import { builtinDecl } from '../../compiler/builtins/decls.ts';
import { jsBuiltins } from '../../compiler/builtins/js/index.ts';
import { reportCompileError } from './build.ts';

const require = createRequire(import.meta.url);
const { loadPolicy } = require('@open-policy-agent/opa-wasm') as typeof import('@open-policy-agent/opa-wasm');

const EXPR_VAR = '__warden_expr';

export function register(rego: Command): void {
  rego
    .command('eval <query>')
    .description('Evaluate a Rego query against policies and data (result printed as JSON, like opa eval)')
    .option('-d, --data <path>', 'Rego file or directory, or a data .json/.yaml file (repeatable)', collect, [] as string[])
    .option('-i, --input <file>', 'input document (JSON or YAML)')
    .option('--strict-builtin-errors', 'treat builtin errors as evaluation errors')
    .action(async (query: string, o: { data: string[]; input?: string; strictBuiltinErrors?: boolean }) => {
      try {
        const { modules, data } = await readSources(o.data, { tests: true });
        const body = parseQuery(query);
        const texts = query.split(/\n|;/).map((s) => s.trim()).filter((s) => s !== '');
        // A bare term (not a comparison or unification) reports its value as the expression value.
        const rewritten: Expr[] = body.flatMap((e, i) => (isValueExpr(e) ? withValueVar(e, i) : [e]));
        const { wasm } = await compileWasm({ modules, query: rewritten, queryLocals: true, strictBuiltinErrors: o.strictBuiltinErrors === true });
        const policy = await loadPolicy(wasm, undefined, jsBuiltins({ strict: o.strictBuiltinErrors === true, taggedSets: true }));
        policy.setData(data);
        const input = o.input === undefined ? undefined : await readDoc(o.input);
        const rows = policy.evaluate(input) as Record<string, unknown>[];
        const result = rows.map((row) => {
          const expressions = body.map((e, i) => ({
            value: isValueExpr(e) ? row[`${EXPR_VAR}${i}__`] : true,
            text: texts[i] ?? '',
            location: { row: e.loc.row, col: e.loc.col },
          }));
          const bindings = Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith(EXPR_VAR)));
          return Object.keys(bindings).length ? { expressions, bindings } : { expressions };
        });
        process.stdout.write(`${JSON.stringify(result.length ? { result } : {}, null, 2)}\n`);
      } catch (err) {
        reportCompileError(err);
      }
    });
}

/** A bare term or value-returning call (not `=`, `:=`, or a builtin called with its output argument). */
function isValueExpr(e: Expr): boolean {
  if (e.kind !== 'term' || e.negated) return false;
  if (e.term.type !== 'call') return true;
  const op = e.term.op;
  const name = op.type === 'var' ? op.value : op.type === 'ref' ? op.value.map((s) => ('value' in s ? String(s.value) : '')).join('.') : '';
  if (name === 'eq' || name === 'assign') return false;
  const decl = builtinDecl(name);
  return !(decl && e.term.args.length === (decl.args?.length ?? 0) + 1);
}

/** `t` → `__warden_exprN__ = t`: like OPA's query compiler, capture the value (false included) to report it. */
function withValueVar(e: Expr, i: number): Expr[] {
  if (e.kind !== 'term') return [e];
  const loc = e.loc;
  const v = { type: 'var' as const, value: `${EXPR_VAR}${i}__`, loc };
  return [{ ...e, term: { type: 'call', op: { type: 'var', value: 'eq', loc }, args: [v, e.term], loc } }];
}

async function readDoc(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  if (file.endsWith('.yaml') || file.endsWith('.yml')) return (await import('yaml')).parse(text) as unknown;
  return JSON.parse(text) as unknown;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}
