// service/queue-run.ts's runQueue once its `stop` was aborted before the first pair started (the CLI's
// Ctrl-C while the queue is being set up): no job starts, every row ends cancelled at a time, and the
// queue stops listening for jobs' ends (none will come to end it otherwise).
import { describe, expect, it } from 'vitest';
import { JobRegistry } from '../../src-main/jobs/job-registry.ts';
import { createEventHub, type EventHub } from '../../src-main/service/event-hub.ts';
import { runQueue, type ConfirmedPair } from '../../src-main/service/queue-run.ts';

/** A real event hub that counts its listeners. */
function countingHub(): EventHub & { listeners: () => number } {
  const hub = createEventHub();
  let listeners = 0;
  return {
    emit: hub.emit,
    subscribe(listener) {
      listeners += 1;
      const unsubscribe = hub.subscribe(listener);
      return () => {
        listeners -= 1;
        unsubscribe();
      };
    },
    listeners: () => listeners,
  };
}

const pairOf = (device: string): ConfirmedPair => ({
  imagePath: '/images/a.iso',
  driveId: device,
  device,
  work: { kind: 'flash', imagePath: '/images/a.iso', targets: [{ path: device }], verify: true, includeAll: false, eject: false },
  acknowledgedFindings: [],
});

describe('runQueue stopped before it starts', () => {
  it.each(['sequential', 'parallel'] as const)('%s: starts no job, ends every row cancelled with its end time, and stops listening', (order) => {
    const events = countingHub();
    const jobs = new JobRegistry();
    const beforeMs = Date.now();
    const logged: string[] = [];
    const log = (message: string): void => void logged.push(message);
    const state = runQueue({ events, jobs, options: { shell: 'cli', version: '1' }, log }, order, [pairOf('/dev/a'), pairOf('/dev/b')], AbortSignal.abort());
    expect(state.done).toBe(true);
    expect(state.rows.map(({ state: rowState, outcome, jobId }) => ({ rowState, outcome, jobId }))).toEqual([
      { rowState: 'ended', outcome: 'cancelled', jobId: null },
      { rowState: 'ended', outcome: 'cancelled', jobId: null },
    ]);
    for (const row of state.rows) expect(row.endedMs).toBeGreaterThanOrEqual(beforeMs);
    expect(events.listeners()).toBe(0);
    expect(logged).toEqual([]);
  });
});
