// Benchmark (run by hand: `npx tsx test/bench/history/run.ts [--jobs 50000]`): the history journal at
// a long-used duplicator's scale (50,000 jobs, ~55 MB): what a listing holds and costs, and what a job's
// end costs, before and after compaction. Printed, not judged (the memory test holds the bounds).
//   1. In a child process (test/history/list-journal-memory.ts, so the numbers are the listing's own):
//      the first listing of the newest 100, the next one, a text search through every record; the
//      heap held after them (the index) and the peak RSS over the child's start.
//   2. In this process: the job end that compacts the journal (its size before and after), then a new
//      journal object's first job end on the compacted journal: its time and the bytes it read
//      (proc(5): /proc/self/io rchar).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openHistoryJournal } from '../../../src-main/history/history-journal.ts';
import { writeLargeJournal } from '../../history/large-journal.ts';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '50000' } } });
const jobCount = Number(values.jobs);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'isotope-bench-history-'));
const journalPath = join(dir, 'history.jsonl');
const mebibyte = 1024 * 1024;

const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
const target = { device: '/dev/loop9', model: null, serial: null, sizeBytes: 4096, busPath: null, outcome: 'running', error: null } as const;

/** One job through `journal` (a started and an ended line); the ended's time and the bytes this process read meanwhile. */
async function oneJob(journal: ReturnType<typeof openHistoryJournal>, id: string): Promise<{ endMs: number; readBytes: number }> {
  await journal.started({
    id,
    kind: 'verify',
    image: { path: '/bench.iso', url: null, sizeBytes: 1, sha256: null },
    targets: [target],
    mode: null,
    startedMs: Date.now(),
  });
  const readBefore = bytesRead();
  const startedMs = performance.now();
  await journal.ended(id, {
    endedMs: Date.now(),
    outcome: 'succeeded',
    writeBytesPerSecond: null,
    verifyBytesPerSecond: 1,
    verify: 'passed',
    error: null,
    targets: [{ ...target, outcome: 'succeeded' }],
  });
  return { endMs: performance.now() - startedMs, readBytes: bytesRead() - readBefore };
}

try {
  writeLargeJournal(journalPath, jobCount);
  const sizeBytes = statSync(journalPath).size;
  console.log(`journal: ${jobCount.toLocaleString('en')} jobs, ${(sizeBytes / mebibyte).toFixed(1)} MiB`);
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(repoRoot, 'test/history/list-journal-memory.ts'), journalPath], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`the listing child failed: ${child.stderr}`);
  const listing = JSON.parse(child.stdout) as Record<string, number>;
  const ms = (name: string) => `${Math.round(listing[name] ?? NaN)} ms`;
  console.log(`listing (newest 100): first ${ms('firstListingMs')}, next ${ms('nextListingMs')}; text search of every record: ${ms('searchMs')}`);
  console.log(
    `held between listings: ${listing.retainedHeapMiB?.toFixed(1)} MiB of heap; peak RSS over the child's start: ${listing.peakRssOverBaselineMiB?.toFixed(1)} MiB`,
  );
  const compacting = await oneJob(openHistoryJournal(journalPath), 'compacting');
  console.log(
    `the job end that compacts: ${Math.round(compacting.endMs)} ms, ${(sizeBytes / mebibyte).toFixed(1)} -> ${(statSync(journalPath).size / mebibyte).toFixed(1)} MiB`,
  );
  const next = await oneJob(openHistoryJournal(journalPath), 'after');
  console.log(`a new journal's first job end on the compacted journal: ${next.endMs.toFixed(1)} ms, ${next.readBytes.toLocaleString('en')} bytes read`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
