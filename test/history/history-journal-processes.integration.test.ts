// Two engines appending to one history journal at once (the CLI beside the app): every line lands
// whole, none interleaved, so every job of both reads back ended.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openHistoryJournal } from '../../src-main/history/history-journal.ts';
import { repoRoot } from '../fixtures/fixture-cache.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function appendFromChild(path: string, prefix: string, count: number): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/history/append-jobs.ts'), path, prefix, String(count)], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

it('keeps every line whole when two processes append to one journal at the same time', async () => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-history-two-'));
  const path = join(dir, 'history.jsonl');
  const count = 400;
  expect(await Promise.all([appendFromChild(path, 'one', count), appendFromChild(path, 'two', count)])).toEqual([0, 0]);
  const lines = readFileSync(path, 'utf8').split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(4 * count);
  for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  // Both writers' lines are interleaved in the file (they ran at once), each line whole.
  const firstTwo = lines.findIndex((line) => line.includes('"two-'));
  const lastOne = lines.findLastIndex((line) => line.includes('"one-'));
  expect(firstTwo).toBeLessThan(lastOne);
  const listed = await openHistoryJournal(path).list({ limit: 1000 });
  expect(listed.total).toBe(2 * count);
  expect(listed.skippedLines).toBe(0);
  expect(new Set(listed.records.map((record) => record.outcome))).toEqual(new Set(['succeeded']));
}, 120_000);
