// The history journal (src-main/history/history-journal.ts): records survive as lines on disk, a torn
// last line and damaged lines are skipped (and counted), a job whose process died reads as
// interrupted, and a large journal lists whole.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../shared/history.ts';
import { openHistoryJournal } from '../../src-main/history/history-journal.ts';
import type { EndedFields, StartedFields } from '../../src-main/history/journal-events.ts';

let dir: string;
let journalPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isotope-history-'));
  journalPath = join(dir, 'data', 'history.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function startedFields(id: string, startedMs: number, overrides: Partial<StartedFields> = {}): StartedFields {
  return {
    id,
    kind: 'flash',
    image: { path: `/images/${id}.iso`, url: null, sizeBytes: 1_048_576, sha256: null },
    targets: [
      {
        device: '/dev/sdx',
        model: 'Cruzer Blade',
        serial: 'SN-1',
        sizeBytes: 8_000_000_000,
        busPath: 'pci-0000:00:14.0-usb-0:2:1.0',
        outcome: 'running',
        error: null,
      },
    ],
    mode: 'raw',
    startedMs,
    ...overrides,
  };
}

function endedFields(endedMs: number): EndedFields {
  return {
    endedMs,
    outcome: 'succeeded',
    writeBytesPerSecond: 30_000_000,
    verifyBytesPerSecond: 90_000_000,
    verify: 'passed',
    error: null,
    targets: [
      {
        device: '/dev/sdx',
        model: 'Cruzer Blade',
        serial: 'SN-1',
        sizeBytes: 8_000_000_000,
        busPath: 'pci-0000:00:14.0-usb-0:2:1.0',
        outcome: 'succeeded',
        error: null,
      },
    ],
    image: { sha256: 'a'.repeat(64) },
  };
}

/** `count` ended jobs as the journal's lines (a started and an ended each), by a process that is gone. */
function endedJobLines(count: number, prefix: string): string {
  const owner = { pid: deadPid(), startTicks: null };
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    lines.push(JSON.stringify({ v: 1, event: 'started', owner, ...startedFields(`${prefix}-${index}`, 1_000_000 + index) }));
    lines.push(JSON.stringify({ v: 1, event: 'ended', id: `${prefix}-${index}`, ...endedFields(2_000_000 + index) }));
  }
  return `${lines.join('\n')}\n`;
}

/** Bytes this process has read through read(2) and its kin so far (proc(5): /proc/self/io rchar), its worker threads' too. */
function bytesReadByThisProcess(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
}

