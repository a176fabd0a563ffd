// The history journal's memory and compaction at the scale issue 19 names (a duplicator writing
// 1,000 sticks a day): a 50 MB journal of 50,000 jobs lists in a child process (so the numbers are
// the listing's own) holding only an index between listings, and compacts into one line per job with every
// record kept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHistoryJournal } from '../../src-main/history/history-journal.ts';
import { writeLargeJournal } from './large-journal.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const jobCount = 50_000;
let dir: string;
let journalPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-history-memory-'));
  journalPath = join(dir, 'history.jsonl');
  writeLargeJournal(journalPath, jobCount);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('history journal at 50,000 jobs', () => {
  it('lists and searches a 50 MB journal holding under 12 MiB of heap between listings (an index, not the records) and peaking under 80 MiB of RSS over its start', () => {
    expect(statSync(journalPath).size).toBeGreaterThan(50_000_000);
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(repoRoot, 'test/history/list-journal-memory.ts'), journalPath], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stderr).toBe('');
    const measured = JSON.parse(child.stdout) as {
      total: number;
      returned: number;
      searchedIds: string[];
      searchedTotal: number;
      retainedHeapMiB: number;
      peakRssOverBaselineMiB: number;
    };
    console.log(
      `50,000-job journal: retained heap ${measured.retainedHeapMiB.toFixed(1)} MiB, peak RSS over baseline ${measured.peakRssOverBaselineMiB.toFixed(1)} MiB`,
    );
    expect(measured).toMatchObject({ total: jobCount, returned: 100, searchedTotal: 11 });
    // netinst-49999 ... netinst-49990, then netinst-4999: newest first.
    expect(measured.searchedIds.map((id) => Number(id.slice(-12)))).toEqual([
      49_999, 49_998, 49_997, 49_996, 49_995, 49_994, 49_993, 49_992, 49_991, 49_990, 4999,
    ]);
    // Before the index (records kept as JSON text): 61 MiB of heap, 102 MiB of RSS.
    expect(measured.retainedHeapMiB).toBeLessThan(12);
    expect(measured.peakRssOverBaselineMiB).toBeLessThan(80);
  }, 180_000);

  it('compacts the 50 MB journal into one line per job at the next job end, every record kept, to under 75% of its size', async () => {
    const before = await openHistoryJournal(journalPath).list({}, { maxRecords: jobCount + 1 });
    const sizeBeforeBytes = statSync(journalPath).size;
    const journal = openHistoryJournal(journalPath);
    await journal.started({
      id: 'last',
      kind: 'verify',
      image: { path: '/x.iso', url: null, sizeBytes: 1, sha256: null },
      targets: [],
      mode: null,
      startedMs: 1,
    });
    await journal.ended('last', {
      endedMs: 2,
      outcome: 'succeeded',
      writeBytesPerSecond: null,
      verifyBytesPerSecond: null,
      verify: 'passed',
      error: null,
      targets: [],
    });
    expect(statSync(journalPath).size).toBeLessThan(sizeBeforeBytes * 0.75);
    const after = await openHistoryJournal(journalPath).list({}, { maxRecords: jobCount + 1 });
    expect(after.total).toBe(jobCount + 1);
    expect(after.skippedLines).toBe(0);
    expect(after.records.filter((record) => record.id !== 'last')).toEqual(before.records);
  }, 180_000);
});
