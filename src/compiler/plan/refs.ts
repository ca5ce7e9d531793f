/**
 * References: `input.…`, locals, and `data.…` where the planner calls rule
 * functions, merges virtual documents with base data, and dispatches on keys.
 */
import { RegoError } from '../ast/errors.ts';
import type { Term } from '../ast/types.ts';
import { plannable } from '../check/safety.ts';
import type { Local, Operand } from '../ir/types.ts';
import { localOp } from './frame.ts';
import type { TreeNode } from './tree.ts';
import { UnifyPlanner, type OpK } from './unify.ts';

export abstract class RefPlanner extends UnifyPlanner {
  // ---- references ----

  /** Plan `parts[i..]` of a reference; parts[0] is the head. */
  planRefParts(parts: Term[], _i: number, k: OpK): void {
    const head = parts[0]!;
    if (head.type === 'var') {
      const name = head.value;
      const l = this.lookup(name);
      if (l !== undefined) { this.planRest(localOp(l), parts, 1, k); return; }
      if (name === 'input') {
        if (parts.length === 1) this.emit('IsDefinedStmt', { source: 0 });
        this.planRest(localOp(0), parts, 1, k);
        return;
      }
      if (name === 'data') { this.planData(parts, k); return; }
      const g = this.isDeclared(name) ? undefined : this.globalRef(name);
      if (g) { this.planRefParts([...g, ...parts.slice(1)], 0, k); return; }
      throw new RegoError('rego_unsafe_var_error', `var ${name} is unsafe`, head.loc);
    }
    this.planTerm(head, (op) => this.planRest(op, parts, 1, k));
  }

  /** Dot or scan through `parts[i..]` starting from a value. */
  planRest(op: Operand, parts: Term[], i: number, k: OpK): void {
    if (i >= parts.length) { k(op); return; }
    const seg = parts[i]!;
    if (plannable(seg, this.isBound) && !(seg.type === 'var' && this.isWildcard(seg.value))) {
      this.planTerm(seg, (key) => {
        const t = this.local();
        this.emit('DotStmt', { source: op, key, target: t });
        this.planRest(localOp(t), parts, i + 1, k);
      });
      return;
    }
    const src = this.toLocal(op);
    const kl = this.local();
    const vl = this.local();
    const block = this.block(() => {
      if (seg.type === 'var' && this.isWildcard(seg.value)) this.planRest(localOp(vl), parts, i + 1, k);
      else this.unify(seg, this.tmpVar(kl), () => this.planRest(localOp(vl), parts, i + 1, k));
    });
    this.emit('ScanStmt', { source: src, key: kl, value: vl, block });
  }

  protected mocked(path: readonly string[]): boolean {
    return this.env.mockedPaths.some((m) => m.length <= path.length && m.every((s, j) => path[j] === s));
  }

  /** Is there any (unmocked) rule at or below this node? */
  isVirtual(node: TreeNode): boolean {
    // Every package and rule-path prefix is a (possibly empty) virtual object; functions are not documents.
    if (this.mocked(node.path)) return false;
    if (node.rules) return node.rules.kind !== 'func';
    return true;
  }

  /** `data.…`: call rule functions where the path meets a rule, merge virtual and base documents. */
  protected planData(parts: Term[], k: OpK): void {
    this.planDataFrom(this.ps.tree, parts, 1, k);
  }

  protected planDataFrom(start: TreeNode, parts: Term[], from: number, k: OpK): void {
    let node = start;
    let i = from;
    for (;;) {
      if (node.rules && !this.mocked(node.path)) {
        if (node.rules.kind === 'func') {
          throw new RegoError('rego_type_error', `function data.${node.path.join('.')} must be called`, parts[0]!.loc);
        }
        const r = this.callRule(this.resolver.funcFor(node.path, this.env));
        this.planRest(localOp(r), parts, i, k);
        return;
      }
      if (!this.isVirtual(node)) break;
      if (i >= parts.length) { this.buildVirtual(node, k); return; }
      const seg = parts[i]!;
      if (seg.type === 'string') {
        const child = node.children.get(seg.value);
        if (!child) break;
        node = child;
        i++;
        continue;
      }
      // Rule paths are strings: a number/boolean/null key can only hit base data.
      if (seg.type === 'number' || seg.type === 'boolean' || seg.type === 'null') break;
      if (plannable(seg, this.isBound)) { this.planDataDynamic(node, parts, i, k); return; }
      this.buildVirtual(node, (op) => this.planRest(op, parts, i, k));
      return;
    }
    this.planRest(this.baseData(node.path), parts, i, k);
  }

  /** Plain base data at a path. */
  protected baseData(path: readonly string[]): Operand {
    let op: Operand = localOp(1);
    for (const s of path) {
      const t = this.local();
      this.emit('DotStmt', { source: op, key: { type: 'string_index', value: this.ps.str(s) }, target: t });
      op = localOp(t);
    }
    return op;
  }

  /**
   * `data.a[x]…` with x bound: try each virtual child whose name x may equal (so only
   * the matching rule is evaluated), else fall through to base data.
   */
  protected planDataDynamic(node: TreeNode, parts: Term[], i: number, k: OpK): void {
    this.planTerm(parts[i]!, (key) => {
      const children = [...node.children.values()].filter((c) => this.isVirtual(c));
      // The continuation is planned once per alternative; each starts from the same bindings.
      const scopes = this.saveScopes();
      const blocks = children.map((child) => this.block(() => {
        this.restoreScopes(scopes);
        this.emit('EqualStmt', { a: key, b: { type: 'string_index', value: this.ps.str(child.name) } });
        this.planDataFrom(child, parts, i + 1, k);
      }));
      blocks.push(this.block(() => {
        this.restoreScopes(scopes);
        for (const child of children) this.emit('NotEqualStmt', { a: key, b: { type: 'string_index', value: this.ps.str(child.name) } });
        const t = this.local();
        this.emit('DotStmt', { source: this.baseData(node.path), key, target: t });
        this.planRest(localOp(t), parts, i + 1, k);
      }));
      this.emit('BlockStmt', { blocks });
    });
  }

  /** The document at a node with rules below it: virtual children merged over base data. */
  buildVirtual(node: TreeNode, k: OpK): void {
    const obj = this.local();
    this.emit('MakeObjectStmt', { target: obj });
    for (const child of [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (!this.isVirtual(child)) continue;
      const block = this.block(() => {
        const insert: OpK = (v) => this.emit('ObjectInsertStmt', { key: { type: 'string_index', value: this.ps.str(child.name) }, value: v, object: obj });
        if (child.rules) {
          const r = this.callRule(this.resolver.funcFor(child.path, this.env));
          insert(localOp(r));
        } else this.buildVirtual(child, insert);
      });
      this.emit('BlockStmt', { blocks: [block] });
    }
    const res = this.local();
    const inner = this.block(() => {
      let op: Local = 1;
      for (const s of node.path) {
        const t = this.local();
        this.emit('DotStmt', { source: localOp(op), key: { type: 'string_index', value: this.ps.str(s) }, target: t });
        op = t;
      }
      this.emit('ObjectMergeStmt', { a: op, b: obj, target: res });
      this.emit('BreakStmt', { index: 1 });
    });
    const outer = this.block(() => {
      this.emit('BlockStmt', { blocks: [inner] });
      this.emit('AssignVarStmt', { source: localOp(obj), target: res });
    });
    this.emit('BlockStmt', { blocks: [outer] });
    k(localOp(res));
  }
}
