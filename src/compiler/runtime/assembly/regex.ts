// A linear-time regular expression engine for RE2 syntax (the subset Rego
// policies use): parse to a tree, compile to an instruction program, and run
// a Thompson NFA simulation (each input rune is visited once per program state,
// so patterns like (a*)*b cannot backtrack catastrophically).
import { malloc, calloc } from "./mem";
import { utf8Decode } from "./builtins/common";
import {
  A_BOL, A_EOL, A_BOT, A_EOT, A_WORD, A_NWORD, N_LIT, N_ANY, N_CLASS, N_CAT, N_ALT, N_REP, N_CAP, N_EMPTY, N_ASSERT,
  classHas, otherCase, re_parse, re_group_count,
} from "./regex_syntax";

// ---- instructions (16 bytes: op u32, x i32, y i32, z u32) ------------------
export const I_CHAR: u32 = 1;   // x = rune, y = fold
export const I_ANY: u32 = 2;    // x = 1 when it also matches \n
export const I_CLASS: u32 = 3;  // z = class ptr
export const I_SPLIT: u32 = 4;  // x preferred, y
export const I_JMP: u32 = 5;    // x
export const I_MATCH: u32 = 6;
export const I_ASSERT: u32 = 7; // x = kind
export const I_SAVE: u32 = 8;   // x = slot (ignored by the boolean matcher)


// ---- compiler ---------------------------------------------------------------
let prog: usize = 0;
let plen: u32 = 0;
let pcap: u32 = 0;
let ptooBig = false;

function emit(op: u32, x: i32, y: i32, z: u32): u32 {
  if (plen == pcap) {
    const ncap = pcap * 2;
    const np = malloc(<usize>ncap * 16);
    memory.copy(np, prog, <usize>plen * 16);
    prog = np;
    pcap = ncap;
  }
  if (plen > 20000) { ptooBig = true; return plen; }
  const i = prog + <usize>plen * 16;
  store<u32>(i, op); store<i32>(i, x, 4); store<i32>(i, y, 8); store<u32>(i, z, 12);
  return plen++;
}
function patch(pc: u32, field: i32, v: i32): void { store<i32>(prog + <usize>pc * 16 + <usize>field, v); }

function compileNode(n: usize): void {
  if (ptooBig) return;
  const k = load<u8>(n);
  switch (k) {
    case N_EMPTY: return;
    case N_LIT: emit(I_CHAR, <i32>load<u32>(n, 20), load<u8>(n, 1), 0); return;
    case N_ANY: emit(I_ANY, load<u8>(n, 1), 0, 0); return;
    case N_CLASS: emit(I_CLASS, load<u8>(n, 1), 0, load<u32>(n, 4)); return;
    case N_ASSERT: emit(I_ASSERT, load<i32>(n, 20), 0, 0); return;
    case N_CAT: compileNode(load<u32>(n, 4)); compileNode(load<u32>(n, 8)); return;
    case N_CAP: {
      const idx = load<i32>(n, 20);
      emit(I_SAVE, idx * 2, 0, 0);
      compileNode(load<u32>(n, 4));
      emit(I_SAVE, idx * 2 + 1, 0, 0);
      return;
    }
    case N_ALT: {
      const split = emit(I_SPLIT, 0, 0, 0);
      patch(split, 4, <i32>plen);
      compileNode(load<u32>(n, 4));
      const jmp = emit(I_JMP, 0, 0, 0);
      patch(split, 8, <i32>plen);
      compileNode(load<u32>(n, 8));
      patch(jmp, 4, <i32>plen);
      return;
    }
    case N_REP: {
      const sub = <usize>load<u32>(n, 4);
      const greedy = load<u8>(n, 1) != 0;
      const min = load<i32>(n, 12), max = load<i32>(n, 16);
      for (let i = 0; i < min; i++) compileNode(sub);
      if (max < 0) {
        const split = emit(I_SPLIT, 0, 0, 0);
        const body = plen;
        compileNode(sub);
        emit(I_JMP, <i32>split, 0, 0);
        if (greedy) { patch(split, 4, <i32>body); patch(split, 8, <i32>plen); }
        else { patch(split, 4, <i32>plen); patch(split, 8, <i32>body); }
        return;
      }
      const splits = malloc(<usize>(max - min + 1) * 4);
      let ns = 0;
      for (let i = min; i < max; i++) {
        const split = emit(I_SPLIT, 0, 0, 0);
        store<u32>(splits + <usize>ns * 4, split); ns++;
        const body = plen;
        compileNode(sub);
        if (greedy) patch(split, 4, <i32>body); else patch(split, 8, <i32>body);
      }
      for (let i = 0; i < ns; i++) {
        const s = load<u32>(splits + <usize>i * 4);
        if (greedy) patch(s, 8, <i32>plen); else patch(s, 4, <i32>plen);
      }
      return;
    }
  }
}

