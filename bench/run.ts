/**
 * `npm run bench`: warden's full pipeline against a direct call and a bare
 * proxy, in one run on one machine, plus per-call microbenchmarks.
 *
 *   npm run bench                 throughput rounds, fixed-rate latency, microbenchmarks, budgets
 *   npm run bench -- --quick      shorter rounds (a smoke run; budgets still checked)
 *   npm run bench -- --soak       5 minutes of load on warden, RSS growth
 *   npm run bench -- --profile [--payload 16384]   10 s of load on warden under --cpu-prof; top functions per thread
 *   npm run bench -- --without audit,pii   diagnostic: warden with those stages switched off (budgets then mean little)
 *
 * Exits non-zero when a budget is missed. Results: bench/results/<date>.{json,md,svg}.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad, type LoadResult } from './load.ts';
import { mergeMicro, runMicro, type MicroResult } from './micro.ts';
import { runPaced } from './paced.ts';
import { cpuMicros, peakRssBytes, rssBytes, threadCpuMicros } from './procstat.ts';
import { renderMarkdown, renderSvg } from './report.ts';
import { spawnScript, type RunningTarget } from './targets/spawn.ts';
import { startWarden } from './targets/warden.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    payload: { type: 'string', default: '1024' },
    without: { type: 'string', default: '' },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});

const ROUND_S = Number(flags.duration ?? (flags.quick ? 2 : 4));
// Five rounds: this VM has fast and slow spells of seconds to minutes (the bare proxy's CPU per
// 1 KiB call moved between 161 and 207 µs from one round to the next), so with three rounds the
// best round of each target was as much luck as measurement.
const ROUNDS = Number(flags.rounds ?? (flags.quick ? 1 : 5));
const CONNECTIONS = 32;
const FIXED_RATE = 2000;
/** A second fixed rate, reported without a budget: where no target queues, what each adds. */
const LOW_RATE = 500;
const PAYLOADS = [1024, 16 * 1024];
const ORDERS = [
  ['direct', 'bare', 'warden'],
  ['warden', 'bare', 'direct'],
  ['bare', 'warden', 'direct'],
];

export interface RoundResult extends LoadResult {
  target: string;
  payloadBytes: number;
  /** CPU µs per request of the target's own process (proxy or upstream for direct). */
  cpuUsPerReq: number;
  /** CPU µs per request of the target's main thread (its event loop) alone. */
  mainCpuUsPerReq: number;
  /** CPU µs per request of the upstream process during the round. */
  upstreamCpuUsPerReq: number;
  clean: boolean;
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; node: string };
  config: { connections: number; roundS: number; rounds: number };
  best: RoundResult[];
  ratios: { payloadBytes: number; wardenOverBare: number; wardenOverDirect: number; bareOverDirect: number }[];
  fixedRate: { target: string; rate: number; p50Ms: number; p99Ms: number; delivered: number; expected: number }[];
  /** After the run: `bytes` resident then, `peakBytes` the most the process held at any time (VmHWM). */
  rss: { target: string; bytes: number; peakBytes: number }[];
  micro: MicroResult[];
  soak?: { minutes: number; rssStart: number; rssEnd: number; growth: number };
  budgets: { name: string; limit: string; measured: string; ok: boolean }[];
  /** The latency limits applied to the bare proxy: what any proxy reaches on this machine (not budgets). */
  floor?: { name: string; limit: string; measured: string; ok: boolean }[];
}

async function measureRound(t: RunningTarget, upstream: RunningTarget, payloadBytes: number): Promise<RoundResult> {
  const cpu0 = cpuMicros(t.pid);
  const main0 = threadCpuMicros(t.pid);
  const up0 = cpuMicros(upstream.pid);
  const r = await runLoad({ url: t.url, connections: CONNECTIONS, durationS: ROUND_S, payloadBytes, headers: t.headers });
  const cpu1 = cpuMicros(t.pid);
  const main1 = threadCpuMicros(t.pid);
  const up1 = cpuMicros(upstream.pid);
  const n = Math.max(1, r.requests);
  return {
    ...r,
    target: t.name,
    payloadBytes,
    cpuUsPerReq: (cpu1 - cpu0) / n,
    mainCpuUsPerReq: (main1 - main0) / n,
    upstreamCpuUsPerReq: (up1 - up0) / n,
    clean: r.bad === 0 && r.errors === 0 && r.requests > 0,
  };
}

