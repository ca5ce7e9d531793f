/**
 * OPA's intermediate representation (`ir.Policy` serialised as JSON), exactly as
 * OPA's planner emits it and as it appears in the `plan` field of the conformance
 * cases. The frontend (planner) produces it; the Wasm backend consumes it.
 *
 * Field names follow OPA's JSON spelling, including the capital `Index` of
 * `MakeNumberRefStmt`. Every statement carries `file`/`row`/`col` inside `stmt`.
 */

/** Index of a local variable (0 = input, 1 = data, by convention in funcs and plans). */
export type Local = number;
/** Index into `static.strings`. */
export type StringIndex = number;

export type Operand =
  | { type: 'local'; value: Local }
  | { type: 'bool'; value: boolean }
  | { type: 'string_index'; value: StringIndex };

/** Source location carried by every statement (`file` indexes `static.files`). */
export interface Location {
  file: number;
  row: number;
  col: number;
}

export interface Block {
  stmts: Stmt[];
}

// ---- Statements -----------------------------------------------------------

export interface ArrayAppendStmt extends Location { value: Operand; array: Local }
export interface AssignIntStmt extends Location { value: number; target: Local }
export interface AssignVarOnceStmt extends Location { source: Operand; target: Local }
export interface AssignVarStmt extends Location { source: Operand; target: Local }
export interface BlockStmt extends Location { blocks: Block[] }
/** Break out of `index` enclosing blocks (0 = the innermost block). */
export interface BreakStmt extends Location { index: number }
/** Calls a builtin (by its Rego name) or a planned function (by its func name). `args` is null when empty. */
export interface CallStmt extends Location { func: string; args: Operand[] | null; result: Local }
/** Calls the function found at `path` under data; `args` are locals. */
export interface CallDynamicStmt extends Location { args: Local[]; result: Local; path: Operand[] }
export interface DotStmt extends Location { source: Operand; key: Operand; target: Local }
export interface EqualStmt extends Location { a: Operand; b: Operand }
export interface IsArrayStmt extends Location { source: Operand }
export interface IsDefinedStmt extends Location { source: Local }
export interface IsObjectStmt extends Location { source: Operand }
export interface IsSetStmt extends Location { source: Operand }
export interface IsUndefinedStmt extends Location { source: Local }
export interface LenStmt extends Location { source: Operand; target: Local }
export interface MakeArrayStmt extends Location { capacity: number; target: Local }
export interface MakeNullStmt extends Location { target: Local }
export interface MakeNumberIntStmt extends Location { value: number; target: Local }
/** A number literal kept as text: `Index` (capital I) points into `static.strings`. */
export interface MakeNumberRefStmt extends Location { Index: StringIndex; target: Local }
export interface MakeObjectStmt extends Location { target: Local }
export interface MakeSetStmt extends Location { target: Local }
export interface NopStmt extends Location {}
export interface NotEqualStmt extends Location { a: Operand; b: Operand }
export interface NotStmt extends Location { block: Block }
export interface ObjectInsertOnceStmt extends Location { key: Operand; value: Operand; object: Local }
export interface ObjectInsertStmt extends Location { key: Operand; value: Operand; object: Local }
export interface ObjectMergeStmt extends Location { a: Local; b: Local; target: Local }
export interface ResetLocalStmt extends Location { target: Local }
export interface ResultSetAddStmt extends Location { value: Local }
export interface ReturnLocalStmt extends Location { source: Local }
/** Iterates `source`, binding `key`/`value` and running `block` for each element. */
export interface ScanStmt extends Location { source: Local; key: Local; value: Local; block: Block }
export interface SetAddStmt extends Location { value: Operand; set: Local }
/**
 * Runs `block` with `local` (input or data) replaced by a copy whose document at
 * `path` (string indexes; null or [] = the whole document) is `value`.
 */
export interface WithStmt extends Location { local: Local; path: StringIndex[] | null; value: Operand; block: Block }

/** Maps each statement kind (the `type` tag) to its payload. */
export interface StmtPayloads {
  ArrayAppendStmt: ArrayAppendStmt;
  AssignIntStmt: AssignIntStmt;
  AssignVarOnceStmt: AssignVarOnceStmt;
  AssignVarStmt: AssignVarStmt;
  BlockStmt: BlockStmt;
  BreakStmt: BreakStmt;
  CallDynamicStmt: CallDynamicStmt;
  CallStmt: CallStmt;
  DotStmt: DotStmt;
  EqualStmt: EqualStmt;
  IsArrayStmt: IsArrayStmt;
  IsDefinedStmt: IsDefinedStmt;
  IsObjectStmt: IsObjectStmt;
  IsSetStmt: IsSetStmt;
  IsUndefinedStmt: IsUndefinedStmt;
  LenStmt: LenStmt;
  MakeArrayStmt: MakeArrayStmt;
  MakeNullStmt: MakeNullStmt;
  MakeNumberIntStmt: MakeNumberIntStmt;
  MakeNumberRefStmt: MakeNumberRefStmt;
  MakeObjectStmt: MakeObjectStmt;
  MakeSetStmt: MakeSetStmt;
  NopStmt: NopStmt;
  NotEqualStmt: NotEqualStmt;
  NotStmt: NotStmt;
  ObjectInsertOnceStmt: ObjectInsertOnceStmt;
  ObjectInsertStmt: ObjectInsertStmt;
  ObjectMergeStmt: ObjectMergeStmt;
  ResetLocalStmt: ResetLocalStmt;
  ResultSetAddStmt: ResultSetAddStmt;
  ReturnLocalStmt: ReturnLocalStmt;
  ScanStmt: ScanStmt;
  SetAddStmt: SetAddStmt;
  WithStmt: WithStmt;
}

