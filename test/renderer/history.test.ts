// The History screen's state (src-renderer/state/history.svelte.ts) over the real engine: a write the
// engine runs appears in the shown list by itself when it finishes; the filters go to the engine;
// exports come back as files with their names and types; an unknown job's report is an error.
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultDataDir } from '../../src-main/io/data-dir.ts';
import { HistoryList } from '../../src-renderer/state/history.svelte.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { inProcessEngine } from './in-process-engine.ts';

// The history journal of this run only ($ISOTOPE_HOME/history.jsonl).
const home = mkdtempSync(join(tmpdir(), 'isotope-renderer-history-'));
beforeAll(() => void vi.stubEnv('ISOTOPE_HOME', home));
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

describe('HistoryList', () => {
  it('shows a write the engine finished without being asked again, filters through the engine, and exports', async () => {
    const { client, service } = inProcessEngine();
    const history = new HistoryList(client);
    await history.load();
    expect(history).toMatchObject({ loaded: true, total: 0, error: null });

    const stick = join(home, 'stick.img');
    writeFileSync(stick, Buffer.alloc(2 * 1024 * 1024));
    await service.startTerminalJob({ kind: 'flash', imagePath: helloIsoPath(), targets: [{ path: stick }], verify: true, includeAll: true, eject: false });
    await vi.waitFor(() => expect(history.records.map((record) => record.outcome)).toEqual(['succeeded']), { timeout: 20_000 });
    const [record] = history.records;
    expect(record).toMatchObject({ kind: 'flash', verify: 'passed', image: { path: helloIsoPath() }, targets: [{ device: stick, outcome: 'succeeded' }] });

    history.outcome = 'failed';
    await history.load();
    expect(history.records).toEqual([]);
    history.outcome = null;
    history.kind = 'flash';
    history.text = 'STICK.IMG';
    await history.load();
    expect(history.total).toBe(1);

    const csv = await history.exportList('csv');
    expect(csv?.mimeType).toBe('text/csv');
    expect(csv?.fileName).toMatch(/^isotope-history-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv?.text.split('\r\n')[1]).toContain(`,flash,succeeded,`);
    const json = await history.exportList('json');
    expect(JSON.parse(json?.text ?? 'null')).toEqual(history.records);
    history.reportId = record?.id ?? null;
    expect(history.report).toEqual(record);
    const html = await history.exportReport(record?.id ?? '');
    expect(html).toMatchObject({ mimeType: 'text/html' });
    expect(html?.text).toContain(stick);
    expect(await history.exportReport('no-such-job')).toBeNull();
    expect(history.error?.code).toBe('not-found');
  });

  it("carries the count of journal lines the engine could not read, and the first one's byte offset, into the list", async () => {
    const { client } = inProcessEngine();
    const history = new HistoryList(client);
    await history.load();
    expect(history.unreadLines).toBeNull();
    const journalPath = join(defaultDataDir(), 'history.jsonl');
    const firstOffsetBytes = existsSync(journalPath) ? statSync(journalPath).size : 0;
    appendFileSync(journalPath, 'a line damaged by a disk error\n');
    await history.load();
    expect(history.unreadLines).toEqual({ count: 1, firstOffsetBytes });
  });
});