async function main(): Promise<void> {
  const started = new Date();
  const upstream = await spawnScript('upstream', 'bench/targets/upstream.ts', ['0']);
  const bare = await spawnScript('bare', 'bench/targets/bare-proxy.ts', ['0', upstream.url]);
  const profileDir = flags.profile ? mkdtempSync(join(tmpdir(), 'warden-prof-')) : undefined;
  const without = flags.without ? flags.without.split(',').map((w) => w.trim()) : [];
  const warden = await startWarden(upstream.url, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [], without);
  if (without.length) log(`diagnostic run: warden without ${without.join(', ')}`);
  const direct: RunningTarget = { ...upstream, name: 'direct' };
  const targets: Record<string, RunningTarget> = { direct, bare, warden };
  const stopAll = async () => {
    await Promise.allSettled([warden.stop(), bare.stop(), upstream.stop()]);
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

  try {
    if (profileDir) {
      const payloadBytes = Number(flags.payload);
      await runLoad({ url: warden.url, connections: CONNECTIONS, durationS: 2, payloadBytes, headers: warden.headers });
      const r = await runLoad({ url: warden.url, connections: CONNECTIONS, durationS: 10, payloadBytes, headers: warden.headers });
      log(`profiled load: ${r.rps.toFixed(0)} req/s, bad ${r.bad}`);
      await stopAll();
      printProfile(profileDir);
      return;
    }
    if (flags.soak) {
      const report = await soak(warden, upstream);
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      mkdirSync(flags.out!, { recursive: true });
      const file = join(flags.out!, `${started.toISOString().slice(0, 19).replace(/:/g, '-')}-soak.json`);
      writeFileSync(file, `${JSON.stringify({ date: started.toISOString(), machine: { node: process.version }, soak: report, budget: 'RSS growth ≤ 10%', ok: report.growth <= 0.1 }, null, 2)}\n`);
      process.stdout.write(`soak: RSS ${(report.rssStart / 2 ** 20).toFixed(1)} → ${(report.rssEnd / 2 ** 20).toFixed(1)} MiB (${(100 * report.growth).toFixed(1)}%; budget ≤ 10%): ${file}\n`);
      await stopAll();
      process.exit(report.growth <= 0.1 ? 0 : 1);
    }

    // Warm up each target (JIT, connection pools, caches) before measuring.
    for (const t of Object.values(targets)) await runLoad({ url: t.url, connections: CONNECTIONS, durationS: 1, payloadBytes: 1024, headers: t.headers });

    // Microbenchmarks run twice, before and after the load rounds (see mergeMicro).
    const microEarly = await runMicro();
    const all: RoundResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const payload of PAYLOADS) {
        for (const name of ORDERS[round % ORDERS.length]!) {
          const r = await measureRound(targets[name]!, upstream, payload);
          all.push(r);
          log(`round ${round + 1} ${name.padEnd(6)} ${String(payload / 1024).padStart(2)} KiB  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  cpu ${r.cpuUsPerReq.toFixed(1)} µs/req${r.clean ? '' : `  NOT CLEAN (bad ${r.bad}, errors ${r.errors})`}`);
        }
      }
    }
    const best: RoundResult[] = [];
    for (const payload of PAYLOADS) {
      for (const name of ['direct', 'bare', 'warden']) {
        const rounds = all.filter((r) => r.target === name && r.payloadBytes === payload);
        const clean = rounds.filter((r) => r.clean);
        const pick = (clean.length ? clean : rounds).reduce((a, b) => (b.rps > a.rps ? b : a));
        best.push(pick);
      }
    }
    const get = (name: string, payload: number) => best.find((r) => r.target === name && r.payloadBytes === payload)!;
    const ratios = PAYLOADS.map((p) => ({
      payloadBytes: p,
      wardenOverBare: get('warden', p).rps / get('bare', p).rps,
      wardenOverDirect: get('warden', p).rps / get('direct', p).rps,
      bareOverDirect: get('bare', p).rps / get('direct', p).rps,
    }));

    // Added latency at a fixed rate well under saturation: requests paced evenly (bench/paced.ts;
    // autocannon's overallRate sends each second's share in one burst), timed in µs. The bare
    // proxy is measured too, as the floor for any proxy on this machine.
    const fixedRate: BenchReport['fixedRate'] = [];
    for (const rate of [FIXED_RATE, LOW_RATE]) {
      for (const name of ['direct', 'bare', 'warden']) {
        const t = targets[name]!;
        await runPaced({ url: t.url, connections: CONNECTIONS, rate, durationS: 1, payloadBytes: 1024, headers: t.headers });
        const r = await runPaced({ url: t.url, connections: CONNECTIONS, rate, durationS: ROUND_S + 1, payloadBytes: 1024, headers: t.headers });
        fixedRate.push({ target: name, rate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, delivered: r.delivered, expected: r.sent });
        log(`fixed ${rate}/s ${name.padEnd(6)} p50 ${r.p50Ms.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)} ms  delivered ${r.delivered}/${r.sent}  waited for a connection ${r.queued}`);
      }
    }
    // The peak is what each needed under the same load; the resident size at one instant swings with
    // where each garbage collector happens to be (the bare proxy's between 100 and 160 MiB here).
    const rss = [
      { target: 'bare', bytes: rssBytes(bare.pid), peakBytes: peakRssBytes(bare.pid) },
      { target: 'warden', bytes: rssBytes(warden.pid), peakBytes: peakRssBytes(warden.pid) },
    ];
    await stopAll();

    const micro = mergeMicro([microEarly, await runMicro()]);
    for (const m of micro) log(`micro ${m.name.padEnd(54)} ${m.measured.toFixed(3).padStart(9)} ${m.unit}${Number.isFinite(m.budget) ? `  (budget ${m.budget} ${m.unit})` : ''}`);

    const fr = (name: string) => fixedRate.find((f) => f.target === name && f.rate === FIXED_RATE)!;
    const budgets: BenchReport['budgets'] = [
      { name: 'throughput warden/bare-proxy @1 KiB', limit: '≥ 0.60', measured: ratios[0]!.wardenOverBare.toFixed(3), ok: ratios[0]!.wardenOverBare >= 0.6 },
      { name: 'throughput warden/bare-proxy @16 KiB', limit: '≥ 0.50', measured: ratios[1]!.wardenOverBare.toFixed(3), ok: ratios[1]!.wardenOverBare >= 0.5 },
      { name: 'all measured rounds clean', limit: 'every response checked', measured: `${best.filter((b) => b.clean).length}/${best.length} clean`, ok: best.every((b) => b.clean) },
      { name: `p50 at ${FIXED_RATE}/s`, limit: '≤ direct + 0.250 ms', measured: `${fr('warden').p50Ms.toFixed(3)} vs ${fr('direct').p50Ms.toFixed(3)} ms`, ok: fr('warden').p50Ms <= fr('direct').p50Ms + 0.25 },
      { name: `p99 at ${FIXED_RATE}/s`, limit: '≤ direct + 1 ms', measured: `${fr('warden').p99Ms.toFixed(3)} vs ${fr('direct').p99Ms.toFixed(3)} ms`, ok: fr('warden').p99Ms <= fr('direct').p99Ms + 1 },
      { name: `delivered at ${FIXED_RATE}/s`, limit: '100%', measured: `${fr('warden').delivered}/${fr('warden').expected}`, ok: fr('warden').delivered === fr('warden').expected && fr('warden').expected > 0 },
      { name: 'peak RSS warden / bare proxy', limit: '≤ 2×', measured: `${(rss[1]!.peakBytes / rss[0]!.peakBytes).toFixed(2)} (${mib(rss[1]!.peakBytes)} / ${mib(rss[0]!.peakBytes)} MiB; now ${mib(rss[1]!.bytes)} / ${mib(rss[0]!.bytes)})`, ok: rss[1]!.peakBytes <= 2 * rss[0]!.peakBytes },
      ...micro.filter((m) => Number.isFinite(m.budget)).map((m) => ({ name: m.name, limit: `≤ ${m.budget} ${m.unit}`, measured: `${m.measured.toFixed(3)} ${m.unit}`, ok: m.measured <= m.budget })),
    ];
    // The same latency limits applied to the bare proxy: the floor any proxy has here (reported, not a budget).
    const floor: NonNullable<BenchReport['floor']> = [
      { name: `bare proxy p50 at ${FIXED_RATE}/s`, limit: '≤ direct + 0.250 ms', measured: `${fr('bare').p50Ms.toFixed(3)} vs ${fr('direct').p50Ms.toFixed(3)} ms`, ok: fr('bare').p50Ms <= fr('direct').p50Ms + 0.25 },
      { name: `bare proxy p99 at ${FIXED_RATE}/s`, limit: '≤ direct + 1 ms', measured: `${fr('bare').p99Ms.toFixed(3)} vs ${fr('direct').p99Ms.toFixed(3)} ms`, ok: fr('bare').p99Ms <= fr('direct').p99Ms + 1 },
    ];
    const report: BenchReport = {
      date: started.toISOString(),
      machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
      config: { connections: CONNECTIONS, roundS: ROUND_S, rounds: ROUNDS },
      best,
      ratios,
      fixedRate,
      rss,
      micro,
      budgets,
      floor,
    };
    mkdirSync(flags.out!, { recursive: true });
    const stamp = started.toISOString().slice(0, 19).replace(/:/g, '-');
    const base = join(flags.out!, stamp);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, renderMarkdown(report));
    writeFileSync(`${base}.svg`, renderSvg(report));
    writeFileSync(join(flags.out!, 'latest.md'), renderMarkdown(report));
    writeFileSync(join(flags.out!, 'latest.svg'), renderSvg(report));
    process.stdout.write(`\n${renderMarkdown(report)}\nresults: ${base}.{json,md,svg}\n`);
    const missed = budgets.filter((b) => !b.ok);
    if (missed.length) {
      process.stdout.write(`\n${missed.length} budget(s) missed: ${missed.map((m) => m.name).join('; ')}\n`);
      process.exit(1);
    }
    process.stdout.write('\nall budgets met\n');
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

