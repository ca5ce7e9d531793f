/**
 * `npm run conformance:mcp`: the official MCP conformance suite against
 * @modelcontextprotocol/server-everything directly, then through warden, side by side.
 * Exits non-zero when any scenario (or any check inside one) differs.
 *
 *   --bare       run warden with no security stages (transport and routing only)
 *   --anonymous  run quick mode, `warden serve --upstream <url> --allow-anonymous`: the suite then
 *                runs as the tightly limited `anonymous` agent, so denials are expected
 *   --keep       keep the result directories (printed at the end)
 *
 * By default warden runs `warden serve --config <generated>` with the full default pipeline
 * (identity, task scope, the default Rego policy, limits, PII, audit). The conformance client
 * sends no credentials, so loopback callers are mapped to the agent `conformance`
 * (test/conformance/agents/conformance.yaml), as `npm start` maps them to `demo`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const args = new Set(process.argv.slice(2));
const children: ChildProcess[] = [];

/**
 * Checks where warden is meant to differ from the bare server: warden adds a protection
 * the upstream lacks. Tolerated only in that direction (upstream FAILURE → warden SUCCESS);
 * any other difference on these checks still fails the run.
 */
const INTENDED: Record<string, string> = {
  'dns-rebinding-protection/localhost-host-rebinding-rejected': 'warden validates Host/Origin (server.allowedHosts/allowedOrigins); server-everything does not',
};

