/**
 * The pre-built OPA runtime (AssemblyScript, build/opa-runtime.wasm): rebuilt
 * on demand when missing or stale, parsed once, and described for the emitter.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ByteReader, readSections, type Section } from './binary.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const buildScript = join(root, 'scripts/build-runtime.mjs');
export const runtimeWasmPath = join(root, 'build/opa-runtime.wasm');

export interface RuntimeInfo {
  bytes: Uint8Array;
  sections: Section[];
  /** Function index by export name (runtime functions the emitter calls). */
  funcs: Map<string, number>;
  /** Function index by import name (env.opa_abort, …). */
  imports: Map<string, number>;
  importedFuncCount: number;
  definedFuncCount: number;
  typeCount: number;
  /** Index of the mutable global holding the heap start. */
  heapBaseGlobal: number;
  /** Runtime's own start function (global initialisers), if any. */
  startFunc: number | undefined;
  /** First free address after the runtime's static data. */
  heapBase: number;
  dataSegmentCount: number;
}

let cached: RuntimeInfo | undefined;

function newestSource(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Same rule as scripts/build-runtime.mjs: older than any runtime source or the build script. */
function isStale(): boolean {
  try {
    const built = statSync(runtimeWasmPath).mtimeMs;
    return built < Math.max(newestSource(join(root, 'src/compiler/runtime/assembly')), statSync(buildScript).mtimeMs);
  } catch {
    return true;
  }
}

/** Builds the runtime if needed (synchronously: a child process) and returns its description. */
export function loadRuntime(): RuntimeInfo {
  if (cached) return cached;
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(runtimeWasmPath);
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || (process.env['WARDEN_RUNTIME_NO_REBUILD'] !== '1' && isStale())) {
    try {
      execFileSync(process.execPath, [buildScript], { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (err) {
      throw new Error(`building the OPA Wasm runtime (${buildScript}) failed; its errors are on stderr`, { cause: err });
    }
    bytes = readFileSync(runtimeWasmPath);
  }
  cached = describe(new Uint8Array(bytes));
  return cached;
}

function describe(bytes: Uint8Array): RuntimeInfo {
  const sections = readSections(bytes);
  const funcs = new Map<string, number>();
  const imports = new Map<string, number>();
  const globalExports = new Map<string, number>();
  let importedFuncCount = 0;
  let definedFuncCount = 0;
  let typeCount = 0;
  let startFunc: number | undefined;
  let dataSegmentCount = 0;
  for (const s of sections) {
    const r = new ByteReader(s.payload);
    if (s.id === 1) typeCount = r.u32();
    else if (s.id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        r.name();
        const field = r.name();
        const kind = r.byte();
        if (kind === 0) {
          r.u32();
          imports.set(field, importedFuncCount++);
        } else if (kind === 1) {
          r.byte();
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 2) {
          const flags = r.u32();
          r.u32();
          if (flags & 1) r.u32();
        } else if (kind === 3) {
          r.byte();
          r.byte();
        }
      }
    } else if (s.id === 3) definedFuncCount = r.u32();
    else if (s.id === 7) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const kind = r.byte();
        const idx = r.u32();
        if (kind === 0) funcs.set(name, idx);
        else if (kind === 3) globalExports.set(name, idx);
      }
    } else if (s.id === 8) startFunc = r.u32();
    else if (s.id === 11) dataSegmentCount = r.u32();
  }
  const heapBaseGlobal = globalExports.get('heap_base');
  if (heapBaseGlobal === undefined) throw new Error('runtime does not export heap_base');
  // Run the runtime's start function once to learn where its static data ends.
  const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const memory = new WA.Memory({ initial: 5 });
  const noop = (): number => 0;
  const inst = new WA.Instance(new WA.Module(bytes), {
    env: { memory, opa_abort: noop, opa_println: noop, opa_builtin0: noop, opa_builtin1: noop, opa_builtin2: noop, opa_builtin3: noop, opa_builtin4: noop },
  });
  const hb = inst.exports['heap_base'] as { value: number };
  const heapBase = Number(hb.value);
  return { bytes, sections, funcs, imports, importedFuncCount, definedFuncCount, typeCount, heapBaseGlobal, startFunc, heapBase, dataSegmentCount };
}

/** The slice of the WebAssembly JS API used here (the lib setting has no DOM types). */
interface WasmApi {
  Memory: new (d: { initial: number }) => unknown;
  Module: new (b: Uint8Array) => unknown;
  Instance: new (m: unknown, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
