// A child process for the concurrent-append test: appends COUNT jobs (a started and an ended event
// each) to the journal at PATH through the engine's own journal, ids prefixed with PREFIX.
import { openHistoryJournal } from '../../src-main/history/history-journal.ts';

const [path, prefix, countText] = process.argv.slice(2);
if (path === undefined || prefix === undefined || countText === undefined) throw new Error('usage: append-jobs.ts PATH PREFIX COUNT');
const journal = openHistoryJournal(path);
const target = { device: '/dev/loop9', model: null, serial: null, sizeBytes: 4096, busPath: null, outcome: 'running', error: null } as const;
for (let index = 0; index < Number(countText); index += 1) {
  const id = `${prefix}-${index}`;
  await journal.started({
    id,
    kind: 'flash',
    image: { path: `/images/${id}.iso`, url: null, sizeBytes: 4096, sha256: null },
    targets: [target],
    mode: 'raw',
    startedMs: Date.now(),
  });
  await journal.ended(id, {
    endedMs: Date.now(),
    outcome: 'succeeded',
    writeBytesPerSecond: 1,
    verifyBytesPerSecond: 1,
    verify: 'passed',
    error: null,
    targets: [{ ...target, outcome: 'succeeded' }],
  });
}