/** Compiles a pattern; returns the program (or 0 if invalid). Program: @0 length, @4 instructions ptr, @8 group count. */
export function re_compile(p: usize, n: u32): usize {
  const tree = re_parse(p, n);
  if (tree == 0) return 0;
  pcap = 64; plen = 0; ptooBig = false;
  prog = malloc(<usize>pcap * 16);
  emit(I_SAVE, 0, 0, 0);
  compileNode(tree);
  emit(I_SAVE, 1, 0, 0);
  emit(I_MATCH, 0, 0, 0);
  if (ptooBig) return 0;
  const r = malloc(12);
  store<u32>(r, plen);
  store<u32>(r, <u32>prog, 4);
  store<u32>(r, <u32>re_group_count(), 8);
  return r;
}

// ---- matcher ----------------------------------------------------------------
const RL: usize = memory.data(4);
// Sparse sets of program counters for the current and next step.
let cur: usize = 0;  // dense list (u32 pcs), @-4 count kept in curN
let curN: u32 = 0;
let nxt: usize = 0;
let nxtN: u32 = 0;
let mark: usize = 0; // per-pc generation stamps
let gen: u32 = 0;
let code: usize = 0;
let matched = false;
let stack: usize = 0;

function isWordRune(r: i32): bool { return r >= 0 && ((r >= 48 && r <= 57) || (r >= 65 && r <= 90) || (r >= 97 && r <= 122) || r == 95); }

export function assertHolds(kind: i32, prev: i32, here: i32): bool {
  switch (kind) {
    case A_BOT: return prev < 0;
    case A_EOT: return here < 0;
    case A_BOL: return prev < 0 || prev == 10;
    case A_EOL: return here < 0 || here == 10;
    case A_WORD: return isWordRune(prev) != isWordRune(here);
    case A_NWORD: return isWordRune(prev) == isWordRune(here);
  }
  return false;
}

/** Adds pc and its epsilon closure to the next list (iterative, stamped so each pc is added once per step). */
function addThread(pc0: u32, prev: i32, here: i32): void {
  let sp: u32 = 0;
  store<u32>(stack, pc0); sp = 1;
  while (sp > 0) {
    sp--;
    const pc = load<u32>(stack + <usize>sp * 4);
    if (load<u32>(mark + <usize>pc * 4) == gen) continue;
    store<u32>(mark + <usize>pc * 4, gen);
    const ins = code + <usize>pc * 16;
    const op = load<u32>(ins);
    if (op == I_JMP) { store<u32>(stack + <usize>sp * 4, load<u32>(ins, 4)); sp++; }
    else if (op == I_SPLIT) {
      // push y first so x (preferred) is explored first
      store<u32>(stack + <usize>sp * 4, load<u32>(ins, 8)); sp++;
      store<u32>(stack + <usize>sp * 4, load<u32>(ins, 4)); sp++;
    } else if (op == I_SAVE) { store<u32>(stack + <usize>sp * 4, pc + 1); sp++; }
    else if (op == I_ASSERT) { if (assertHolds(load<i32>(ins, 4), prev, here)) { store<u32>(stack + <usize>sp * 4, pc + 1); sp++; } }
    else if (op == I_MATCH) matched = true;
    else { store<u32>(nxt + <usize>nxtN * 4, pc); nxtN++; }
  }
}

/** Whether the consuming instruction at `pc` of program code `c` accepts rune r. */
export function accepts(c: usize, pc: u32, r: i32): bool {
  const ins = c + <usize>pc * 16;
  const op = load<u32>(ins);
  if (op == I_CHAR) {
    const c = load<i32>(ins, 4);
    if (c == r) return true;
    return load<i32>(ins, 8) != 0 && <i32>otherCase(<u32>r) == c;
  }
  if (op == I_ANY) return load<i32>(ins, 4) != 0 || r != 10;
  if (op == I_CLASS) return classHas(load<u32>(ins, 12), <u32>r, load<i32>(ins, 4) != 0);
  return false;
}

/** Whether the program matches anywhere in the text (RE2 search semantics). */
export function re_match(program: usize, p: usize, n: u32): bool {
  const len = load<u32>(program);
  code = load<u32>(program, 4);
  cur = malloc(<usize>len * 4);
  nxt = malloc(<usize>len * 4);
  mark = calloc(<usize>len * 4);
  stack = malloc(<usize>len * 8 + 8);
  gen = 1;
  matched = false;
  curN = 0;
  let prev: i32 = -1;
  let i: u32 = 0;
  const end = p + n;
  while (true) {
    const here: i32 = i < n ? <i32>utf8Decode(p + i, end, RL) : -1;
    const w = i < n ? load<u32>(RL) : 0;
    // Move to the next step's list: current threads were added with the previous stamp.
    nxtN = 0;
    gen++;
    // Threads carried over from the last rune must be re-closed at this position.
    for (let k: u32 = 0; k < curN; k++) {
      const pc = load<u32>(cur + <usize>k * 4);
      addThread(pc, prev, here);
      if (matched) return true;
    }
    // A new attempt starts at every position (unanchored search).
    addThread(0, prev, here);
    if (matched) return true;
    if (here < 0) return false;
    // Consume one rune.
    curN = 0;
    for (let k: u32 = 0; k < nxtN; k++) {
      const pc = load<u32>(nxt + <usize>k * 4);
      if (accepts(code, pc, here)) { store<u32>(cur + <usize>curN * 4, pc + 1); curN++; }
    }
    // de-duplicate happens in addThread via stamps on the next round
    prev = here;
    i += w;
  }
  return false;
}
