/**
 * Where an agent's audit records live. One chain per agent:
 *   <dir>/<agent>.jsonl                 the file being written
 *   <dir>/<agent>.<firstSeq>.jsonl      rotated files (firstSeq zero-padded to 12 digits)
 * Agent ids (often SPIFFE IDs) are percent-encoded so that any id maps to one
 * safe file name and back; the encoding leaves no '.', so names split cleanly.
 */
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const SAFE = /^[A-Za-z0-9_-]$/;
const MAX_STEM = 180;

/** The file-name stem for an agent id: [A-Za-z0-9_-] kept, everything else %XX (UTF-8). */
export function agentFileStem(agent: string): string {
  let out = '';
  for (const byte of Buffer.from(agent, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += SAFE.test(ch) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  if (out === '') out = '%00';
  // File names are limited to 255 bytes; long ids keep a prefix and a digest of the whole.
  if (out.length > MAX_STEM) out = out.slice(0, MAX_STEM - 17) + '~' + createHash('sha256').update(agent).digest('hex').slice(0, 16);
  return out;
}

/** The file currently written for an agent. */
export function currentFileName(agent: string): string {
  return `${agentFileStem(agent)}.jsonl`;
}

/** The name a file takes when rotated away; firstSeq is the seq of its first record. */
export function rotatedFileName(agent: string, firstSeq: number): string {
  return `${agentFileStem(agent)}.${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export interface AgentFile {
  /** File-name stem shared by an agent's files. */
  stem: string;
  path: string;
  /** First seq the name promises (rotated files), undefined for the current file. */
  firstSeq?: number;
}

const FILE_RE = /^([A-Za-z0-9_%~-]+)(?:\.(\d{12}))?\.jsonl$/;

/** Parses an audit file name; undefined when it is not one. */
export function parseAuditFileName(name: string): { stem: string; firstSeq?: number } | undefined {
  const m = FILE_RE.exec(name);
  if (!m) return undefined;
  return m[2] === undefined ? { stem: m[1]! } : { stem: m[1]!, firstSeq: Number(m[2]) };
}

/** An agent's files in chain order (rotated by first seq, then the current file). */
export async function listAuditFiles(dir: string): Promise<Map<string, AgentFile[]>> {
  const byStem = new Map<string, AgentFile[]>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return byStem;
    throw err;
  }
  for (const name of names) {
    const parsed = parseAuditFileName(name);
    if (!parsed) continue;
    const file: AgentFile = { stem: parsed.stem, path: join(dir, name) };
    if (parsed.firstSeq !== undefined) file.firstSeq = parsed.firstSeq;
    let list = byStem.get(parsed.stem);
    if (!list) byStem.set(parsed.stem, (list = []));
    list.push(file);
  }
  for (const list of byStem.values()) {
    list.sort((a, b) => (a.firstSeq ?? Number.MAX_SAFE_INTEGER) - (b.firstSeq ?? Number.MAX_SAFE_INTEGER));
  }
  return byStem;
}

/**
 * The last complete line of a file, and the byte length up to its end. A
 * trailing partial line (a write cut short by a crash) is reported so the
 * caller can cut it off.
 */
export async function readLastLine(path: string): Promise<{ line?: string; completeBytes: number; size: number }> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const chunk = 64 * 1024;
    let end = size;
    let tail = Buffer.alloc(0);
    let completeBytes: number | undefined;
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      tail = Buffer.concat([buf, tail]);
      end = start;
      if (completeBytes === undefined) {
        const nl = tail.lastIndexOf(0x0a);
        if (nl < 0) continue;
        completeBytes = end + nl + 1;
      }
      const lineEnd = completeBytes - end - 1;
      const prevNl = lineEnd > 0 ? tail.lastIndexOf(0x0a, lineEnd - 1) : -1;
      if (prevNl >= 0 || end === 0) {
        const line = tail.toString('utf8', prevNl + 1, lineEnd);
        return line === '' ? { completeBytes, size } : { line, completeBytes, size };
      }
    }
    return { completeBytes: completeBytes ?? 0, size };
  } finally {
    await fh.close();
  }
}

/** The first line of a file (undefined when the file has no complete line). */
export async function readFirstLine(path: string): Promise<string | undefined> {
  const fh = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    const parts: Buffer[] = [];
    let position = 0;
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return undefined;
      const nl = chunk.subarray(0, bytesRead).indexOf(0x0a);
      if (nl >= 0) {
        parts.push(Buffer.from(chunk.subarray(0, nl)));
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(Buffer.from(chunk.subarray(0, bytesRead)));
      position += bytesRead;
    }
  } finally {
    await fh.close();
  }
}
