/**
 * Verifies audit files: every record's hash, the seq/prev chain within and
 * across an agent's rotated files, and every checkpoint signature. Reports
 * edited records (hash mismatch), deleted ones (seq gaps), reordered ones
 * (seq going back), broken links (a record replaced with a recomputed hash),
 * bad or unknown signatures, and an unsealed tail (records after the last
 * checkpoint: a crash, a live log, or a truncated tail).
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { KeyObject } from 'node:crypto';
import { WardenError } from '../errors.ts';
import { agentFileStem, listAuditFiles, parseAuditFileName, type AgentFile } from './files.ts';
import { loadPublicKeys, verifyMessage } from './keys.ts';
import { GENESIS_HASH, checkpointMessage, lineHashes, recordHash } from './record.ts';

export interface FileReport {
  file: string;
  records: number;
  calls: number;
  checkpoints: number;
  firstSeq?: number;
  lastSeq?: number;
  /** Tamper evidence: any entry makes the file fail. */
  problems: string[];
  /** Records after the last valid checkpoint (0 when sealed). */
  unsealed: number;
  /** The file ends in a partial line: a write cut short by a crash (the writer removes it when it reopens the file). */
  partialTail?: boolean;
  ok: boolean;
}

export interface VerifyReport {
  ok: boolean;
  files: FileReport[];
}

export interface VerifyOptions {
  /** Extra public keys (PEM files); the directory's *.pub.pem are always loaded. */
  keyFiles?: string[];
  /** Treat an unsealed tail as a failure. */
  strict?: boolean;
}

/** Where the chain stands between files of one agent. */
interface ChainState {
  seq: number;
  hash: string;
  /** Seq of the last record covered by a valid checkpoint. */
  sealedSeq: number;
}

const MAX_PROBLEMS = 50;

/** Verifies one audit file or every agent chain in a directory. */
export async function verifyAuditPath(path: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new WardenError('WARDEN_BAD_REQUEST', `${path}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`);
  });
  const dir = info.isDirectory() ? path : dirname(path);
  const keys = await loadPublicKeys(dir, options.keyFiles);
  const files: FileReport[] = [];
  if (info.isDirectory()) {
    for (const chainFiles of (await listAuditFiles(dir)).values()) {
      files.push(...(await verifyChain(chainFiles, keys, options)));
    }
  } else {
    const parsed = parseAuditFileName(basename(path));
    const file: AgentFile = { stem: parsed?.stem ?? '', path };
    if (parsed?.firstSeq !== undefined) file.firstSeq = parsed.firstSeq;
    files.push(...(await verifyChain([file], keys, options, true)));
  }
  return { ok: files.every((f) => f.ok), files };
}

async function verifyChain(chainFiles: AgentFile[], keys: Map<string, KeyObject>, options: VerifyOptions, alone = false): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  let state: ChainState | undefined;
  for (const file of chainFiles) {
    const report = await verifyFile(file, state, keys, alone);
    state = report.state;
    reports.push(report.report);
  }
  // Only the newest file's tail can be unsealed: older ones end before a rotation checkpoint.
  const last = reports.at(-1);
  if (last && state && state.sealedSeq < state.seq) {
    last.unsealed = state.seq - state.sealedSeq;
    if (options.strict) last.problems.push(`${last.unsealed} records after seq ${state.sealedSeq} are not covered by a signed checkpoint`);
  }
  for (const r of reports) r.ok = r.problems.length === 0;
  return reports;
}