async function soak(warden: RunningTarget, upstream: RunningTarget): Promise<NonNullable<BenchReport['soak']>> {
  const minutes = 5;
  await runLoad({ url: warden.url, connections: CONNECTIONS, durationS: 10, payloadBytes: 1024, headers: warden.headers });
  const rssStart = rssBytes(warden.pid);
  const end = Date.now() + minutes * 60_000;
  while (Date.now() < end) {
    const r = await runLoad({ url: warden.url, connections: CONNECTIONS, durationS: 30, payloadBytes: 1024, headers: warden.headers });
    log(`soak ${((end - Date.now()) / 1000).toFixed(0)} s left: ${r.rps.toFixed(0)} req/s, rss ${(rssBytes(warden.pid) / 2 ** 20).toFixed(1)} MiB, bad ${r.bad}`);
  }
  void upstream;
  const rssEnd = rssBytes(warden.pid);
  return { minutes, rssStart, rssEnd, growth: (rssEnd - rssStart) / rssStart };
}

/** Prints the functions with the most self time from the .cpuprofile files in `dir`. */
function printProfile(dir: string): void {
  interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)!.callFrame;
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${frame.lineNumber + 1}`;
      const dt = profile.timeDeltas[i] ?? 0;
      total += dt;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
    log(`\n${file}: top self time of ${(total / 1000).toFixed(0)} ms sampled`);
    for (const [key, us] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40)) log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

await main();
