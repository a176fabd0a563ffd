// `isotope history` (src-main/cli/commands/history-command.ts) in-process: bad options are usage
// errors (exit 2) naming the option; the table and --json read the journal of $ISOTOPE_HOME.
import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultDataDir } from '../../src-main/io/data-dir.ts';
import { historyJournal } from '../../src-main/service/job-history.ts';
import { isotope } from '../helpers/in-process-cli.ts';

const home = mkdtempSync(join(tmpdir(), 'isotope-history-cli-'));
beforeAll(() => void vi.stubEnv('ISOTOPE_HOME', home));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

describe('isotope history', () => {
  it('refuses an unknown kind or outcome, a date it cannot read and a limit out of range, with exit 2', async () => {
    for (const [args, message] of [
      [['--kind', 'burn'], '--kind burn is not one of flash, verify, format, backup, download'],
      [['--outcome', 'ok'], '--outcome ok is not one of'],
      [['--since', 'last tuesday'], '--since last tuesday is not a date'],
      [['--limit', '0'], '--limit 0 is not a whole number from 1 to 1000'],
      [['--limit', '1001'], '--limit 1001'],
    ] as const) {
      const run = await isotope(['history', ...args]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });

  it('says the history is empty, then lists a job as a table row and as JSON, filtered by kind and date', async () => {
    expect(await isotope(['history'])).toMatchObject({ code: 0, stdout: 'No jobs in the history.\n' });
    const startedMs = Date.UTC(2026, 11, 5, 8, 0);
    const target = {
      device: '/dev/sdz',
      model: 'Cruzer',
      serial: null,
      sizeBytes: 8 * 1024 ** 3,
      busPath: 'pci-0000:00:14.0-usb-0:1:1.0',
      outcome: 'running',
      error: null,
    } as const;
    await historyJournal.started({
      id: 'job-cli',
      kind: 'flash',
      image: { path: '/isos/debian.iso', url: null, sizeBytes: 1, sha256: null },
      targets: [target],
      mode: 'raw',
      startedMs,
    });
    await historyJournal.ended('job-cli', {
      endedMs: startedMs + 60_000,
      outcome: 'succeeded',
      writeBytesPerSecond: 30 * 1024 ** 2,
      verifyBytesPerSecond: 90 * 1024 ** 2,
      verify: 'passed',
      error: null,
      targets: [{ ...target, outcome: 'succeeded' }],
    });
    const table = await isotope(['history']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^WHEN \(UTC\)\s+WHAT\s+WHERE\s+OUTCOME\s+SPEEDS$/);
    expect(table.stdout).toContain(
      '2026-12-05 08:00  flash /isos/debian.iso  /dev/sdz (Cruzer, 8.00 GiB, pci-0000:00:14.0-usb-0:1:1.0)  succeeded, verify passed',
    );
    expect(table.stdout).toContain('write 30.0 MiB/s, verify 90.0 MiB/s');
    const json = await isotope(['history', '--json', '--kind', 'flash', '--since', '2026-12-05']);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 1, records: [{ id: 'job-cli', outcome: 'succeeded' }] });
    expect(JSON.parse((await isotope(['history', '--json', '--kind', 'backup'])).stdout)).toEqual({ records: [], total: 0 });
    expect(JSON.parse((await isotope(['history', '--json', '--since', '2026-12-06'])).stdout)).toEqual({ records: [], total: 0 });
  });

  it('says how many lines of the journal could not be read and at which byte the first is, in the table and as JSON', async () => {
    const journalPath = join(defaultDataDir(), 'history.jsonl');
    const firstOffsetBytes = statSync(journalPath).size;
    appendFileSync(journalPath, 'a line damaged by a disk error\n{"v":1,"event":"ended"}\n');
    const table = await isotope(['history']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('flash /isos/debian.iso');
    expect(table.stdout).toContain(`2 lines of the journal could not be read (first at byte ${firstOffsetBytes})\n`);
    const json = JSON.parse((await isotope(['history', '--json'])).stdout) as unknown;
    expect(json).toMatchObject({ total: 1, unreadLines: { count: 2, firstOffsetBytes } });
    expect(await isotope(['history', '--kind', 'backup'])).toMatchObject({
      code: 0,
      stdout: `No jobs in the history.\n2 lines of the journal could not be read (first at byte ${firstOffsetBytes})\n`,
    });
  });
});
