/**
 * `warden pii …`: the scrubber from the command line.
 *
 *   warden pii scan [--structured]   JSONL on stdin → predictions as JSONL on stdout
 *
 * Input lines are `{"id","text"}` (or `{"id","doc"}` with --structured); output
 * lines are `{"id","spans":[{start,end,type}]}` (or `{"id","findings":[{path,start,end,type}]}`),
 * the format of the corpus scorer. A bad line is reported on stderr and skipped.
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { scanText } from '../pii/scanner.ts';
import { scanJson } from '../pii/walk.ts';

interface ScanFlags {
  structured?: boolean;
  maxScanBytes?: string;
}

async function scan(flags: ScanFlags): Promise<void> {
  const maxScanBytes = flags.maxScanBytes ? Number(flags.maxScanBytes) : undefined;
  const opts = maxScanBytes && maxScanBytes > 0 ? { maxScanBytes } : {};
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  let bad = 0;
  const out: string[] = [];
  for await (const line of rl) {
    lineNo++;
    if (line.trim() === '') continue;
    let rec: { id?: unknown; text?: unknown; doc?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      bad++;
      process.stderr.write(`line ${lineNo}: not JSON, skipped\n`);
      continue;
    }
    if (rec === null || typeof rec !== 'object' || (typeof rec.id !== 'string' && typeof rec.id !== 'number')) {
      bad++;
      process.stderr.write(`line ${lineNo}: no "id", skipped\n`);
      continue;
    }
    if (flags.structured) {
      out.push(JSON.stringify({ id: rec.id, findings: scanJson(rec.doc, opts) }));
    } else {
      if (typeof rec.text !== 'string') {
        bad++;
        process.stderr.write(`line ${lineNo}: "text" is not a string, skipped\n`);
        continue;
      }
      out.push(JSON.stringify({ id: rec.id, spans: scanText(rec.text, opts) }));
    }
    if (out.length >= 256) {
      process.stdout.write(out.join('\n') + '\n');
      out.length = 0;
    }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
  if (bad) process.exitCode = 1;
}

export function register(program: Command): void {
  const pii = program.command('pii').description('PII and secret scrubbing');
  pii
    .command('scan')
    .description('Scan JSONL from stdin ({"id","text"} or, with --structured, {"id","doc"}) and print findings as JSONL')
    .option('--structured', 'input lines carry a JSON "doc"; report findings with JSON pointers')
    .option('--max-scan-bytes <n>', 'scan at most this many characters of each string')
    .action(scan);
}
