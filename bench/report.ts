/** Rendering a bench report as a markdown summary and an SVG chart. */
import type { BenchReport } from './run.ts';

export function renderMarkdown(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`### Bench ${r.date.slice(0, 16).replace('T', ' ')} UTC — ${r.machine.cpus} cores, Node ${r.machine.node}, ${r.config.connections} connections, best clean of ${r.config.rounds} rounds × ${r.config.roundS} s`);
  lines.push('');
  lines.push('| payload | target | req/s | p50 ms | p99 ms | proxy CPU µs/req | of it, event loop | upstream CPU µs/req | clean |');
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|:---:|');
  for (const b of r.best) {
    const proxy = b.target !== 'direct';
    const main = proxy && b.mainCpuUsPerReq !== undefined ? b.mainCpuUsPerReq.toFixed(1) : '—';
    lines.push(`| ${b.payloadBytes / 1024} KiB | ${b.target} | ${b.rps.toFixed(0)} | ${b.p50Ms.toFixed(2)} | ${b.p99Ms.toFixed(2)} | ${proxy ? b.cpuUsPerReq.toFixed(1) : '—'} | ${main} | ${b.upstreamCpuUsPerReq.toFixed(1)} | ${b.clean ? 'yes' : 'no'} |`);
  }
  lines.push('');
  lines.push('| payload | warden / bare proxy | warden / direct | bare proxy / direct |');
  lines.push('|---|---:|---:|---:|');
  for (const x of r.ratios) lines.push(`| ${x.payloadBytes / 1024} KiB | ${x.wardenOverBare.toFixed(3)} | ${x.wardenOverDirect.toFixed(3)} | ${x.bareOverDirect.toFixed(3)} |`);
  lines.push('');
  if (r.fixedRate.length) {
    lines.push(`| fixed rate (paced, 1 KiB) | p50 ms | p99 ms | delivered |`);
    lines.push('|---|---:|---:|---:|');
    for (const f of r.fixedRate) lines.push(`| ${f.target} at ${f.rate}/s | ${f.p50Ms.toFixed(3)} | ${f.p99Ms.toFixed(3)} | ${f.delivered}/${f.expected} |`);
    lines.push('');
  }
  lines.push('| budget | limit | measured | |');
  lines.push('|---|---|---|:---:|');
  for (const b of r.budgets) lines.push(`| ${b.name} | ${b.limit} | ${b.measured} | ${b.ok ? 'met' : '**MISSED**'} |`);
  lines.push('');
  if (r.floor?.length) {
    lines.push('Reference, not a budget: the latency limits applied to the bare proxy, the floor for any proxy on this machine.');
    lines.push('');
    lines.push('| reference | limit | measured | |');
    lines.push('|---|---|---|:---:|');
    for (const b of r.floor) lines.push(`| ${b.name} | ${b.limit} | ${b.measured} | ${b.ok ? 'within' : 'beyond'} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** A grouped bar chart of requests/s per target and payload, with CPU µs/req labels. */
export function renderSvg(r: BenchReport): string {
  const width = 640;
  const height = 320;
  const margin = { top: 40, right: 20, bottom: 50, left: 60 };
  const payloads = [...new Set(r.best.map((b) => b.payloadBytes))];
  const targets = ['direct', 'bare', 'warden'];
  const colors: Record<string, string> = { direct: '#8da0cb', bare: '#66c2a5', warden: '#fc8d62' };
  const max = Math.max(...r.best.map((b) => b.rps)) * 1.1;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const groupW = plotW / payloads.length;
  const barW = (groupW * 0.7) / targets.length;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">Throughput (req/s), best clean round — labels: proxy CPU µs/req</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4;
    const y = margin.top + plotH - (plotH * i) / 4;
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y + 4}" text-anchor="end">${v.toFixed(0)}</text>`);
  }
  payloads.forEach((p, gi) => {
    const gx = margin.left + gi * groupW + groupW * 0.15;
    targets.forEach((t, ti) => {
      const b = r.best.find((x) => x.target === t && x.payloadBytes === p);
      if (!b) return;
      const h = (plotH * b.rps) / max;
      const x = gx + ti * barW;
      const y = margin.top + plotH - h;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[t]}"/>`);
      parts.push(`<text x="${(x + barW / 2 - 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle" font-size="10">${t === 'direct' ? '' : b.cpuUsPerReq.toFixed(0)}</text>`);
    });
    parts.push(`<text x="${(gx + (barW * targets.length) / 2).toFixed(1)}" y="${height - margin.bottom + 18}" text-anchor="middle">${p / 1024} KiB</text>`);
  });
  targets.forEach((t, i) => {
    const x = margin.left + i * 110;
    parts.push(`<rect x="${x}" y="${height - 18}" width="12" height="12" fill="${colors[t]}"/>`);
    parts.push(`<text x="${x + 16}" y="${height - 8}">${t === 'bare' ? 'bare proxy' : t}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
