/**
 * Name resolution for a planning frame: locals, globals (input, data, rules of
 * the package, imports), functions and builtins, and calls to rule functions.
 */
import { builtinDecl } from '../builtins/decls.ts';
import type { Term, TermOf } from '../ast/types.ts';
import type { Local, Operand } from '../ir/types.ts';
import { Frame, localOp } from './frame.ts';
import type { Env } from './policy.ts';
import type { TreeNode } from './tree.ts';

/** Planner hook to get (planning on demand) the function for a rule set. */
export interface FuncResolver {
  funcFor(path: readonly string[], env: Env): string;
}

export abstract class NamePlanner extends Frame {
  resolver!: FuncResolver;
  private tmpCount = 0;

  // ---- names ----

  isWildcard(name: string): boolean {
    return name === '_' || name.startsWith('$_');
  }

  /** A global name: input, data, a rule of the current package, or an import. */
  globalRef(name: string): Term[] | undefined {
    const loc = this.loc;
    if (name === 'input' || name === 'data') return [{ type: 'var', value: name, loc }];
    const mod = this.module;
    if (!mod) return undefined;
    for (const imp of mod.imports) {
      const p = imp.path;
      const parts = p.type === 'ref' ? p.value : [p];
      const head = parts[0];
      if (head?.type !== 'var' || (head.value !== 'data' && head.value !== 'input')) continue;
      const last = parts[parts.length - 1]!;
      const alias = imp.alias ?? (last.type === 'string' ? last.value : last.type === 'var' ? last.value : undefined);
      if (alias === name) return parts;
    }
    const child = this.ps.tree.children.get(mod.package[0]!);
    let node: TreeNode | undefined = child;
    for (const seg of mod.package.slice(1)) node = node?.children.get(seg);
    if (node?.children.has(name)) {
      return [{ type: 'var', value: 'data', loc }, ...[...mod.package, name].map((s): Term => ({ type: 'string', value: s, loc }))];
    }
    return undefined;
  }

  isBound = (name: string): boolean => {
    if (this.lookup(name) !== undefined) return true;
    if (this.isDeclared(name)) return false;
    return this.globalRef(name) !== undefined;
  };

  arity = (name: string): number | undefined => {
    const fn = this.resolveFunc(name);
    if (fn.kind === 'user') return fn.arity;
    if (fn.kind === 'builtin') {
      return builtinArgs(this, fn.name);
    }
    return undefined;
  };

  tmpVar(l: Local): TermOf<'var'> {
    const name = `$t${this.tmpCount++}`;
    this.bind(name, l);
    return { type: 'var', value: name, loc: this.loc };
  }

  // ---- functions ----

  resolveFunc(name: string): { kind: 'user'; path: string[]; key: string; arity: number } | { kind: 'builtin'; name: string } | { kind: 'none' } {
    const parts = name.split('.');
    let full: string[] | undefined;
    if (parts[0] === 'data') full = parts.slice(1);
    else {
      const g = this.isDeclared(parts[0]!) ? undefined : this.globalRef(parts[0]!);
      if (g && g[0]?.type === 'var' && g[0].value === 'data') {
        full = [...g.slice(1).map((s) => (s as { value: string }).value), ...parts.slice(1)];
      }
    }
    if (full) {
      const rs = this.ps.ruleSetAt(full);
      if (rs?.kind === 'func') {
        const r = rs.rules[0] ?? rs.defaults[0]!;
        return { kind: 'user', path: full, key: 'data.' + full.join('.'), arity: r.head.args!.length };
      }
      if (parts[0] === 'data') return { kind: 'none' };
    }
    if (builtinArgs(this, name) !== undefined) return { kind: 'builtin', name };
    return { kind: 'none' };
  }


  protected mockFreeEnv(): Env {
    return { gen: this.ps.nextGen(), mockedPaths: this.env.mockedPaths, funcMocks: new Map(), params: 0 };
  }

  /** Call a planned rule function of the current environment (input, data, then any mock parameters). */
  callRule(fname: string): Local {
    const r = this.local();
    const args: Operand[] = [localOp(0), localOp(1)];
    for (const l of this.paramLocals) args.push(localOp(l));
    this.emit('CallStmt', { func: fname, args, result: r });
    return r;
  }

}

function builtinArgs(p: NamePlanner, name: string): number | undefined {
  const d = p.ps.builtins.get(name);
  if (d) return d.args?.length ?? 0;
  return builtinArity(name);
}

function builtinArity(name: string): number | undefined {
  const d = builtinDecl(name);
  return d ? (d.args?.length ?? 0) : undefined;
}
