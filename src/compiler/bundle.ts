/**
 * `opa build -t wasm`-style bundles: a .tar.gz with /policy.wasm, /data.json and
 * /.manifest (listing the wasm entrypoints), built with the `tar` package.
 */
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { compileWasm, type WasmOptions } from './index.ts';

/** Compile and pack a bundle; resolves to the .tar.gz bytes. */
export async function compileBundle(opts: WasmOptions & { data?: unknown }): Promise<Uint8Array> {
  const { wasm, entrypoints } = await compileWasm(opts);
  const manifest = {
    revision: '',
    roots: [''],
    wasm: entrypoints.map((entrypoint) => ({ entrypoint, module: '/policy.wasm' })),
    rego_version: 1,
  };
  const dir = await mkdtemp(join(tmpdir(), 'warden-bundle-'));
  try {
    const src = join(dir, 'b');
    await mkdir(src);
    await writeFile(join(src, 'policy.wasm'), wasm);
    await writeFile(join(src, 'data.json'), JSON.stringify(opts.data ?? {}));
    await writeFile(join(src, '.manifest'), JSON.stringify(manifest));
    const out = join(dir, 'bundle.tar.gz');
    await tar.create({ gzip: true, file: out, cwd: src, portable: true, prefix: '/' }, ['/policy.wasm', '/data.json', '/.manifest'].map((f) => f.slice(1)));
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
