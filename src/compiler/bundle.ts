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

/** Rego modules and data documents read from files and directories (like `opa eval -d`). */
export interface LoadedSources {
  modules: { file: string; source: string }[];
  /** data.json / data.yaml files merged at their directory's path below each root. */
  data: Record<string, unknown>;
}

/** Read `.rego` files (and data.json/data.yaml) from files or directories, sorted for stable output. */
export async function readSources(paths: string[], opts: { tests?: boolean } = {}): Promise<LoadedSources> {
  const { readdir, stat } = await import('node:fs/promises');
  const { relative, dirname, sep, basename } = await import('node:path');
  const { parse: parseYaml } = await import('yaml');
  const modules: LoadedSources['modules'] = [];
  const data: Record<string, unknown> = {};
  for (const root of paths) {
    const st = await stat(root);
    const files = st.isDirectory() ? (await readdir(root, { recursive: true })).map((f) => join(root, String(f))).sort() : [root];
    for (const f of files) {
      const name = basename(f);
      if (f.endsWith('.rego')) {
        if (!opts.tests && f.endsWith('_test.rego') && st.isDirectory()) continue;
        modules.push({ file: f, source: await readFile(f, 'utf8') });
      } else if (name === 'data.json' || name === 'data.yaml' || name === 'data.yml' || (!st.isDirectory() && (f.endsWith('.json') || f.endsWith('.yaml')))) {
        const text = await readFile(f, 'utf8');
        const doc = f.endsWith('.json') ? (JSON.parse(text) as unknown) : (parseYaml(text) as unknown);
        const rel = st.isDirectory() ? relative(root, dirname(f)) : '';
        mergeAt(data, rel === '' ? [] : rel.split(sep), doc);
      }
    }
  }
  return { modules, data };
}

function mergeAt(target: Record<string, unknown>, path: string[], doc: unknown): void {
  let node = target;
  for (const seg of path) {
    const next = node[seg];
    node = (next && typeof next === 'object' && !Array.isArray(next) ? next : (node[seg] = {})) as Record<string, unknown>;
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) Object.assign(node, doc);
}
