/** CPU time and RSS of a process from /proc (Linux). */
import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // CLK_TCK on Linux

/** User + system CPU time of all threads of `pid`, in microseconds. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1e6) / TICKS_PER_S;
}

/** User + system CPU time of one thread (`tid`; the main thread's is the pid) of `pid`, in microseconds. */
export function threadCpuMicros(pid: number, tid = pid): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_S;
}

/** Resident set size of `pid` in bytes. */
export function rssBytes(pid: number): number {
  return statusKb(pid, 'VmRSS') * 1024;
}

/** The largest resident set size `pid` has had so far (its high-water mark), in bytes. */
export function peakRssBytes(pid: number): number {
  return statusKb(pid, 'VmHWM') * 1024;
}

function statusKb(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
  return m ? Number(m[1]) : 0;
}
