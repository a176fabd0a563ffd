// A flash's per-target report as the one `job:progress` shape (shared/job.ts): the job is as far as
// its target furthest behind, failed targets drop out, and the per-target reports stay as they were.
import { describe, expect, it } from 'vitest';
import type { FlashPhase, TargetProgress } from '../../shared/flash.ts';
import { flashJobProgress } from '../../shared/job.ts';

const target = (name: string, phase: FlashPhase, bytesDone: number, bytesTotal: number | null, etaMs: number | null, failed = false): TargetProgress => ({
  target: name,
  phase,
  bytesDone,
  bytesTotal,
  bytesPerSecond: 1000,
  etaMs,
  failed,
});

describe('flashJobProgress', () => {
  it('reports the phase of the target furthest behind, with the bytes, rate and longest time left of the targets in it', () => {
    const targets = [target('/dev/sdx', 'verifying', 10, 100, 90), target('/dev/sdy', 'writing', 30, 100, 70), target('/dev/sdz', 'writing', 50, 100, 50)];
    expect(flashJobProgress({ jobId: 'j', targets })).toEqual({
      jobId: 'j',
      kind: 'flash',
      phase: 'writing',
      bytesDone: 80,
      bytesTotal: 200,
      bytesPerSecond: 2000,
      etaMs: 70,
      targets,
      subject: null,
      files: null,
    });
  });

  it('leaves failed targets out, and says unknown (null) for the total and time left while a size is unknown', () => {
    const progress = flashJobProgress({
      jobId: 'j',
      targets: [target('/dev/sdx', 'writing', 5, null, null), target('/dev/sdy', 'preparing', 0, 100, null, true)],
    });
    expect(progress).toMatchObject({ phase: 'writing', bytesDone: 5, bytesTotal: null, etaMs: null });
  });

  it('is done once every target has failed or finished', () => {
    expect(flashJobProgress({ jobId: 'j', targets: [target('/dev/sdx', 'writing', 5, 10, 1, true)] })).toMatchObject({
      phase: 'done',
      bytesDone: 0,
      bytesTotal: 0,
      etaMs: null,
    });
  });
});