export type StmtType = keyof StmtPayloads;

/** A statement as serialised: `{type: "<Kind>Stmt", stmt: {...}}`. */
export type Stmt = { [K in StmtType]: { type: K; stmt: StmtPayloads[K] } }[StmtType];

// ---- Plans, functions, static data ----------------------------------------

export interface Plan {
  name: string;
  blocks: Block[];
}

export interface Func {
  /** e.g. `g0.data.generated.p`. */
  name: string;
  /** Parameter locals; by convention 0 = input, 1 = data, then the function's arguments. */
  params: Local[];
  /** The local holding the return value (undefined if never assigned). */
  return: Local;
  blocks: Block[];
  /** The rule's path, e.g. `["g0", "generated", "p"]`. */
  path?: string[];
}

// ---- Builtin declarations (OPA's types package, JSON form) ----------------

export type TypeDecl =
  | { type: 'any'; of?: TypeDecl | TypeDecl[]; name?: string; description?: string }
  | { type: 'null'; name?: string; description?: string }
  | { type: 'boolean'; name?: string; description?: string }
  | { type: 'number'; name?: string; description?: string }
  | { type: 'string'; name?: string; description?: string }
  | { type: 'array'; static?: TypeDecl[]; dynamic?: TypeDecl; name?: string; description?: string }
  | {
      type: 'object';
      static?: { key: unknown; value: TypeDecl }[];
      dynamic?: { key: TypeDecl; value: TypeDecl };
      name?: string;
      description?: string;
    }
  | { type: 'set'; of?: TypeDecl; name?: string; description?: string }
  | FunctionDecl;

export interface FunctionDecl {
  type: 'function';
  args?: TypeDecl[];
  result?: TypeDecl;
  variadic?: TypeDecl;
  name?: string;
  description?: string;
}

export interface BuiltinFunc {
  name: string;
  decl: FunctionDecl;
}

export interface StringConst {
  value: string;
}

export interface Static {
  strings: StringConst[];
  /** Absent when the plan calls no builtin. */
  builtin_funcs?: BuiltinFunc[];
  files: StringConst[];
}

export interface Policy {
  static: Static;
  plans: { plans: Plan[] };
  /** `funcs.funcs` is null when the plan has no functions. */
  funcs?: { funcs: Func[] | null };
}

/** Shallow structural check of a parsed IR document; returns a list of problems (empty when it looks valid). */
export function validatePolicy(p: unknown): string[] {
  const problems: string[] = [];
  if (typeof p !== 'object' || p === null) return ['policy is not an object'];
  const o = p as Record<string, unknown>;
  const st = o['static'] as Record<string, unknown> | undefined;
  if (typeof st !== 'object' || st === null) problems.push('missing static');
  else if (!Array.isArray(st['strings'])) problems.push('static.strings is not an array');
  const plans = o['plans'] as Record<string, unknown> | undefined;
  if (typeof plans !== 'object' || plans === null || !Array.isArray(plans['plans'])) problems.push('plans.plans is not an array');
  const funcs = o['funcs'] as Record<string, unknown> | undefined;
  if (funcs !== undefined && funcs !== null && funcs['funcs'] !== null && !Array.isArray(funcs['funcs'])) problems.push('funcs.funcs is not an array');
  return problems;
}

/** Every statement kind the backend understands. */
export const STMT_TYPES: readonly StmtType[] = [
  'ArrayAppendStmt', 'AssignIntStmt', 'AssignVarOnceStmt', 'AssignVarStmt', 'BlockStmt', 'BreakStmt',
  'CallDynamicStmt', 'CallStmt', 'DotStmt', 'EqualStmt', 'IsArrayStmt', 'IsDefinedStmt', 'IsObjectStmt',
  'IsSetStmt', 'IsUndefinedStmt', 'LenStmt', 'MakeArrayStmt', 'MakeNullStmt', 'MakeNumberIntStmt',
  'MakeNumberRefStmt', 'MakeObjectStmt', 'MakeSetStmt', 'NopStmt', 'NotEqualStmt', 'NotStmt',
  'ObjectInsertOnceStmt', 'ObjectInsertStmt', 'ObjectMergeStmt', 'ResetLocalStmt', 'ResultSetAddStmt',
  'ReturnLocalStmt', 'ScanStmt', 'SetAddStmt', 'WithStmt',
];
