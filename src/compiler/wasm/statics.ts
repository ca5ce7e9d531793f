/**
 * Per-policy constants placed after the runtime's static data, and the extra
 * function types the generated functions need.
 */
import { ByteWriter } from './binary.ts';
import type { Statics } from './codegen.ts';

/** The policy's data segment: string table, interned values, messages, constant paths. */
export class DataBuilder implements Statics {
  readonly w = new ByteWriter(4096);
  strAddr: number[] = [];
  strValue: number[] = [];
  trueValue = 0;
  falseValue = 0;
  private readonly messages = new Map<string, number>();
  private readonly extraStrings = new Map<string, number>();
  private readonly paths = new Map<string, number>();
  private readonly enc = new TextEncoder();

  constructor(readonly base: number, strings: string[]) {
    for (const s of strings) this.strAddr.push(this.cstr(s));
    for (let i = 0; i < strings.length; i++) this.strValue.push(this.stringValueAt(this.strAddr[i]!, this.byteLen(strings[i]!)));
    this.align(8);
    this.trueValue = this.addr();
    this.bytes([2, 1, 0, 0, 0, 0, 0, 0]);
    this.falseValue = this.addr();
    this.bytes([2, 0, 0, 0, 0, 0, 0, 0]);
  }

  private byteLen(s: string): number {
    return this.enc.encode(s).length;
  }
  addr(): number {
    return this.base + this.w.length;
  }
  align(n: number): void {
    while ((this.base + this.w.length) % n !== 0) this.w.byte(0);
  }
  bytes(b: number[]): void {
    for (const x of b) this.w.byte(x);
  }
  u32(v: number): void {
    this.w.byte(v & 0xff);
    this.w.byte((v >>> 8) & 0xff);
    this.w.byte((v >>> 16) & 0xff);
    this.w.byte((v >>> 24) & 0xff);
  }
  /** NUL-terminated UTF-8 text; returns its address. */
  cstr(s: string): number {
    const a = this.addr();
    this.w.bytes(this.enc.encode(s));
    this.w.byte(0);
    return a;
  }
  /** Raw text (no NUL); returns [address, length]. */
  text(s: string): [number, number] {
    const a = this.addr();
    const b = this.enc.encode(s);
    this.w.bytes(b);
    return [a, b.length];
  }
  private stringValueAt(ptr: number, len: number): number {
    this.align(8);
    const a = this.addr();
    this.u32(4);
    this.u32(len);
    this.u32(ptr);
    this.u32(0);
    return a;
  }
  message(text: string): number {
    let a = this.messages.get(text);
    if (a === undefined) {
      a = this.cstr(text);
      this.messages.set(text, a);
    }
    return a;
  }
  stringValue(text: string): number {
    let a = this.extraStrings.get(text);
    if (a === undefined) {
      const p = this.cstr(text);
      a = this.stringValueAt(p, this.byteLen(text));
      this.extraStrings.set(text, a);
    }
    return a;
  }
  stringPath(indexes: number[]): number {
    const key = indexes.join(',');
    let a = this.paths.get(key);
    if (a === undefined) {
      this.align(8);
      const elems = this.addr();
      for (const i of indexes) this.u32(this.strValue[i]!);
      this.align(8);
      a = this.addr();
      this.u32(5);
      this.u32(indexes.length);
      this.u32(indexes.length);
      this.u32(elems);
      this.paths.set(key, a);
    }
    return a;
  }
}

/** Function types appended to the runtime's type section (deduplicated). */
export class Types {
  private readonly map = new Map<string, number>();
  readonly w = new ByteWriter(64);
  count = 0;
  constructor(private readonly base: number) {}
  get(params: number, result: boolean): number {
    const key = `${params}:${result}`;
    let i = this.map.get(key);
    if (i === undefined) {
      this.w.byte(0x60);
      this.w.u32(params);
      for (let k = 0; k < params; k++) this.w.byte(0x7f);
      this.w.u32(result ? 1 : 0);
      if (result) this.w.byte(0x7f);
      i = this.base + this.count++;
      this.map.set(key, i);
    }
    return i;
  }
}