async function verifyFile(
  file: AgentFile,
  start: ChainState | undefined,
  keys: Map<string, KeyObject>,
  alone: boolean,
): Promise<{ report: FileReport; state: ChainState | undefined }> {
  const report: FileReport = { file: file.path, records: 0, calls: 0, checkpoints: 0, problems: [], unsealed: 0, ok: false };
  const problem = (text: string): void => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(text);
    else if (report.problems.length === MAX_PROBLEMS) report.problems.push('… more problems not shown');
  };
  let state = start;
  const seqs: number[] = [];
  let lineNo = 0;
  let unparsedLast = -1;
  const lines = createInterface({ input: createReadStream(file.path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo++;
    if (line === '') continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      problem(`line ${lineNo}: not a JSON record (edited, or a partial write)`);
      unparsedLast = lineNo;
      continue;
    }
    const seq = rec.seq;
    const where = `line ${lineNo} (seq ${String(seq)})`;
    if (typeof seq !== 'number' || typeof rec.hash !== 'string' || typeof rec.prev !== 'string') {
      problem(`${where}: missing seq/prev/hash`);
      continue;
    }
    report.records++;
    seqs.push(seq);
    report.firstSeq ??= seq;
    report.lastSeq = seq;
    if (!hashMatches(rec, line)) problem(`${where}: hash mismatch: the record was edited`);
    if (state === undefined) {
      if (alone && seq !== 1) {
        // A single file checked on its own: trust its first link, say where it starts.
      } else if (seq !== 1 || rec.prev !== GENESIS_HASH) {
        problem(`${where}: the chain starts at seq ${seq}: records before it are missing (deleted, or older files removed)`);
      }
      if (file.firstSeq !== undefined && file.firstSeq !== seq) problem(`${where}: the file name says it starts at seq ${file.firstSeq}: records at its head were deleted`);
    } else if (seq === state.seq + 1) {
      if (rec.prev !== state.hash) problem(`${where}: prev does not match the hash of seq ${state.seq}: a record was replaced or the chain spliced`);
    } else if (seq > state.seq + 1) {
      // Gaps are reported after the scan, once reorders are told apart from deletions.
    } else {
      problem(`${where}: comes after seq ${state.seq}: records were reordered or duplicated`);
    }
    const agent = rec.agent;
    if (typeof agent === 'string' && file.stem !== '' && agentFileStem(agent) !== file.stem) {
      problem(`${where}: a record of agent ${agent} in another agent's file`);
    }
    if (rec.kind === 'checkpoint') {
      report.checkpoints++;
      const key = typeof rec.key === 'string' ? keys.get(rec.key) : undefined;
      if (!key) problem(`${where}: checkpoint signed by unknown key ${String(rec.key)} (pass --key)`);
      else if (typeof agent !== 'string' || typeof rec.sig !== 'string' || !verifyMessage(key, checkpointMessage(agent, seq, rec.prev), rec.sig)) {
        problem(`${where}: checkpoint signature is invalid`);
      } else if (state && seq === state.seq + 1 && rec.prev === state.hash) {
        state = { seq, hash: rec.hash, sealedSeq: seq };
        continue;
      }
    } else {
      report.calls++;
    }
    state = { seq, hash: rec.hash, sealedSeq: state?.sealedSeq ?? (alone ? seq - 1 : 0) };
  }
  if (unparsedLast === lineNo && lineNo > 0 && !(await endsWithNewline(file.path))) {
    report.problems.pop();
    report.partialTail = true;
  }
  reportGaps(seqs, start, problem);
  return { report, state };
}

/** v1: the canonical JSON of the record without `hash`; v2 and later: the line's own bytes before the `hash` member. */
function hashMatches(rec: Record<string, unknown>, line: string): boolean {
  if (rec.v === 1) return recordHash(rec) === rec.hash;
  const hashes = lineHashes(line);
  return hashes !== undefined && hashes.claimed === rec.hash && hashes.actual === rec.hash;
}

async function endsWithNewline(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const { buffer } = await fh.read(Buffer.alloc(1), 0, 1, size - 1);
    return buffer[0] === 0x0a;
  } finally {
    await fh.close();
  }
}

/** Missing seqs are deletions; seqs present but out of place were already reported as reordered. */
function reportGaps(seqs: number[], start: ChainState | undefined, problem: (text: string) => void): void {
  if (seqs.length === 0) return;
  const present = new Set(seqs);
  const lo = start ? start.seq + 1 : seqs[0]!;
  let hi = lo;
  for (const s of seqs) if (s > hi) hi = s;
  let missingFrom: number | undefined;
  for (let s = lo; s <= hi + 1; s++) {
    if (s <= hi && !present.has(s)) {
      missingFrom ??= s;
    } else if (missingFrom !== undefined) {
      problem(missingFrom === s - 1 ? `seq ${missingFrom} is missing: a record was deleted` : `seq ${missingFrom}..${s - 1} are missing: records were deleted`);
      missingFrom = undefined;
    }
  }
}