/** A pid no process holds any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 0;
}

describe('history journal', () => {
  it('writes one line per event and folds a started and its ended into one record, the SHA-256 of the end kept', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    await journal.ended('job-1', endedFields(5000));
    const lines = readFileSync(journalPath, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    const { records, total } = await journal.list({});
    expect(total).toBe(1);
    const record = records[0] as HistoryRecord;
    expect(record).toMatchObject({ id: 'job-1', outcome: 'succeeded', startedMs: 1000, endedMs: 5000, verify: 'passed', writeBytesPerSecond: 30_000_000 });
    expect(record.image).toEqual({ path: '/images/job-1.iso', url: null, sizeBytes: 1_048_576, sha256: 'a'.repeat(64) });
    expect(record.targets[0]).toMatchObject({ model: 'Cruzer Blade', outcome: 'succeeded' });
  });

  it('reads a job of this process that has not ended as running, and a missing journal as an empty history', async () => {
    const journal = openHistoryJournal(journalPath);
    expect(await journal.list({})).toEqual({ records: [], total: 0, skippedLines: 0 });
    await journal.started(startedFields('job-live', 1000));
    const { records } = await journal.list({});
    expect(records.map((record) => [record.outcome, record.targets[0]?.outcome])).toEqual([['running', 'running']]);
  });

  it('finds one record by its job id, ended or still running, and answers null for an id it does not hold', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-done', 1000));
    await journal.ended('job-done', endedFields(5000));
    await journal.started(startedFields('job-live', 2000));
    expect(await journal.find('job-done')).toMatchObject({ id: 'job-done', outcome: 'succeeded', endedMs: 5000, image: { sha256: 'a'.repeat(64) } });
    expect(await journal.find('job-live')).toMatchObject({ id: 'job-live', outcome: 'running', endedMs: null });
    expect(await journal.find('job-none')).toBeNull();
    const listed = await journal.list({});
    expect(await journal.find('job-done')).toEqual(listed.records.find((record) => record.id === 'job-done'));
  });

  it('reads a started job whose process is gone as interrupted, with its target', async () => {
    const started = { v: 1, event: 'started', owner: { pid: deadPid(), startTicks: null }, ...startedFields('job-killed', 2000) };
    const other = openHistoryJournal(journalPath);
    await other.started(startedFields('job-ok', 1000));
    appendFileSync(journalPath, `${JSON.stringify(started)}\n`);
    const { records } = await openHistoryJournal(journalPath).list({});
    const killed = records.find((record) => record.id === 'job-killed');
    expect(killed).toMatchObject({ outcome: 'interrupted', endedMs: null });
    expect(killed?.targets).toEqual([expect.objectContaining({ device: '/dev/sdx', model: 'Cruzer Blade', outcome: 'interrupted' })]);
  });

  it('reads a pid reused by another process (a different start time) as interrupted', async () => {
    // This process's own pid, but a start time it never had: the process that wrote the line is gone.
    const started = { v: 1, event: 'started', owner: { pid: process.pid, startTicks: 1 }, ...startedFields('job-old', 2000) };
    await openHistoryJournal(journalPath).started(startedFields('job-first', 1000));
    appendFileSync(journalPath, `${JSON.stringify(started)}\n`);
    const { records } = await openHistoryJournal(journalPath).list({ outcomes: ['interrupted'] });
    expect(records.map((record) => record.id)).toEqual(['job-old']);
  });

  it('ignores a torn last line (a write cut short) and keeps every whole line before it', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    await journal.ended('job-1', endedFields(2000));
    const whole = JSON.stringify({ v: 1, event: 'ended', id: 'job-2', ...endedFields(3000) });
    appendFileSync(journalPath, whole.slice(0, whole.length / 2));
    const listed = await journal.list({});
    expect(listed.records.map((record) => [record.id, record.outcome])).toEqual([['job-1', 'succeeded']]);
    expect(listed.skippedLines).toBe(0);
  });

  it('lists again from where it stopped: a line torn at the first listing is read whole once completed, and a replaced file is read afresh', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    const ended = `${JSON.stringify({ v: 1, event: 'ended', id: 'job-1', ...endedFields(2000) })}\n`;
    appendFileSync(journalPath, ended.slice(0, 40));
    expect((await journal.list({})).records.map((record) => record.outcome)).toEqual(['running']);
    appendFileSync(journalPath, ended.slice(40));
    await journal.started(startedFields('job-2', 3000));
    const listed = await journal.list({});
    expect(listed.records.map((record) => [record.id, record.outcome])).toEqual([
      ['job-2', 'running'],
      ['job-1', 'succeeded'],
    ]);
    expect(listed.skippedLines).toBe(0);
    // A new file under the same name (another inode): nothing of the old one is kept.
    const replacement = `${journalPath}.new`;
    writeFileSync(replacement, `${JSON.stringify({ v: 1, event: 'started', owner: { pid: deadPid(), startTicks: null }, ...startedFields('job-3', 5000) })}\n`);
    renameSync(replacement, journalPath);
    expect((await journal.list({})).records.map((record) => [record.id, record.outcome])).toEqual([['job-3', 'interrupted']]);
  });

  it('skips and counts lines that are not events: garbage, a line over 64 KiB, a wrong field, an ended without its start', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    appendFileSync(journalPath, 'not json at all\n');
    appendFileSync(
      journalPath,
      `${JSON.stringify({ v: 1, event: 'started', owner: { pid: 1, startTicks: null }, ...startedFields('x', 1), note: 'y'.repeat(70_000) })}\n`,
    );
    appendFileSync(journalPath, `${JSON.stringify({ v: 1, event: 'started', owner: { pid: 1, startTicks: null }, ...startedFields('job-bad', -5) })}\n`);
    appendFileSync(journalPath, `${JSON.stringify({ v: 1, event: 'ended', id: 'job-nowhere', ...endedFields(9) })}\n`);
    appendFileSync(journalPath, '\u0000\u00ff{{\n');
    await journal.ended('job-1', endedFields(2000));
    const listed = await journal.list({});
    expect(listed.records.map((record) => record.id)).toEqual(['job-1']);
    expect(listed.records[0]?.outcome).toBe('succeeded');
    expect(listed.skippedLines).toBe(5);
  });

  it('names the byte offset of the first line it skipped', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    const firstBadOffsetBytes = statSync(journalPath).size;
    appendFileSync(journalPath, 'not json at all\n');
    appendFileSync(journalPath, `${JSON.stringify({ v: 1, event: 'ended', id: 'job-nowhere', ...endedFields(9) })}\n`);
    expect(await journal.list({})).toMatchObject({ skippedLines: 2, firstSkippedOffsetBytes: firstBadOffsetBytes });
    await journal.ended('job-1', endedFields(2000));
    expect(await openHistoryJournal(journalPath).list({})).toMatchObject({ total: 1, skippedLines: 2, firstSkippedOffsetBytes: firstBadOffsetBytes });
  });

  it('answers what the file says now when a line was edited in place (same file, same size), not what it read before', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000));
    await journal.ended('job-1', endedFields(2000));
    await journal.started(startedFields('job-2', 3000));
    await journal.ended('job-2', endedFields(4000));
    expect((await journal.list({})).records.map((record) => record.id)).toEqual(['job-2', 'job-1']);
    // The same length in place: a model renamed, and a job's id changed in both its lines.
    writeFileSync(journalPath, readFileSync(journalPath, 'utf8').replaceAll('Cruzer Blade', 'Cruzer Blaze').replaceAll('job-1', 'job-7'));
    const listed = await journal.list({});
    expect(listed.records.map((record) => [record.id, record.targets[0]?.model])).toEqual([
      ['job-2', 'Cruzer Blaze'],
      ['job-7', 'Cruzer Blaze'],
    ]);
    expect(await journal.find('job-7')).toMatchObject({ id: 'job-7', outcome: 'succeeded' });
    expect(await journal.find('job-1')).toBeNull();
  });

  it('filters on the kind and outcome the file holds now when they were edited in place (same length), not on those it read before', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('job-1', 1000, { kind: 'verify' }));
    await journal.ended('job-1', endedFields(2000));
    expect(await journal.list({ kinds: ['verify'], outcomes: ['succeeded'] })).toMatchObject({ total: 1 });
    const edited = readFileSync(journalPath, 'utf8')
      .replace('"kind":"verify"', '"kind":"format"')
      .replace('"endedMs":2000,"outcome":"succeeded"', '"endedMs":2000,"outcome":"cancelled"');
    writeFileSync(journalPath, edited);
    expect(await journal.list({ kinds: ['verify'] })).toMatchObject({ total: 0, records: [] });
    expect(await journal.list({ outcomes: ['succeeded'] })).toMatchObject({ total: 0, records: [] });
    expect(await journal.list({ kinds: ['format'], outcomes: ['cancelled'] })).toMatchObject({
      total: 1,
      records: [{ id: 'job-1', kind: 'format', outcome: 'cancelled' }],
    });
  });

  it('filters by kind, outcome, time and text (image path, target model, serial or device), newest first, within the limit', async () => {
    const journal = openHistoryJournal(journalPath);
    await journal.started(startedFields('a', 1000, { kind: 'verify' }));
    await journal.ended('a', endedFields(1500));
    await journal.started(startedFields('b', 3000, { image: { path: '/isos/debian.iso', url: null, sizeBytes: 1, sha256: null } }));
    await journal.ended('b', { ...endedFields(3500), outcome: 'failed' });
    await journal.started(startedFields('c', 2000));
    await journal.ended('c', endedFields(2500));
    const ids = async (query: Parameters<typeof journal.list>[0]) => (await journal.list(query)).records.map((record) => record.id);
    expect(await ids({})).toEqual(['b', 'c', 'a']);
    expect(await ids({ kinds: ['verify'] })).toEqual(['a']);
    expect(await ids({ outcomes: ['failed'] })).toEqual(['b']);
    expect(await ids({ sinceMs: 1500, untilMs: 2500 })).toEqual(['c']);
    expect(await ids({ text: 'DEBIAN' })).toEqual(['b']);
    expect(await ids({ text: 'sn-1' })).toEqual(['b', 'c', 'a']);
    expect(await ids({ text: 'nothing like it' })).toEqual([]);
    expect(await journal.list({ limit: 2 })).toMatchObject({ total: 3, records: [{ id: 'b' }, { id: 'c' }] });
  });

  it('finds a text in a record whose line spells it with JSON escapes, and a text holding a quote or a backslash', async () => {
    const journal = openHistoryJournal(journalPath);
    const image = { path: 'C:\\isos\\"quoted" debian.iso', url: null, sizeBytes: 1, sha256: null };
    await journal.started(startedFields('plain', 1000, { image }));
    await journal.ended('plain', endedFields(1500));
    const owner = { pid: deadPid(), startTicks: null };
    // The same characters written as \u escapes (valid JSON an editor or another writer may produce).
    const escaped = JSON.stringify({ v: 1, event: 'started', owner, ...startedFields('escaped', 2000, { image: { ...image, path: '/isos/ubuntu.iso' } }) });
    appendFileSync(journalPath, `${escaped.replace('/isos/ubuntu.iso', '/isos/\\u0055buntu.iso')}\n`);
    const ids = async (text: string) => (await journal.list({ text })).records.map((record) => record.id);
    expect(await ids('UBUNTU')).toEqual(['escaped']);
    expect(await ids('"quoted" deb')).toEqual(['plain']);
    expect(await ids('\\isos\\')).toEqual(['plain']);
    expect(await ids('isos')).toEqual(['escaped', 'plain']);
  });

  it('lists 10,000 records whole from a journal of 20,000 lines', async () => {
    const lines: string[] = [];
    const owner = { pid: deadPid(), startTicks: null };
    for (let index = 0; index < 10_000; index += 1) {
      lines.push(JSON.stringify({ v: 1, event: 'started', owner, ...startedFields(`job-${index}`, 1_000_000 + index) }));
      lines.push(JSON.stringify({ v: 1, event: 'ended', id: `job-${index}`, ...endedFields(2_000_000 + index) }));
    }
    await openHistoryJournal(journalPath).started(startedFields('first', 1));
    appendFileSync(journalPath, `${lines.join('\n')}\n`);
    const listed = await openHistoryJournal(journalPath).list({ limit: 1000 });
    expect(listed.total).toBe(10_001);
    expect(listed.records).toHaveLength(1000);
    expect(listed.records[0]?.id).toBe('job-9999');
    expect(listed.skippedLines).toBe(0);
  });
});

describe('history journal compaction', () => {
  const compactingJournal = () => openHistoryJournal(journalPath, { compactAboveBytes: 4096 });

  it('rewrites the journal one line per record once it passes its size and no job runs, every record kept and an interrupted one still interrupted', async () => {
    const journal = compactingJournal();
    await journal.started(startedFields('first', 1));
    appendFileSync(journalPath, `${JSON.stringify({ v: 1, event: 'started', owner: { pid: deadPid(), startTicks: null }, ...startedFields('killed', 2) })}\n`);
    appendFileSync(journalPath, 'a damaged line\n');
    await journal.ended('first', endedFields(3));
    const before = await openHistoryJournal(journalPath).list({});
    for (let index = 0; index < 8; index += 1) {
      await journal.started(startedFields(`job-${index}`, 10 + index));
      await journal.ended(`job-${index}`, endedFields(20 + index));
    }
    const events = readFileSync(journalPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; id: string });
    // Compacted at the end that passed 4 KiB: records first, the interrupted job as its started line, no damaged line.
    expect(events[0]?.event).toBe('record');
    expect(events.filter(({ id }) => id === 'killed').map(({ event }) => event)).toEqual(['started']);
    expect(events.filter(({ event }) => event === 'ended').length).toBeLessThan(8);
    const after = await openHistoryJournal(journalPath).list({});
    expect(after.skippedLines).toBe(0);
    expect(after.total).toBe(10);
    expect(after.records.find((record) => record.id === 'killed')).toEqual(before.records.find((record) => record.id === 'killed'));
    expect(after.records.find((record) => record.id === 'killed')?.outcome).toBe('interrupted');
    expect(after.records.find((record) => record.id === 'first')).toEqual(before.records.find((record) => record.id === 'first'));
  });

  it('does not compact while another process runs a job, so its started line stays as written', async () => {
    // The parent process (vitest's) lives: its job is running.
    const journal = compactingJournal();
    await journal.started(startedFields('first', 1));
    appendFileSync(
      journalPath,
      `${JSON.stringify({ v: 1, event: 'started', owner: { pid: process.ppid, startTicks: null }, ...startedFields('elsewhere', 2) })}\n`,
    );
    for (let index = 0; index < 8; index += 1) {
      await journal.started(startedFields(`job-${index}`, 10 + index));
      await journal.ended(`job-${index}`, endedFields(20 + index));
    }
    await journal.ended('first', endedFields(3));
    expect(readFileSync(journalPath, 'utf8')).not.toContain('"event":"record"');
    expect((await journal.list({ outcomes: ['running'] })).records.map((record) => record.id)).toEqual(['elsewhere']);
  });

  it('names the compacted size in the first line, and compacts again once that many bytes more than the limit were appended', async () => {
    mkdirSync(join(dir, 'data'));
    const journal = compactingJournal();
    appendFileSync(journalPath, endedJobLines(8, 'old'));
    await journal.started(startedFields('first', 1));
    await journal.ended('first', endedFields(2));
    const firstLine = () => JSON.parse(readFileSync(journalPath, 'utf8').split('\n')[0] ?? '') as { event: string; compactedBytes?: number };
    expect(firstLine()).toMatchObject({ event: 'record', compactedBytes: statSync(journalPath).size });
    const compactedBytes = statSync(journalPath).size;
    // Below the limit past the compacted size: nothing is rewritten.
    await journal.started(startedFields('second', 3));
    await journal.ended('second', endedFields(4));
    expect(firstLine().compactedBytes).toBe(compactedBytes);
    appendFileSync(journalPath, endedJobLines(4, 'more'));
    await journal.started(startedFields('third', 5));
    await journal.ended('third', endedFields(6));
    expect(firstLine().compactedBytes).toBe(statSync(journalPath).size);
    expect(readFileSync(journalPath, 'utf8')).not.toContain('"event":"ended"');
    expect((await openHistoryJournal(journalPath).list({})).total).toBe(15);
  });

  it("decides at a job's end from the file's size and its first line, without reading a compacted journal", async () => {
    mkdirSync(join(dir, 'data'));
    appendFileSync(journalPath, endedJobLines(5000, 'old'));
    const compacting = compactingJournal();
    await compacting.started(startedFields('first', 1));
    await compacting.ended('first', endedFields(2));
    const compactedBytes = statSync(journalPath).size;
    expect(compactedBytes).toBeGreaterThan(2 * 1024 * 1024);
    // A new journal object (a new process's first job) with a limit below the file's size but above what is appended since.
    const journal = openHistoryJournal(journalPath, { compactAboveBytes: 1024 * 1024 });
    await journal.started(startedFields('new', 1));
    const readBeforeBytes = bytesReadByThisProcess();
    await journal.ended('new', endedFields(2));
    const readBytes = bytesReadByThisProcess() - readBeforeBytes;
    expect(readBytes).toBeLessThan(64 * 1024);
    expect(statSync(journalPath).size).toBeGreaterThan(compactedBytes);
  });

  it('loses nothing when a compaction was killed before its rename: the temporary file is never read and the next compaction completes', async () => {
    const journal = compactingJournal();
    await journal.started(startedFields('first', 1));
    await journal.ended('first', endedFields(2));
    // What a compaction killed mid-write leaves: a half-written temporary file beside the journal.
    writeFileSync(`${journalPath}.compacting-${deadPid()}`, '{"v":1,"event":"record","id":"fir');
    writeFileSync(`${journalPath}.compacting-${process.pid}`, 'garbage\n');
    expect((await journal.list({})).records.map((record) => record.id)).toEqual(['first']);
    for (let index = 0; index < 8; index += 1) {
      await journal.started(startedFields(`job-${index}`, 10 + index));
      await journal.ended(`job-${index}`, endedFields(20 + index));
    }
    expect(readFileSync(journalPath, 'utf8')).toContain('"event":"record"');
    const listed = await journal.list({});
    expect(listed.total).toBe(9);
    expect(listed.skippedLines).toBe(0);
  });
});
