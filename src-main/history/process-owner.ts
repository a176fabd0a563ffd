// Which process wrote a journal's `started` line, and whether it still runs: a job whose process is
// gone (kill -9, power loss) never writes its `ended` line and must read as interrupted, while one
// that another engine (the CLI beside the app) is running now reads as running. A pid alone is not
// enough, as the kernel reuses pids: on Linux the process's start time (proc(5): /proc/PID/stat
// field 22, clock ticks since boot) tells a reused pid apart. Elsewhere the pid alone is asked.
import { readFileSync } from 'node:fs';
import type { JournalOwner } from './journal-events.ts';

/** This process as a journal owner: read from /proc at the first `started`, once (a process's start time never changes). */
let thisOwner: JournalOwner | null = null;

/** This process as a journal owner. */
export function currentOwner(): JournalOwner {
  thisOwner ??= { pid: process.pid, startTicks: startTicksOf(process.pid) };
  return thisOwner;
}

/**
 * True while another process's owner runs (the same process, not a later one under its pid). This
 * process's own jobs are not asked here: the journal judges them by its liveJobIds (history-journal.ts),
 * and a job under this pid that is not in that set is not running (its process was an earlier one
 * under a reused pid).
 */
export function isOwnerAlive(owner: JournalOwner): boolean {
  if (!isPidAlive(owner.pid)) return false;
  if (owner.startTicks === null) return true;
  return startTicksOf(owner.pid) === owner.startTicks;
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs under another user (an elevated engine), so it is alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** proc(5): the fields after the command name, which is in parentheses and may itself hold spaces and ')'. */
function startTicksOf(pid: number): number | null {
  if (process.platform !== 'linux') return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Field 3 (state) is afterName[0], so field 22 (starttime) is afterName[19].
  const ticks = Number(afterName[19]);
  return Number.isSafeInteger(ticks) ? ticks : null;
}
