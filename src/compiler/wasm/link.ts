/**
 * Splices generated code into the pre-built runtime module section by section,
 * leaving the runtime's own code bytes untouched.
 */
import { appendVector, ByteReader, ByteWriter, type Section, writeModule } from './binary.ts';
import { OP } from './codegen.ts';
import type { RuntimeInfo } from './runtime.ts';
import type { DataBuilder, Types } from './statics.ts';

/** Appends our types, functions, exports, start function and data segment to the runtime module. */
export function linkModule(
  rt: RuntimeInfo,
  types: Types,
  funcTypes: number[],
  bodies: Uint8Array[],
  data: DataBuilder,
  startIdx: number,
  exports: [string, number][],
): Uint8Array {
  const fnSec = new ByteWriter(funcTypes.length * 2);
  for (const t of funcTypes) fnSec.u32(t);
  let codeLen = 0;
  for (const b of bodies) codeLen += b.length;
  const code = new ByteWriter(codeLen + 8);
  for (const b of bodies) code.bytes(b);
  const exp = new ByteWriter(128);
  for (const [name, idx] of exports) {
    exp.name(name);
    exp.byte(0);
    exp.u32(idx);
  }
  const seg = new ByteWriter(data.w.length + 16);
  seg.byte(0);
  seg.byte(OP.i32Const);
  seg.i32(data.base);
  seg.byte(OP.end);
  seg.u32(data.w.length);
  seg.bytes(data.w.finish());
  const start = new ByteWriter(5);
  start.u32(startIdx);

  const out: Section[] = [];
  let hasData = false;
  let startDone = false;
  const pushStart = (): void => {
    if (!startDone) out.push({ id: 8, payload: start.finish() });
    startDone = true;
  };
  for (const s of rt.sections) {
    // The start section sits between export (7) and element (9)/datacount (12)/code (10).
    if (!startDone && s.id !== 0 && s.id > 8) pushStart();
    switch (s.id) {
      case 1:
        out.push({ id: 1, payload: appendVector(s.payload, types.count, types.w.finish()) });
        break;
      case 3:
        out.push({ id: 3, payload: appendVector(s.payload, funcTypes.length, fnSec.finish()) });
        break;
      case 7:
        out.push({ id: 7, payload: appendVector(s.payload, exports.length, exp.finish()) });
        break;
      case 8:
        pushStart();
        break;
      case 10:
        out.push({ id: 10, payload: appendVector(s.payload, bodies.length, code.finish()) });
        break;
      case 11:
        hasData = true;
        out.push({ id: 11, payload: appendVector(s.payload, 1, seg.finish()) });
        break;
      case 12: {
        const n = new ByteReader(s.payload).u32();
        const w = new ByteWriter(5);
        w.u32(n + 1);
        out.push({ id: 12, payload: w.finish() });
        break;
      }
      default:
        out.push(s);
    }
  }
  if (!hasData) {
    // Data must follow code; insert before trailing custom sections.
    const i = out.findIndex((s) => s.id === 10);
    out.splice(i + 1, 0, { id: 11, payload: appendVector(undefined, 1, seg.finish()) });
  }
  return writeModule(out);
}
