/**
 * One IR function (or plan) under construction: locals, lexical scopes and the
 * current statement list. Planning is continuation-passing: each step emits its
 * statements and then calls `k`, so iteration (ScanStmt) simply nests the rest.
 */
import type { Location as AstLoc, Module, Rule } from '../ast/types.ts';
import type { Block, Local, Operand, Stmt, StmtPayloads, StmtType } from '../ir/types.ts';
import type { Env, PolicyState } from './policy.ts';

type Payload<K extends StmtType> = Omit<StmtPayloads[K], 'file' | 'row' | 'col'>;

/** Marks a name declared in a scope (by `:=` or `some`) but not bound yet. */
const DECLARED = -1;

export class Frame {
  readonly ps: PolicyState;
  env: Env;
  /** Module whose package/imports resolve bare names (undefined for queries). */
  readonly module: Module | undefined;
  /** The rule being planned (for rego.metadata.*). */
  readonly rule: Rule | undefined;
  private next: number;
  stmts: Stmt[] = [];
  /** Locals holding the environment's `param` mock values (see Env.params). */
  paramLocals: Local[] = [];
  private scopes: Map<string, Local>[] = [new Map()];
  loc: AstLoc;
  fileIdx: number;

  constructor(ps: PolicyState, env: Env, module: Module | undefined, rule: Rule | undefined, firstLocal: number, loc: AstLoc) {
    this.ps = ps;
    this.env = env;
    this.module = module;
    this.rule = rule;
    this.next = firstLocal;
    this.loc = loc;
    this.fileIdx = ps.file(loc.file);
  }

  local(): Local {
    return this.next++;
  }

  emit<K extends StmtType>(type: K, payload: Payload<K>): void {
    const stmt = { ...payload, file: this.fileIdx, row: this.loc.row, col: this.loc.col } as StmtPayloads[K];
    this.stmts.push({ type, stmt } as Stmt);
  }

  setLoc(loc: AstLoc): void {
    this.loc = loc;
    this.fileIdx = this.ps.file(loc.file);
  }

  /** Run `fn` collecting its statements into a new block. */
  block(fn: () => void): Block {
    const saved = this.stmts;
    this.stmts = [];
    try {
      fn();
      return { stmts: this.stmts };
    } finally {
      this.stmts = saved;
    }
  }

  /** Run `fn` in a nested lexical scope. */
  scoped<T>(fn: () => T): T {
    this.scopes.push(new Map());
    try {
      return fn();
    } finally {
      this.scopes.pop();
    }
  }

  /** Snapshot of all scopes, for planning one continuation in several alternative blocks. */
  saveScopes(): Map<string, Local>[] {
    return this.scopes.map((m) => new Map(m));
  }

  restoreScopes(saved: Map<string, Local>[]): void {
    this.scopes = saved.map((m) => new Map(m));
  }

  lookup(name: string): Local | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const l = this.scopes[i]!.get(name);
      if (l !== undefined) return l === DECLARED ? undefined : l;
    }
    return undefined;
  }

  /** Declared in an enclosing scope (by := or some) but unbound: a global name must not shadow it. */
  isDeclared(name: string): boolean {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const l = this.scopes[i]!.get(name);
      if (l !== undefined) return true;
    }
    return false;
  }

  bind(name: string, l: Local): void {
    // Bind where it was declared if it was; else in the innermost scope.
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i]!.get(name) === DECLARED) { this.scopes[i]!.set(name, l); return; }
    }
    this.scopes[this.scopes.length - 1]!.set(name, l);
  }

  /** Declared or bound in the innermost scope (a second `:=` there is an error). */
  inTopScope(name: string): boolean {
    return this.scopes[this.scopes.length - 1]!.has(name);
  }

  declare(name: string): void {
    this.scopes[this.scopes.length - 1]!.set(name, DECLARED);
  }

  /** Make sure an operand lives in a local (Scan and Len sources must). */
  toLocal(op: Operand): Local {
    if (op.type === 'local') return op.value;
    const l = this.local();
    this.emit('AssignVarStmt', { source: op, target: l });
    return l;
  }
}

export function localOp(l: Local): Operand {
  return { type: 'local', value: l };
}