interface CheckResult {
  id: string;
  status: string;
}
type Results = Map<string, CheckResult[]>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a child and resolves once `ready` matches its output. */
function start(command: string, argv: string[], env: Record<string, string>, ready: RegExp, label: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${label} did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}:\n${output}`));
    });
  });
}

function runSuite(url: string, outDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance', 'conformance', 'server', '--url', url, '-o', outDir], {
      cwd: tmpdir(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      // The suite exits non-zero when scenarios fail; the results on disk are what counts.
      if (readdirSync(outDir).length > 0) resolve();
      else reject(new Error(`conformance suite produced no results (exit ${code}):\n${err}`));
    });
  });
}

function readResults(dir: string): Results {
  const results: Results = new Map();
  for (const entry of readdirSync(dir)) {
    const m = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(entry);
    if (!m) continue;
    let checks: CheckResult[] = [];
    try {
      checks = (JSON.parse(readFileSync(join(dir, entry, 'checks.json'), 'utf8')) as CheckResult[]).map((c) => ({ id: c.id, status: c.status }));
    } catch {
      checks = [{ id: '(no checks.json)', status: 'MISSING' }];
    }
    results.set(m[1]!, checks.sort((a, b) => a.id.localeCompare(b.id)));
  }
  return results;
}

function summary(checks: CheckResult[] | undefined): string {
  if (!checks) return 'not run';
  const passed = checks.filter((c) => c.status === 'SUCCESS').length;
  const failed = checks.filter((c) => c.status === 'FAILURE' || c.status === 'MISSING').length;
  const other = checks.length - passed - failed;
  return `${passed} passed, ${failed} failed${other ? `, ${other} other` : ''}`;
}

/** Differences between the two runs of a scenario, as [check id, direct status, warden status, intended?]. */
function differences(scenario: string, a: CheckResult[] | undefined, b: CheckResult[] | undefined): Array<[string, string, string, boolean]> {
  const d = new Map((a ?? []).map((c) => [c.id, c.status]));
  const v = new Map((b ?? []).map((c) => [c.id, c.status]));
  const out: Array<[string, string, string, boolean]> = [];
  if (!a || !b) out.push(['(scenario)', a ? 'run' : 'not run', b ? 'run' : 'not run', false]);
  for (const id of new Set([...d.keys(), ...v.keys()])) {
    const ds = d.get(id) ?? 'absent';
    const vs = v.get(id) ?? 'absent';
    if (ds !== vs) out.push([id, ds, vs, `${scenario}/${id}` in INTENDED && ds === 'FAILURE' && vs === 'SUCCESS']);
  }
  return out;
}

async function main(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'warden-conformance-'));
  const upstreamPort = await freePort();
  const wardenPort = await freePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/mcp`;
  process.stderr.write(`starting server-everything on ${upstreamUrl}\n`);
  await start(process.execPath, [EVERYTHING, 'streamableHttp'], { PORT: String(upstreamPort) }, /listening on port/i, 'server-everything');

  const configFile = join(work, 'warden.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { host: '127.0.0.1', port: wardenPort },
      upstreams: [{ name: 'everything', url: upstreamUrl }],
      agentsDir: join(ROOT, 'test/conformance/agents'),
      identity: { loopbackAgent: 'conformance' },
      policy: { dir: join(ROOT, 'rego'), hotReload: false },
      audit: { dir: join(work, 'audit') },
      log: { level: 'warn', pretty: false },
    }),
  );
  const wardenArgs = args.has('--anonymous')
    ? ['bin/warden.mjs', 'serve', '--upstream', upstreamUrl, '--port', String(wardenPort), '--allow-anonymous']
    : ['bin/warden.mjs', 'serve', '--config', configFile];
  const wardenEnv: Record<string, string> = { WARDEN_LOG_LEVEL: 'warn', NODE_ENV: 'production' };
  if (args.has('--bare')) wardenEnv.WARDEN_BARE = '1';
  process.stderr.write(`starting warden on port ${wardenPort}${args.has('--bare') ? ' (bare)' : ''}\n`);
  const wardenUrl = `http://127.0.0.1:${wardenPort}/mcp`;
  await start(process.execPath, args.has('--bare') ? [join(ROOT, 'test/conformance/bare-gateway.ts'), upstreamUrl, String(wardenPort)].flatMap((a, i) => (i === 0 ? ['--import', 'tsx', a] : [a])) : wardenArgs, wardenEnv, /warden is listening/, 'warden');

  const directDir = join(work, 'direct');
  const viaDir = join(work, 'via-warden');
  process.stderr.write('running the suite against server-everything directly…\n');
  await runSuite(upstreamUrl, directDir);
  process.stderr.write('running the suite through warden…\n');
  await runSuite(wardenUrl, viaDir);

  const direct = readResults(directDir);
  const via = readResults(viaDir);
  const scenarios = [...new Set([...direct.keys(), ...via.keys()])].sort();
  const width = Math.max(8, ...scenarios.map((s) => s.length));
  const rows = [`${'scenario'.padEnd(width)} | ${'direct'.padEnd(22)} | ${'through warden'.padEnd(22)} | same`, `${'-'.repeat(width)}-|-${'-'.repeat(22)}-|-${'-'.repeat(22)}-|-----`];
  let differing = 0;
  const notes: string[] = [];
  for (const s of scenarios) {
    const diffs = differences(s, direct.get(s), via.get(s));
    const unintended = diffs.filter((d) => !d[3]);
    if (unintended.length) differing++;
    rows.push(`${s.padEnd(width)} | ${summary(direct.get(s)).padEnd(22)} | ${summary(via.get(s)).padEnd(22)} | ${unintended.length ? 'NO' : diffs.length ? 'yes*' : 'yes'}`);
    for (const [id, ds, vs, intended] of diffs) {
      notes.push(`  ${intended ? '*' : '!'} ${s} / ${id}: direct ${ds}, through warden ${vs}${intended ? ` (intended: ${INTENDED[`${s}/${id}`]})` : ''}`);
    }
  }
  process.stdout.write(rows.join('\n') + '\n' + (notes.length ? notes.join('\n') + '\n' : ''));
  process.stdout.write(`\n${scenarios.length} scenarios, ${differing} with different results${notes.some((n) => n.startsWith('  *')) ? ' (* = intended, see above)' : ''}\n`);
  if (args.has('--keep')) process.stdout.write(`results kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
  return differing === 0 ? 0 : 1;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.exit(code);
