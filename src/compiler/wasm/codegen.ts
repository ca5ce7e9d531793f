/**
 * IR → Wasm instructions. Mirrors OPA's own IR-to-Wasm compiler: every IR block
 * is a Wasm `block`, a statement that turns out undefined breaks out of the
 * innermost block (`br 0`), `BreakStmt n` is `br n`, and a scan is a loop whose
 * body's `br 0` moves to the next element.
 */
import type { Block, Func, Operand, Policy, Stmt } from '../ir/types.ts';
import { Emitter, type Linker, OP, type Statics } from './emitter.ts';

export { OP, type Linker, type Statics } from './emitter.ts';

/** Compiles IR statements of one plan or function. */
export class FuncBuilder extends Emitter {
  /** IR locals known to hold the base `data` document or a document under it. */
  readonly dataLocals = new Set<number>([1]);

  /** Set for memoized rules: results are cached per evaluation. */
  memo: { slot: number; ret: number } | undefined;

  private abortAt(stmt: { file: number; row: number; col: number }, what: string): void {
    this.const32(this.s.message(`${this.link.fileName(stmt.file)}:${stmt.row}:${stmt.col}: ${what}`));
    this.call(this.link.abortFunc);
    this.op(OP.unreachable);
  }

  /** Emits the statements of an IR block (the caller decides whether to wrap them). */
  stmts(block: Block): void {
    for (const st of block.stmts) this.stmt(st);
  }

  /** An IR block wrapped in its own Wasm block. */
  wrapped(block: Block): void {
    this.open();
    this.stmts(block);
    this.close();
  }

  private undefinedBreak(): void {
    this.op(OP.i32Eqz);
    this.brIf(0);
  }

