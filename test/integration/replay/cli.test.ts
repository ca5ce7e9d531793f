import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startDemoServer } from '../../../src/demo/server.ts';
import { cleanup, connect, tempDir } from './helpers.ts';

const root = resolve(import.meta.dirname, '../../..');
const warden = join(root, 'bin/warden.mjs');

/** Starts a long-running `warden replay …` and waits for its MCP endpoint line. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [warden, 'replay', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  cleanup.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (): void => {
      const m = /MCP endpoint\s+(\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`warden replay exited ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  return exited;
}

async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [warden, 'replay', ...args], { cwd: root, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('warden replay (CLI)', () => {
  it('records through a proxy without secrets, serves the cassette back, and checks it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'demo.jsonl');
    const demo = await startDemoServer();
    cleanup.push(() => demo.close());

    const rec = await startCli(['record', '--upstream', demo.url, '--cassette', file]);
    const agent = await connect(rec.url, { Authorization: 'Bearer tok-abc-secret', 'X-Api-Key': 'k-987', 'x-warden-task': 'task-555', Cookie: 'sid=c00kie' });
    const names = (await agent.listTools()).tools.map((t) => t.name).sort();
    const echoed = await agent.callTool({ name: 'echo', arguments: { text: 'hello' } });
    const missing = await agent.callTool({ name: 'get_customer', arguments: { id: 'nope' } });
    await agent.close();
    expect(await stop(rec.child)).toBe(0);
    expect(rec.output()).toMatch(/recorded 4 exchange\(s\)/);
    const written = await readFile(file, 'utf8');
    expect(written).not.toMatch(/tok-abc-secret|k-987|task-555|c00kie|authorization|x-api-key|x-warden-task|cookie/i);

    await demo.close();
    const served = await startCli(['serve', '--cassette', file]);
    expect(served.output()).toMatch(/replaying 4 exchange\(s\)/);
    const again = await connect(served.url);
    expect((await again.listTools()).tools.map((t) => t.name).sort()).toEqual(names);
    expect(await again.callTool({ name: 'echo', arguments: { text: 'hello' } })).toEqual(echoed);
    expect(await again.callTool({ name: 'get_customer', arguments: { id: 'nope' } })).toEqual(missing);
    await again.close();

    const ok = await runCli(['check', '--cassette', file, '--against', served.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/tools\/call\s+echo\s+match/);
    expect(ok.stdout).toContain('3 of 3 exchanges match');

    // The live side now answers differently: the table names the exchange and the exit code is 1.
    const changed = join(dir, 'changed.jsonl');
    await writeFile(changed, written.replace('"text":"hello"}]', '"text":"HELLO"}]'));
    const bad = await runCli(['check', '--cassette', changed, '--against', served.url]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/tools\/call\s+echo\s+MISMATCH/);
    expect(bad.stdout).toContain('2 of 3 exchanges match, 1 mismatch');
    expect(await stop(served.child)).toBe(0);
  }, 60_000);

  it('fails with a WARDEN_* code for a missing cassette or a broken line', async () => {
    const dir = await tempDir();
    const missing = await runCli(['serve', '--cassette', join(dir, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/WARDEN_REPLAY_CASSETTE_INVALID: cassette .*nope\.jsonl does not exist/);
    const broken = join(dir, 'broken.jsonl');
    await writeFile(broken, '{"method":"tools/list","result":{"tools":[]}}\n{not json\n');
    const bad = await runCli(['check', '--cassette', broken, '--against', 'http://127.0.0.1:9/mcp']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/WARDEN_REPLAY_CASSETTE_INVALID: .*broken\.jsonl:2: not a cassette entry/);
  }, 60_000);
});
