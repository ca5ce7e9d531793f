// Bump allocator over the host-provided memory. The SDK resets the heap pointer
// between evaluations (opa_heap_ptr_set), so nothing is ever freed individually.

// @ts-ignore: decorator
@external("env", "opa_abort")
export declare function opa_abort(addr: usize): void;

// @ts-ignore: decorator
@external("env", "opa_println")
export declare function opa_println(addr: usize): void;

/** Start of the heap; the backend patches this global's initialiser past its own data. */
export let heap_base: usize = (__heap_base + 15) & ~15;
export let heap_ptr: usize = 0;

// @ts-ignore: decorator
@inline
export function ensureInit(): void {
  if (heap_ptr == 0) heap_ptr = heap_base;
}

function grow(end: usize): void {
  const have = (<usize>memory.size()) << 16;
  if (end > have) {
    const need = <i32>((end - have + 0xffff) >>> 16);
    const cur = memory.size();
    const want = need > cur ? need : cur;
    if (memory.grow(want) < 0) {
      if (memory.grow(need) < 0) unreachable();
    }
  }
}

// ---- the arena: memory evaluations never reset -------------------------------
// The backend reserves a region between its data and heap_base. The SDK resets
// the heap before every evaluation, but never touches memory below heap_base,
// so what is allocated in the arena (compiled constant regex/glob patterns)
// lives as long as the instance. While `arenaBegin` is in force, allocations go
// to the arena; one that does not fit abandons it and falls back to the heap.
let arena_ptr: usize = 0;
let arena_end: usize = 0;
let alloc_limit: usize = <usize>-1;
let saved_heap: usize = 0;
let in_arena = false;

/** Called by the module's start function with the reserved region [start, end). */
export function opa_arena_init(start: usize, end: usize): void { arena_ptr = start; arena_end = end; }

/** Directs allocations to the arena; false (and no change) when it is disabled or full. */
export function arenaBegin(): bool {
  if (in_arena || arena_ptr == 0 || arena_ptr >= arena_end) return false;
  if (heap_ptr == 0) heap_ptr = heap_base;
  saved_heap = heap_ptr;
  heap_ptr = arena_ptr;
  alloc_limit = arena_end;
  in_arena = true;
  return true;
}

/**
 * Ends arena allocation. With `keep` the allocations stay for good; without,
 * the arena space is given back. False when they did not fit (they were
 * finished on the heap: valid for this evaluation only).
 */
export function arenaEnd(keep: bool): bool {
  if (!in_arena) return false;
  in_arena = false;
  alloc_limit = <usize>-1;
  if (keep) arena_ptr = heap_ptr;
  heap_ptr = saved_heap;
  return true;
}

/** A new evaluation (or data load) starts: an arena section cut short by a trap is abandoned. */
export function arenaReset(): void {
  if (!in_arena) return;
  in_arena = false;
  alloc_limit = <usize>-1;
  arena_ptr = arena_end;
}

function arenaOverflow(): void {
  // Keep what was allocated (it may be in use), move on to the heap, use the arena no more.
  in_arena = false;
  alloc_limit = <usize>-1;
  arena_ptr = arena_end;
  heap_ptr = saved_heap;
}

export function malloc(size: usize): usize {
  if (heap_ptr == 0) heap_ptr = heap_base;
  let p = heap_ptr;
  let end = (p + size + 7) & ~7;
  if (end > alloc_limit) {
    arenaOverflow();
    p = heap_ptr;
    end = (p + size + 7) & ~7;
  }
  if (end > ((<usize>memory.size()) << 16)) grow(end);
  heap_ptr = end;
  return p;
}

/** Zeroed allocation. */
export function calloc(size: usize): usize {
  const p = malloc(size);
  memory.fill(p, 0, size);
  return p;
}

/** Grow a buffer: returns a new buffer with the old contents (in place when it is the last allocation). */
export function realloc(p: usize, oldSize: usize, newSize: usize): usize {
  if (p != 0 && ((p + oldSize + 7) & ~7) == heap_ptr && ((p + newSize + 7) & ~7) <= alloc_limit) {
    const end = (p + newSize + 7) & ~7;
    if (end > ((<usize>memory.size()) << 16)) grow(end);
    heap_ptr = end;
    return p;
  }
  const q = malloc(newSize);
  if (oldSize > 0) memory.copy(q, p, oldSize);
  return q;
}

function putUtf16(buf: usize, o: usize, msg: string): usize {
  const n = msg.length;
  for (let i = 0; i < n; i++) {
    const c = msg.charCodeAt(i);
    if (c < 0x80) { store<u8>(buf + o, <u8>c); o++; }
    else if (c < 0x800) { store<u8>(buf + o, <u8>(0xc0 | (c >> 6))); store<u8>(buf + o + 1, <u8>(0x80 | (c & 0x3f))); o += 2; }
    else { store<u8>(buf + o, <u8>(0xe0 | (c >> 12))); store<u8>(buf + o + 1, <u8>(0x80 | ((c >> 6) & 0x3f))); store<u8>(buf + o + 2, <u8>(0x80 | (c & 0x3f))); o += 3; }
  }
  return o;
}

/** Abort evaluation with `prefix` + `msg` (AssemblyScript string literals). */
export function abortStr2(prefix: string, msg: string): void {
  const buf = malloc(<usize>(prefix.length + msg.length) * 3 + 1);
  let o = putUtf16(buf, 0, prefix);
  o = putUtf16(buf, o, msg);
  store<u8>(buf + o, 0);
  opa_abort(buf);
  unreachable();
}

/** Abort evaluation with a message given as an AssemblyScript string literal. */
export function abortStr(msg: string): void { abortStr2("", msg); }

/** Used as AssemblyScript's `abort` so no `env.abort` import is needed. */
export function asAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  abortStr(message !== null ? message : "runtime error");
}
