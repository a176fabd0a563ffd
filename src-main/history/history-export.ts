// The history as files a user keeps (issue 19): CSV for spreadsheets, JSON for scripts, and one job's
// report as a printable HTML page. Every value in them came from a journal on disk and from names
// (image paths, drive models) anyone can choose, so each format escapes for its reader:
// CSV quotes per RFC 4180 and defuses formulas (a cell starting with = + - @, or a tab or carriage
// return, is prefixed with ' so a spreadsheet shows it as text: OWASP "CSV Injection"); HTML
// escapes every value and forbids scripts, connections and frames with its own CSP. Pure.
import type { AppError } from '../../shared/errors.ts';
import type { HistoryRecord, HistoryTarget } from '../../shared/history.ts';

const csvColumns = [
  'id',
  'kind',
  'outcome',
  'started_utc',
  'ended_utc',
  'image_path',
  'image_url',
  'image_size_bytes',
  'image_sha256',
  'mode',
  'write_bytes_per_second',
  'verify_bytes_per_second',
  'verify',
  'error_code',
  'error_message',
  'target_device',
  'target_model',
  'target_serial',
  'target_size_bytes',
  'target_bus_path',
  'target_outcome',
  'target_error_code',
  'target_error_message',
] as const;

/** One row per target (a job without targets, such as a download, has one row), the job's fields on each; CRLF line ends (RFC 4180 §2.1). */
export function historyToCsv(records: readonly HistoryRecord[]): string {
  const rows = [csvColumns.map(csvCell)];
  for (const record of records) {
    const job = [
      record.id,
      record.kind,
      record.outcome,
      utc(record.startedMs),
      utc(record.endedMs),
      record.image.path,
      record.image.url,
      record.image.sizeBytes,
      record.image.sha256,
      record.mode,
      record.writeBytesPerSecond,
      record.verifyBytesPerSecond,
      record.verify,
      record.error?.code ?? null,
      record.error?.message ?? null,
    ];
    const targets: readonly (HistoryTarget | null)[] = record.targets.length > 0 ? record.targets : [null];
    for (const target of targets) {
      const described = target
        ? [
            target.device,
            target.model,
            target.serial,
            target.sizeBytes,
            target.busPath,
            target.outcome,
            target.error?.code ?? null,
            target.error?.message ?? null,
          ]
        : [null, null, null, null, null, null, null, null];
      rows.push([...job, ...described].map(csvCell));
    }
  }
  return rows.map((row) => `${row.join(',')}\r\n`).join('');
}

/** RFC 4180 §2.5-2.7: a field holding a comma, a quote or a line break is quoted, its quotes doubled; a formula is defused first. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(value) : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The records as one JSON array, as history:list answers them. */
export function historyToJson(records: readonly HistoryRecord[]): string {
  return `${JSON.stringify(records, null, 2)}\n`;
}

/** One job's report: a self-contained page (no script, image, font or link to fetch), every value escaped, laid out for printing. */
export function historyRecordToHtml(record: HistoryRecord, generatedMs: number): string {
  const facts: [string, string | number | null][] = [
    ['Job', record.id],
    ['Kind', record.kind],
    ['Outcome', record.outcome],
    ['Started (UTC)', utc(record.startedMs)],
    ['Ended (UTC)', utc(record.endedMs)],
    ['Image', record.image.path ?? record.image.url],
    ['Image URL', record.image.url],
    ['Image size (bytes)', record.image.sizeBytes],
    ['Image SHA-256 (computed in this job)', record.image.sha256],
    ['Mode', record.mode],
    ['Write speed (bytes/s)', record.writeBytesPerSecond],
    ['Verify speed (bytes/s)', record.verifyBytesPerSecond],
    ['Verify', record.verify ?? 'not verified'],
    ['Error', describeError(record.error)],
  ];
  const factRows = facts.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
  const targetRows = record.targets
    .map((target) =>
      [target.device, target.model, target.serial, target.sizeBytes, target.busPath, target.outcome, describeError(target.error)]
        .map((value) => `<td>${escapeHtml(value)}</td>`)
        .join(''),
    )
    .map((cells) => `<tr>${cells}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Isotope job report: ${escapeHtml(record.kind)} ${escapeHtml(record.id)}</title>
<style>
body { font: 11pt/1.4 system-ui, sans-serif; margin: 2em; color: #000; background: #fff; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th, tbody th { background: #eee; }
@media print { body { margin: 0; } tr { break-inside: avoid; } }
</style>
</head>
<body>
<h1>Isotope job report</h1>
<table>
<tbody>
${factRows}
</tbody>
</table>
<h2>Targets</h2>
<table>
<thead><tr><th>Device</th><th>Model</th><th>Serial</th><th>Size (bytes)</th><th>Bus path</th><th>Outcome</th><th>Error</th></tr></thead>
<tbody>
${targetRows}
</tbody>
</table>
<p>Generated ${escapeHtml(utc(generatedMs))} UTC from the history journal.</p>
</body>
</html>
`;
}

function escapeHtml(value: string | number | null): string {
  if (value === null) return '';
  return String(value).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function describeError(error: AppError | null): string | null {
  return error === null ? null : `${error.code}: ${error.message}`;
}

/** Epoch ms as ISO 8601 in UTC without the zone letter (the column says UTC); null stays empty. */
function utc(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString().replace('T', ' ').replace('Z', '');
}
