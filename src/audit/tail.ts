/**
 * `warden audit tail`: the latest call records, and with follow, new ones as
 * they are written. Follows rotation: when an agent's current file is renamed
 * away, the rest of it is read before the new file.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { listAuditFiles, agentFileStem, type AgentFile } from './files.ts';
import { matchesFilter, parseCallRecord, type RecordFilter } from './query.ts';
import type { CallRecord } from './record.ts';

export interface TailOptions {
  filter?: RecordFilter;
  /** How many of the latest records to show first. */
  lines?: number;
  follow?: boolean;
  /** How often to look for new records while following. */
  pollMs?: number;
  signal?: AbortSignal;
}

interface Cursor {
  ino: number;
  offset: number;
  /** Highest seq printed: guards against printing a record twice around a rotation. */
  seq: number;
}

const INITIAL_WINDOW = 256 * 1024;

/** Calls onRecord for the latest records, then (follow) for each new one until the signal aborts. */
export async function tailAuditRecords(dir: string, onRecord: (rec: CallRecord) => void, options: TailOptions = {}): Promise<void> {
  const filter = options.filter ?? {};
  const stemFilter = filter.agent !== undefined ? agentFileStem(filter.agent) : undefined;
  const cursors = new Map<string, Cursor>();

  const initial: CallRecord[] = [];
  for (const [stem, files] of await currentFiles(dir, stemFilter)) {
    const file = files.at(-1)!;
    const info = await stat(file.path);
    const start = Math.max(0, info.size - INITIAL_WINDOW);
    const { records, offset } = await readFrom(file.path, start, start > 0);
    initial.push(...records.filter((r) => matchesFilter(r, filter)));
    cursors.set(stem, { ino: info.ino, offset, seq: records.at(-1)?.seq ?? 0 });
  }
  initial.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  for (const rec of initial.slice(-(options.lines ?? 10))) onRecord(rec);
  if (!options.follow) return;

  const pollMs = options.pollMs ?? 250;
  while (!options.signal?.aborted) {
    try {
      await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return;
    }
    for (const [stem, files] of await currentFiles(dir, stemFilter)) {
      // Hold the current file open: the name may be rotated to another file while we read.
      let fh;
      try {
        fh = await open(files.at(-1)!.path, 'r');
      } catch {
        continue;
      }
      try {
        const info = await fh.stat();
        let cursor = cursors.get(stem);
        if (!cursor) {
          cursor = { ino: info.ino, offset: 0, seq: 0 };
          cursors.set(stem, cursor);
        } else if (cursor.ino !== info.ino) {
          // Rotated (maybe more than once since the last look): finish the renamed file, then
          // every file rotated after it, then the open one from its beginning.
          const fresh = (await listAuditFiles(dir)).get(stem) ?? files;
          const oldIndex = await indexByIno(fresh, cursor.ino);
          if (oldIndex >= 0) {
            emit(cursor, (await readFrom(fresh[oldIndex]!.path, cursor.offset, false)).records);
            for (let i = oldIndex + 1; i < fresh.length; i++) {
              if (fresh[i]!.firstSeq !== undefined) emit(cursor, (await readFrom(fresh[i]!.path, 0, false)).records);
            }
          }
          cursor.ino = info.ino;
          cursor.offset = 0;
        }
        const { records, offset } = await readHandle(fh, cursor.offset, false);
        cursor.offset = offset;
        emit(cursor, records);
      } finally {
        await fh.close();
      }
    }
  }

  function emit(cursor: Cursor, records: CallRecord[]): void {
    for (const rec of records) {
      if (rec.seq <= cursor.seq) continue;
      cursor.seq = rec.seq;
      if (matchesFilter(rec, filter)) onRecord(rec);
    }
  }
}

/** Each agent's files (current file last) that have a current file. */
async function currentFiles(dir: string, stem: string | undefined): Promise<[string, AgentFile[]][]> {
  const all = await listAuditFiles(dir);
  const out: [string, AgentFile[]][] = [];
  for (const [s, files] of all) {
    if (stem !== undefined && s !== stem) continue;
    if (files.at(-1)?.firstSeq === undefined) out.push([s, files]);
  }
  return out;
}

async function indexByIno(files: AgentFile[], ino: number): Promise<number> {
  for (let i = 0; i < files.length; i++) {
    try {
      if ((await stat(files[i]!.path)).ino === ino) return i;
    } catch {
      // gone
    }
  }
  return -1;
}

/** Complete records from a byte offset; the returned offset stops before any partial last line. */
async function readFrom(path: string, start: number, skipFirstLine: boolean): Promise<{ records: CallRecord[]; offset: number }> {
  const fh = await open(path, 'r');
  try {
    return await readHandle(fh, start, skipFirstLine);
  } finally {
    await fh.close();
  }
}

async function readHandle(fh: FileHandle, start: number, skipFirstLine: boolean): Promise<{ records: CallRecord[]; offset: number }> {
  const { size } = await fh.stat();
  if (size <= start) return { records: [], offset: start };
  const buf = Buffer.alloc(size - start);
  const { bytesRead } = await fh.read(buf, 0, buf.length, start);
  const end = buf.lastIndexOf(0x0a, bytesRead - 1);
  if (end < 0) return { records: [], offset: start };
  let text = buf.toString('utf8', 0, end);
  if (skipFirstLine) text = text.slice(text.indexOf('\n') + 1);
  const records: CallRecord[] = [];
  for (const line of text.split('\n')) {
    const rec = parseCallRecord(line);
    if (rec) records.push(rec);
  }
  return { records, offset: start + end + 1 };
}
