/**
 * The low-level Wasm function emitter: opcodes, locals, structured control,
 * operand reads and the final code-section entry. codegen.ts builds on it.
 */
import type { Operand, Policy } from '../ir/types.ts';
import { ByteWriter } from './binary.ts';

export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10,
  drop: 0x1a, localGet: 0x20, localSet: 0x21, localTee: 0x22, globalSet: 0x24, i32Load: 0x28, i32Store: 0x36,
  i32Const: 0x41, i64Const: 0x42, i32Eqz: 0x45, i32Ne: 0x47, i64ExtendI32S: 0xac,
} as const;
export const VOID = 0x40;

/** Addresses of constants placed in the module's data segment. */
export interface Statics {
  /** NUL-terminated bytes of static string i. */
  strAddr: number[];
  /** Interned string value for static string i. */
  strValue: number[];
  trueValue: number;
  falseValue: number;
  /** Returns the address of a NUL-terminated message (interned). */
  message(text: string): number;
  /** Returns the address of an interned string value for any text. */
  stringValue(text: string): number;
  /** Returns the address of a static array value of the given string indexes. */
  stringPath(indexes: number[]): number;
}

/** How the emitter reaches the runtime and the other generated functions. */
export interface Linker {
  rt(name: string): number;
  abortFunc: number;
  funcIndex: Map<string, number>;
  /** Per IR func name: its memo slot (only rules with exactly input+data parameters). */
  memoSlot: Map<string, number>;
  /** Native builtin: runtime function index, or undefined. */
  native(name: string): number | undefined;
  /** External builtin id and flags (bit 0: result is a set). */
  external(name: string): { id: number; flags: number } | undefined;
  fileName(index: number): string;
  /** Functions reachable through CallDynamicStmt: path → func name. */
  funcsByPath: Map<string, string>;
}

export class Emitter {
  readonly w = new ByteWriter(1024);
  private readonly locals = new Map<number, number>();
  private next: number;

  constructor(
    protected readonly policy: Policy,
    protected readonly s: Statics,
    protected readonly link: Linker,
    params: number[],
    protected readonly resultSet: number | undefined,
  ) {
    params.forEach((p, i) => this.locals.set(p, i));
    this.next = params.length;
  }

  get localCount(): number {
    return this.next;
  }

  local(l: number): number {
    let i = this.locals.get(l);
    if (i === undefined) {
      i = this.next++;
      this.locals.set(l, i);
    }
    return i;
  }

  temp(): number {
    return this.next++;
  }

  op(o: number): void {
    this.w.byte(o);
  }
  get(i: number): void {
    this.w.byte(OP.localGet);
    this.w.u32(i);
  }
  set(i: number): void {
    this.w.byte(OP.localSet);
    this.w.u32(i);
  }
  tee(i: number): void {
    this.w.byte(OP.localTee);
    this.w.u32(i);
  }
  const32(v: number): void {
    this.w.byte(OP.i32Const);
    this.w.i32(v);
  }
  call(f: number): void {
    this.w.byte(OP.call);
    this.w.u32(f);
  }
  rt(name: string): void {
    this.call(this.link.rt(name));
  }
  br(depth: number): void {
    this.w.byte(OP.br);
    this.w.u32(depth);
  }
  brIf(depth: number): void {
    this.w.byte(OP.brIf);
    this.w.u32(depth);
  }
  open(kind: number = OP.block): void {
    this.w.byte(kind);
    this.w.byte(VOID);
  }
  close(): void {
    this.w.byte(OP.end);
  }

  read(o: Operand): void {
    if (o.type === 'local') this.get(this.local(o.value));
    else if (o.type === 'bool') this.const32(o.value ? this.s.trueValue : this.s.falseValue);
    else this.const32(this.s.strValue[o.value]!);
  }


  /** Emits a function body: locals declaration, code, end. */
  finish(tail: () => void): Uint8Array {
    tail();
    this.op(OP.end);
    const body = this.w.finish();
    const extra = this.next - this.paramCount;
    const out = new ByteWriter(body.length + 16);
    const head = new ByteWriter(16);
    if (extra > 0) {
      head.u32(1);
      head.u32(extra);
      head.byte(0x7f);
    } else head.u32(0);
    const h = head.finish();
    out.u32(h.length + body.length);
    out.bytes(h);
    out.bytes(body);
    return out.finish();
  }

  /** Number of Wasm parameters (the first locals). */
  paramCount = 0;
}
