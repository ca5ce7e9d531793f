/**
 * Where a policy comes from: a directory of .rego files (compiled in-process),
 * a prebuilt OPA Wasm module (.wasm) or an OPA bundle (.tar.gz with /policy.wasm
 * and optionally /data.json).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { InputReads } from '../compiler/input-reads.ts';
import { WardenError } from '../errors.ts';

export interface CompiledPolicy {
  wasm: Uint8Array;
  /** Data mounted under `data` (from a bundle's data.json or the configured data file). */
  data?: unknown;
  /** Short content hash identifying this policy build (sources or bundle bytes). */
  version: string;
  /** Where it came from, for logs. */
  origin: string;
  /**
   * The parts of `input` the policy can read (from the compiler's analysis of the sources); the
   * engine leaves the rest out of every evaluation. Absent (prebuilt modules): the whole input.
   */
  inputReads?: InputReads;
  /**
   * True when the compiler saw every builtin the policy calls and none reads the clock, randomness,
   * the network or prints: the same input (and data) then always gets the same decision.
   */
  deterministic?: boolean;
}

/** What the compiler knows of the policy besides its Wasm. */
export interface RegoCompilerOutput {
  wasm: Uint8Array;
  inputReads?: InputReads;
  /** See CompiledPolicy.deterministic. */
  deterministic?: boolean;
}

/**
 * Compiles Rego modules to Wasm; the default is warden's own compiler (which also says what the policy
 * reads of input). `data` is the data document the policy will be evaluated with.
 */
export type RegoCompiler = (modules: { file: string; source: string }[], entrypoints: string[], options?: { data?: unknown }) => Promise<Uint8Array | RegoCompilerOutput>;

export function shortHash(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
}

/** Lists the policy modules of a directory: every .rego file except *_test.rego, sorted. */
export async function readRegoDir(dir: string, includeTests = false): Promise<{ file: string; source: string }[]> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })).map(String);
  } catch (err) {
    throw new WardenError('WARDEN_CONFIG_INVALID', `policy directory ${dir} cannot be read: ${(err as Error).message}`);
  }
  const files = entries.filter((f) => f.endsWith('.rego') && (includeTests || !f.endsWith('_test.rego'))).sort();
  if (files.length === 0) throw new WardenError('WARDEN_CONFIG_INVALID', `policy directory ${dir} holds no .rego files`);
  return Promise.all(files.map(async (f) => ({ file: relative(process.cwd(), join(dir, f)) || f, source: await readFile(join(dir, f), 'utf8') })));
}

/** Compiles a directory of Rego to a policy. */
export async function compileRegoDir(dir: string, entrypoint: string, compile: RegoCompiler, data?: unknown): Promise<CompiledPolicy> {
  const modules = await readRegoDir(dir);
  const out = await compile(modules, [entrypoint], data === undefined ? undefined : { data });
  const version = shortHash(...modules.flatMap((m) => [m.file, '\0', m.source, '\0']));
  if (out instanceof Uint8Array) return { wasm: out, version, origin: dir };
  return {
    wasm: out.wasm,
    version,
    origin: dir,
    ...(out.inputReads !== undefined ? { inputReads: out.inputReads } : {}),
    ...(out.deterministic !== undefined ? { deterministic: out.deterministic } : {}),
  };
}

/** Loads a prebuilt .wasm or OPA bundle (.tar.gz). */
export async function loadPrebuilt(file: string): Promise<CompiledPolicy> {
  const bytes = new Uint8Array(await readFile(file));
  if (!file.endsWith('.tar.gz') && !file.endsWith('.tgz')) return { wasm: bytes, version: shortHash(bytes), origin: file };
  const files = untar(gunzipSync(bytes));
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new WardenError('WARDEN_CONFIG_INVALID', `bundle ${file} has no /policy.wasm`);
  const dataText = files.get('data.json');
  const data = dataText ? (JSON.parse(Buffer.from(dataText).toString('utf8')) as unknown) : undefined;
  return { wasm, ...(data !== undefined ? { data } : {}), version: shortHash(bytes), origin: file };
}

/** Reads a ustar archive held in memory (regular files only). */
function untar(archive: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (off: number, len: number) => Buffer.from(archive.subarray(off, off + len)).toString('utf8').replace(/\0.*$/s, '');
  let off = 0;
  while (off + 512 <= archive.length) {
    const name = text(off, 100);
    if (!name) break;
    const size = parseInt(text(off + 124, 12).trim() || '0', 8);
    const type = text(off + 156, 1);
    const prefix = text(off + 345, 155);
    const full = (prefix ? `${prefix}/${name}` : name).replace(/^\.?\//, '');
    if (type === '0' || type === '') files.set(full, archive.slice(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
