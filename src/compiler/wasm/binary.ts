/**
 * Just enough of the WebAssembly binary format to append functions, exports and
 * a data segment to a pre-built module without re-encoding its code.
 */

/** A growable byte buffer with LEB128 writers. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.length++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  u32(v: number): void {
    this.ensure(5);
    v >>>= 0;
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.buf[this.length++] = b;
    } while (v !== 0);
  }

  i32(v: number): void {
    this.ensure(5);
    v |= 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  i64(value: number | bigint): void {
    let v = BigInt(value);
    this.ensure(10);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.buf[this.length++] = b;
        return;
      }
      this.buf[this.length++] = b | 0x80;
    }
  }

  name(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u32(b.length);
    this.bytes(b);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** A cursor over bytes with LEB128 readers. */
export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }

  byte(): number {
    return this.buf[this.pos++]!;
  }

  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

export interface Section {
  id: number;
  /** Payload without the id and size prefix. */
  payload: Uint8Array;
}

/** Splits a module into its sections (the 8-byte header is checked and dropped). */
export function readSections(bin: Uint8Array): Section[] {
  if (bin[0] !== 0 || bin[1] !== 0x61 || bin[2] !== 0x73 || bin[3] !== 0x6d) throw new Error('not a wasm module');
  const r = new ByteReader(bin);
  r.pos = 8;
  const out: Section[] = [];
  while (r.pos < bin.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, payload: bin.subarray(r.pos, r.pos + size) });
    r.pos += size;
  }
  return out;
}

/** Splits a vector section payload into its count and the bytes of its entries. */
export function splitVector(payload: Uint8Array): { count: number; entries: Uint8Array } {
  const r = new ByteReader(payload);
  const count = r.u32();
  return { count, entries: payload.subarray(r.pos) };
}

/** Re-encodes a vector section with extra entries appended. */
export function appendVector(payload: Uint8Array | undefined, extraCount: number, extra: Uint8Array): Uint8Array {
  const old = payload ? splitVector(payload) : { count: 0, entries: new Uint8Array(0) };
  const w = new ByteWriter(old.entries.length + extra.length + 8);
  w.u32(old.count + extraCount);
  w.bytes(old.entries);
  w.bytes(extra);
  return w.finish();
}

export function writeModule(sections: Section[]): Uint8Array {
  let total = 8;
  for (const s of sections) total += 1 + 5 + s.payload.length;
  const w = new ByteWriter(total);
  w.bytes(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  for (const s of sections) {
    w.byte(s.id);
    w.u32(s.payload.length);
    w.bytes(s.payload);
  }
  return w.finish();
}
