/**
 * Where the CPU went during a measurement: seconds used by one process, and how busy the whole machine was
 * (so a reader can tell a slow server from a saturated host). Reads Linux's /proc; elsewhere every reading
 * is undefined and the report leaves the figure out.
 */
import { readFileSync } from 'node:fs';

/**
 * Clock ticks per second in /proc figures. Linux fixes USER_HZ at 100 for userspace on every mainstream
 * architecture, and Node exposes no sysconf(_SC_CLK_TCK) to ask.
 */
const TICKS_PER_SECOND = 100;

function readProc(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** User plus system CPU time used so far by process `pid`, in seconds. */
export function processCpuSeconds(pid: number): number | undefined {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the parenthesised command name (which may itself contain spaces): utime is 14th, stime 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Machine-wide CPU counters at one instant, in ticks summed over all cores. */
export type MachineCpu = { busy: number; total: number };

export function machineCpu(): MachineCpu | undefined {
  const line = readProc('/proc/stat')?.split('\n')[0];
  if (!line?.startsWith('cpu ')) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: idle and iowait are the not-busy ones.
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** Share of all cores busy between two readings, 0..1. */
export function busyShare(before: MachineCpu | undefined, after: MachineCpu | undefined): number | undefined {
  if (!before || !after || after.total === before.total) return undefined;
  return (after.busy - before.busy) / (after.total - before.total);
}
