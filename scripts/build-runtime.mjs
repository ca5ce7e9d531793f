#!/usr/bin/env node
// Compiles warden's OPA Wasm runtime (AssemblyScript) to build/opa-runtime.wasm.
// Runs as the `prepare` script and lazily from the compiler when the output is
// missing or older than its sources.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src/compiler/runtime/assembly');
export const runtimeWasmPath = join(root, 'build/opa-runtime.wasm');

function newestSource(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** True when build/opa-runtime.wasm is missing or older than a source file. */
export function runtimeIsStale() {
  try {
    return statSync(runtimeWasmPath).mtimeMs < Math.max(newestSource(srcDir), statSync(fileURLToPath(import.meta.url)).mtimeMs);
  } catch {
    return true;
  }
}

export async function buildRuntime() {
  const asc = await import('assemblyscript/asc');
  mkdirSync(dirname(runtimeWasmPath), { recursive: true });
  const tmp = `${runtimeWasmPath}.${process.pid}.tmp`;
  let errText = '';
  const { error, stderr } = await asc.main(
    [
      'index.ts',
      '--baseDir', srcDir,
      '--outFile', tmp,
      '--runtime', 'stub',
      '--importMemory',
      '--initialMemory', '2',
      '--optimizeLevel', '3',
      '--shrinkLevel', '0',
      '--noAssert',
      '--debug', // keeps the name section
      '--use', 'abort=mem/asAbort',
      '--disableWarning',
    ],
    { stderr: { write: (s) => { errText += s; return true; } }, stdout: { write: () => true } },
  );
  if (error) throw new Error(`runtime build failed: ${error.message}\n${errText || stderr?.toString() || ''}`);
  const { renameSync } = await import('node:fs');
  renameSync(tmp, runtimeWasmPath);
  return runtimeWasmPath;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  buildRuntime().then(
    (p) => console.log(`built ${p} in ${Math.round(performance.now() - t0)} ms`),
    (e) => { console.error(e.message); process.exit(1); },
  );
}