  private stmt(st: Stmt): void {
    switch (st.type) {
      case 'ResultSetAddStmt': {
        if (this.resultSet === undefined) throw new Error('ResultSetAddStmt outside a plan');
        this.get(this.resultSet);
        this.get(this.local(st.stmt.value));
        this.rt('opa_set_add');
        return;
      }
      case 'ReturnLocalStmt': {
        this.get(this.local(st.stmt.source));
        if (this.memo) {
          const t = this.temp();
          this.tee(t);
          this.const32(this.memo.slot);
          this.get(t);
          this.rt('memo_insert');
        }
        this.op(OP.return);
        return;
      }
      case 'BlockStmt':
        for (const b of st.stmt.blocks) this.wrapped(b);
        return;
      case 'BreakStmt':
        this.br(st.stmt.index);
        return;
      case 'CallStmt':
        this.callStmt(st.stmt.func, st.stmt.args ?? [], st.stmt.result);
        return;
      case 'CallDynamicStmt':
        this.callDynamic(st.stmt);
        return;
      case 'WithStmt': {
        const { local, path, value, block } = st.stmt;
        const target = this.local(local);
        const save = this.temp();
        const undef = this.temp();
        this.rt('memo_push');
        this.get(target);
        this.set(save);
        if (!path || path.length === 0) this.read(value);
        else {
          this.get(target);
          this.const32(this.s.stringPath(path));
          this.read(value);
          this.rt('with_upsert');
        }
        this.set(target);
        this.const32(1);
        this.set(undef);
        this.open();
        this.stmts(block);
        this.const32(0);
        this.set(undef);
        this.close();
        this.get(save);
        this.set(target);
        this.rt('memo_pop');
        this.get(undef);
        this.brIf(0);
        return;
      }
      case 'AssignVarStmt':
        this.read(st.stmt.source);
        this.set(this.local(st.stmt.target));
        return;
      case 'AssignVarOnceStmt': {
        const t = this.local(st.stmt.target);
        this.open();
        this.open();
        this.get(t);
        this.op(OP.i32Eqz);
        this.brIf(0);
        this.get(t);
        this.read(st.stmt.source);
        this.rt('value_equal');
        this.brIf(1);
        this.abortAt(st.stmt, 'eval_conflict_error: complete rules must not produce multiple outputs');
        this.close();
        this.read(st.stmt.source);
        this.set(t);
        this.close();
        return;
      }
      case 'AssignIntStmt':
        this.w.byte(OP.i64Const);
        this.w.i64(st.stmt.value);
        this.rt('opa_number_int');
        this.set(this.local(st.stmt.target));
        return;
      case 'ScanStmt': {
        const { source, key, value, block } = st.stmt;
        const src = this.local(source);
        const cur = this.temp();
        this.const32(0);
        this.set(cur);
        this.open();
        this.open(OP.loop);
        this.get(src);
        this.get(cur);
        this.rt('iter_next');
        this.tee(cur);
        this.op(OP.i32Eqz);
        this.brIf(1);
        this.get(src);
        this.get(cur);
        this.rt('iter_key');
        this.set(this.local(key));
        this.get(src);
        this.get(cur);
        this.rt('iter_value');
        this.set(this.local(value));
        this.stmts(block);
        this.br(0);
        this.close();
        this.close();
        return;
      }
      case 'NopStmt':
        return;
      case 'NotStmt': {
        const cond = this.temp();
        this.const32(1);
        this.set(cond);
        this.open();
        this.stmts(st.stmt.block);
        this.const32(0);
        this.set(cond);
        this.close();
        this.get(cond);
        this.op(OP.i32Eqz);
        this.brIf(0);
        return;
      }
      case 'DotStmt': {
        if (st.stmt.source.type !== 'local') {
          this.br(0);
          return;
        }
        // Lookups under `data` follow OPA's storage paths: a number key also finds its text.
        const base = this.dataLocals.has(st.stmt.source.value) && st.stmt.key.type === 'local';
        if (this.dataLocals.has(st.stmt.source.value)) this.dataLocals.add(st.stmt.target);
        this.read(st.stmt.source);
        this.read(st.stmt.key);
        this.rt(base ? 'opa_value_get_base' : 'opa_value_get');
        this.tee(this.local(st.stmt.target));
        this.undefinedBreak();
        return;
      }
      case 'LenStmt':
        this.read(st.stmt.source);
        this.rt('opa_value_length');
        this.op(OP.i64ExtendI32S);
        this.rt('opa_number_int');
        this.set(this.local(st.stmt.target));
        return;
      case 'EqualStmt': {
        const { a, b } = st.stmt;
        if (a.type === b.type && a.value === b.value) return;
        this.read(a);
        this.read(b);
        this.rt('value_equal');
        this.undefinedBreak();
        return;
      }
      case 'NotEqualStmt': {
        const { a, b } = st.stmt;
        if (a.type === b.type && a.value === b.value) {
          this.br(0);
          return;
        }
        this.read(a);
        this.read(b);
        this.rt('value_equal');
        this.brIf(0);
        return;
      }
      case 'MakeNullStmt':
        this.rt('opa_null');
        this.set(this.local(st.stmt.target));
        return;
      case 'MakeNumberIntStmt':
        this.w.byte(OP.i64Const);
        this.w.i64(st.stmt.value);
        this.rt('opa_number_int');
        this.set(this.local(st.stmt.target));
        return;
      case 'MakeNumberRefStmt':
        this.const32(this.s.strAddr[st.stmt.Index]!);
        this.rt('opa_number_ref');
        this.set(this.local(st.stmt.target));
        return;
      case 'MakeArrayStmt':
        this.const32(st.stmt.capacity);
        this.rt('opa_array_with_cap');
        this.set(this.local(st.stmt.target));
        return;
      case 'MakeObjectStmt':
        this.rt('opa_object');
        this.set(this.local(st.stmt.target));
        return;
      case 'MakeSetStmt':
        this.rt('opa_set');
        this.set(this.local(st.stmt.target));
        return;
      case 'IsArrayStmt':
        this.typeCheck(st.stmt.source, 5);
        return;
      case 'IsObjectStmt':
        this.typeCheck(st.stmt.source, 6);
        return;
      case 'IsSetStmt':
        this.typeCheck(st.stmt.source, 7);
        return;
      case 'IsUndefinedStmt':
        this.get(this.local(st.stmt.source));
        this.brIf(0);
        return;
      case 'IsDefinedStmt':
        this.get(this.local(st.stmt.source));
        this.undefinedBreak();
        return;
      case 'ResetLocalStmt':
        this.const32(0);
        this.set(this.local(st.stmt.target));
        return;
      case 'ArrayAppendStmt':
        this.get(this.local(st.stmt.array));
        this.read(st.stmt.value);
        this.rt('opa_array_append');
        return;
      case 'ObjectInsertStmt':
        this.get(this.local(st.stmt.object));
        this.read(st.stmt.key);
        this.read(st.stmt.value);
        this.rt('opa_object_insert');
        return;
      case 'ObjectInsertOnceStmt': {
        const tmp = this.temp();
        const obj = this.local(st.stmt.object);
        this.open();
        this.open();
        this.get(obj);
        this.read(st.stmt.key);
        this.rt('opa_value_get');
        this.tee(tmp);
        this.op(OP.i32Eqz);
        this.brIf(0);
        this.get(tmp);
        this.read(st.stmt.value);
        this.rt('value_equal');
        this.brIf(1);
        this.abortAt(st.stmt, 'eval_conflict_error: object keys must be unique');
        this.close();
        this.get(obj);
        this.read(st.stmt.key);
        this.read(st.stmt.value);
        this.rt('opa_object_insert');
        this.close();
        return;
      }
      case 'ObjectMergeStmt':
        this.get(this.local(st.stmt.a));
        this.get(this.local(st.stmt.b));
        this.rt('opa_value_merge');
        this.set(this.local(st.stmt.target));
        return;
      case 'SetAddStmt':
        this.get(this.local(st.stmt.set));
        this.read(st.stmt.value);
        this.rt('opa_set_add');
        return;
      default: {
        const t: never = st;
        throw new Error(`illegal statement: ${(t as { type: string }).type}`);
      }
    }
  }

