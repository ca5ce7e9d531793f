/** `warden audit verify|query|tail`: check and read the per-agent audit logs. */
import type { Command } from 'commander';
import { WardenError } from '../errors.ts';
import { formatTable, parseSince, queryAuditRecords, tableRow, type RecordFilter } from '../audit/query.ts';
import type { CallRecord } from '../audit/record.ts';
import { tailAuditRecords } from '../audit/tail.ts';
import { verifyAuditPath } from '../audit/verify.ts';

const DEFAULT_DIR = './warden-audit';

interface FilterFlags {
  dir: string;
  agent?: string;
  tool?: string;
  since?: string;
  decision?: string;
  json?: boolean;
}

function filterFrom(flags: FilterFlags): RecordFilter {
  const filter: RecordFilter = {};
  if (flags.agent !== undefined) filter.agent = flags.agent;
  if (flags.tool !== undefined) filter.tool = flags.tool;
  if (flags.since !== undefined) filter.since = parseSince(flags.since);
  if (flags.decision !== undefined) {
    if (flags.decision !== 'allow' && flags.decision !== 'deny') throw new WardenError('WARDEN_BAD_REQUEST', `--decision ${flags.decision}: expected allow or deny`);
    filter.decision = flags.decision;
  }
  return filter;
}

/** Piping into `head` closes stdout early; that is a normal end, not a crash. */
function quietOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

export function register(program: Command): void {
  const audit = program.command('audit').description('Verify and read the tamper-evident audit log');

  audit
    .command('verify <path>')
    .description('Check hashes, the chain and checkpoint signatures of an audit file or directory; exits 1 on any problem')
    .option('--key <pem...>', 'extra public key file(s) to accept for checkpoints (the directory\'s *.pub.pem are always used)')
    .option('--strict', 'also fail when records after the last checkpoint are not signed (crash, live log, or truncated tail)')
    .option('--json', 'print the report as JSON')
    .action(async (path: string, flags: { key?: string[]; strict?: boolean; json?: boolean }) => {
      const report = await verifyAuditPath(path, { ...(flags.key ? { keyFiles: flags.key } : {}), strict: flags.strict === true });
      if (flags.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      } else {
        if (report.files.length === 0) process.stdout.write(`${path}: no audit files\n`);
        for (const f of report.files) {
          const range = f.firstSeq !== undefined ? ` seq ${f.firstSeq}..${f.lastSeq}` : '';
          const status = f.ok ? 'OK' : 'FAILED';
          process.stdout.write(`${status}  ${f.file}: ${f.calls} calls, ${f.checkpoints} checkpoints${range}\n`);
          for (const p of f.problems) process.stdout.write(`        ${p}\n`);
          if (f.partialTail) process.stdout.write('  note  the file ends in a partial record: a write cut short by a crash\n');
          if (f.unsealed > 0 && f.ok) {
            process.stdout.write(`  note  ${f.unsealed} records after the last checkpoint are unsigned: the log is live, was not closed cleanly, or its tail was truncated\n`);
          }
        }
      }
      if (!report.ok) process.exitCode = 1;
    });

  audit
    .command('query')
    .description('List audited calls as a table (or JSONL with --json)')
    .option('--dir <dir>', 'audit directory', DEFAULT_DIR)
    .option('--agent <id>', 'only this agent')
    .option('--tool <name>', 'only this tool')
    .option('--since <when>', 'only calls since a duration ago (30m, 1h, 7d) or an ISO date')
    .option('--decision <allow|deny>', 'only allowed or denied calls')
    .option('--json', 'print JSON lines (the full records)')
    .action(async (flags: FilterFlags) => {
      quietOnEpipe();
      const filter = filterFrom(flags);
      const rows: CallRecord[] = [];
      for await (const rec of queryAuditRecords(flags.dir, filter)) {
        if (flags.json) process.stdout.write(JSON.stringify(rec) + '\n');
        else rows.push(rec);
      }
      if (!flags.json) {
        rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
        process.stdout.write(rows.length ? formatTable(rows) : 'no matching records\n');
      }
    });

  audit
    .command('tail')
    .description('Show the latest audited calls; with -f keep printing new ones')
    .option('--dir <dir>', 'audit directory', DEFAULT_DIR)
    .option('--agent <id>', 'only this agent')
    .option('-n, --lines <n>', 'how many of the latest records to show first', '10')
    .option('-f, --follow', 'keep following new records (Ctrl-C to stop)')
    .option('--json', 'print JSON lines')
    .action(async (flags: FilterFlags & { lines: string; follow?: boolean }) => {
      quietOnEpipe();
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const print = (rec: CallRecord): void => {
        process.stdout.write(flags.json ? JSON.stringify(rec) + '\n' : tableRow(rec).join('  ') + '\n');
      };
      await tailAuditRecords(flags.dir, print, {
        filter: filterFrom(flags),
        lines: Number(flags.lines) || 10,
        follow: flags.follow === true,
        signal: controller.signal,
      });
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    });
}
