// Leftmost-first matching with capture groups (a Pike VM): still linear in the
// input, one thread per program state, threads ordered by priority like Go's
// regexp so submatches agree with RE2.
import { malloc, calloc } from "./mem";
import { utf8Decode } from "./builtins/common";
import { I_JMP, I_SPLIT, I_SAVE, I_ASSERT, I_MATCH, assertHolds, accepts } from "./regex";

const RL: usize = memory.data(4);

let code: usize = 0;
let nslots: u32 = 0;
let mark: usize = 0;
let gen: u32 = 0;
// Thread lists: pairs (pc u32, caps ptr u32).
let listA: usize = 0;
let listB: usize = 0;
let nA: u32 = 0;
let nB: u32 = 0;

function newCaps(from: usize): usize {
  const c = malloc(<usize>nslots * 4);
  if (from != 0) memory.copy(c, from, <usize>nslots * 4);
  else memory.fill(c, 0xff, <usize>nslots * 4);
  return c;
}

/** Adds pc (and its epsilon closure) to list B in priority order. */
function add(pc: u32, caps: usize, pos: i32, prev: i32, here: i32): void {
  if (load<u32>(mark + <usize>pc * 4) == gen) return;
  store<u32>(mark + <usize>pc * 4, gen);
  const ins = code + <usize>pc * 16;
  const op = load<u32>(ins);
  if (op == I_JMP) { add(load<u32>(ins, 4), caps, pos, prev, here); return; }
  if (op == I_SPLIT) { add(load<u32>(ins, 4), caps, pos, prev, here); add(load<u32>(ins, 8), caps, pos, prev, here); return; }
  if (op == I_SAVE) {
    const slot = load<u32>(ins, 4);
    if (slot < nslots) { const c = newCaps(caps); store<i32>(c + <usize>slot * 4, pos); add(pc + 1, c, pos, prev, here); }
    else add(pc + 1, caps, pos, prev, here);
    return;
  }
  if (op == I_ASSERT) { if (assertHolds(load<i32>(ins, 4), prev, here)) add(pc + 1, caps, pos, prev, here); return; }
  store<u32>(listB + <usize>nB * 8, pc);
  store<u32>(listB + <usize>nB * 8, <u32>caps, 4);
  nB++;
}

function runeBefore(p: usize, start: u32): i32 {
  if (start == 0) return -1;
  let b = start - 1;
  while (b > 0 && (load<u8>(p + b) & 0xc0) == 0x80) b--;
  return <i32>utf8Decode(p + b, p + start, RL);
}

/**
 * Finds the leftmost-first match at or after byte `start`. On success writes
 * 2 × (groups + 1) byte offsets (-1 when a group did not take part) to `out`.
 */
export function re_exec(program: usize, p: usize, n: u32, start: u32, out: usize): bool {
  const len = load<u32>(program);
  code = load<u32>(program, 4);
  nslots = (load<u32>(program, 8) + 1) * 2;
  mark = calloc(<usize>len * 4);
  listA = malloc(<usize>len * 8 + 8);
  listB = malloc(<usize>len * 8 + 8);
  nA = 0;
  gen = 1;
  let matched: usize = 0;
  let prev = runeBefore(p, start);
  let i = start;
  const end = p + n;
  while (true) {
    const here: i32 = i < n ? <i32>utf8Decode(p + i, end, RL) : -1;
    const w: u32 = i < n ? load<u32>(RL) : 0;
    // Re-close the surviving threads at this position, then (until a match is
    // known) start a new, lowest-priority attempt here.
    gen++;
    nB = 0;
    for (let k: u32 = 0; k < nA; k++) add(load<u32>(listA + <usize>k * 8), load<u32>(listA + <usize>k * 8, 4), <i32>i, prev, here);
    if (matched == 0) add(0, 0, <i32>i, prev, here);
    // Swap: the closed list becomes current.
    let t = listA; listA = listB; listB = t;
    nA = nB;
    nB = 0;
    if (nA == 0 && matched != 0) break;
    if (nA == 0 && i >= n) break;
    // Step over one rune in priority order; a MATCH cuts lower-priority threads.
    let keep: u32 = 0;
    for (let k: u32 = 0; k < nA; k++) {
      const pc = load<u32>(listA + <usize>k * 8);
      const caps = <usize>load<u32>(listA + <usize>k * 8, 4);
      const op = load<u32>(code + <usize>pc * 16);
      if (op == I_MATCH) { matched = caps; break; }
      if (here >= 0 && accepts(code, pc, here)) {
        store<u32>(listB + <usize>keep * 8, pc + 1);
        store<u32>(listB + <usize>keep * 8, <u32>caps, 4);
        keep++;
      }
    }
    t = listA; listA = listB; listB = t;
    nA = keep;
    if (here < 0) break;
    if (nA == 0 && matched != 0) break;
    prev = here;
    i += w;
  }
  if (matched == 0) return false;
  memory.copy(out, matched, <usize>nslots * 4);
  return true;
}