  private typeCheck(source: Operand, tag: number): void {
    if (source.type !== 'local') {
      this.br(0);
      return;
    }
    this.read(source);
    this.rt('opa_value_type');
    this.const32(tag);
    this.op(OP.i32Ne);
    this.brIf(0);
  }

  private callStmt(func: string, args: Operand[], result: number): void {
    const internal = this.link.funcIndex.get(func);
    if (internal !== undefined) {
      for (const a of args) this.read(a);
      this.call(internal);
    } else {
      const native = this.link.native(func);
      if (native !== undefined) {
        for (const a of args) this.read(a);
        this.call(native);
      } else {
        const ext = this.link.external(func);
        if (!ext) throw new Error(`undefined function: ${func}`);
        if (args.length > 4) throw new Error(`too many built-in call arguments: ${func}`);
        this.const32(ext.id);
        this.const32(ext.flags);
        for (const a of args) this.read(a);
        this.rt(`ext_call${args.length}`);
      }
    }
    this.tee(this.local(result));
    this.undefinedBreak();
  }

  /**
   * CallDynamicStmt (as OPA): no function at the path → `br 0` (the next block
   * reads base data instead); a function found but undefined → `br 2`.
   */
  private callDynamic(stmt: { args: number[]; result: number; path: Operand[] }): void {
    const strings = this.policy.static.strings;
    const res = this.local(stmt.result);
    this.open(); // A: exited with a result in `res`
    for (const [path, name] of this.link.funcsByPath) {
      const segs = path.split('\u0000');
      if (segs.length !== stmt.path.length) continue;
      let ok = true;
      for (let i = 0; i < segs.length; i++) {
        const p = stmt.path[i]!;
        if (p.type === 'string_index' && strings[p.value]!.value !== segs[i]) ok = false;
        if (p.type === 'bool') ok = false;
      }
      if (!ok) continue;
      this.open(); // candidate
      for (let i = 0; i < segs.length; i++) {
        const p = stmt.path[i]!;
        if (p.type !== 'local') continue;
        this.read(p);
        this.const32(this.s.stringValue(segs[i]!));
        this.rt('value_equal');
        this.op(OP.i32Eqz);
        this.brIf(0);
      }
      for (const a of stmt.args) this.get(this.local(a));
      this.call(this.link.funcIndex.get(name)!);
      this.set(res);
      this.br(1);
      this.close();
    }
    this.br(1); // no function at this path
    this.close();
    this.get(res);
    this.op(OP.i32Eqz);
    this.brIf(2);
  }
}

/** Compiles one IR function to a code-section entry. */
export function compileFunc(policy: Policy, s: Statics, link: Linker, fn: Func): Uint8Array {
  const slot = link.memoSlot.get(fn.name);
  const f = new FuncBuilder(policy, s, link, fn.params, undefined);
  f.paramCount = fn.params.length;
  const ret = f.local(fn.return);
  const memo = slot !== undefined ? { slot, ret } : undefined;
  f.memo = memo;
  if (memo) {
    f.const32(memo.slot);
    f.rt('memo_get');
    f.tee(ret);
    f.open(OP.if);
    f.get(ret);
    f.op(OP.return);
    f.close();
  }
  for (const b of fn.blocks) f.wrapped(b);
  return f.finish(() => {
    f.get(ret);
  });
}
