// A flash job's recorded verify result speaks for every target it wrote (issue 19's history records
// "verify result" per job): one target read back equal does not make a job whose other target failed
// "passed".
import { describe, expect, it } from 'vitest';
import type { TargetResult } from '../../shared/flash.ts';
import type { HistoryTarget } from '../../shared/history.ts';
import { flashRecordEnd } from '../../src-main/service/job-history.ts';

const stick = (device: string): HistoryTarget => ({ device, model: null, serial: null, sizeBytes: null, busPath: null, outcome: 'running', error: null });
const verified = (target: string): TargetResult => ({ target, outcome: 'verified', bytesWritten: 4096, error: null, mismatch: null, refusals: [] });
const failed = (target: string, code: 'write-failed' | 'verification-mismatch'): TargetResult => ({
  target,
  outcome: 'failed',
  bytesWritten: 2048,
  error: { code, message: `${target}: ${code}`, offsetBytes: 2048 },
  mismatch: code === 'verification-mismatch' ? { offsetBytes: 2048, lengthBytes: 512 } : null,
  refusals: [],
});
const started = [stick('/dev/sdx'), stick('/dev/sdy')];

describe('flashRecordEnd verify result', () => {
  it('is passed only when every target was read back equal', () => {
    expect(flashRecordEnd({ outcome: 'succeeded', targets: [verified('/dev/sdx'), verified('/dev/sdy')] }, started, true).verify).toBe('passed');
  });

  it('is not passed when one target verified and the other failed before its read-back', () => {
    const end = flashRecordEnd({ outcome: 'failed', targets: [verified('/dev/sdx'), failed('/dev/sdy', 'write-failed')] }, started, true);
    expect(end.verify).toBeNull();
    expect(end.targets.map((target) => target.outcome)).toEqual(['succeeded', 'failed']);
  });

  it('is failed when a target read back different bytes', () => {
    expect(flashRecordEnd({ outcome: 'failed', targets: [verified('/dev/sdx'), failed('/dev/sdy', 'verification-mismatch')] }, started, true).verify).toBe(
      'failed',
    );
  });

  it('is null when the job was not asked to verify', () => {
    expect(flashRecordEnd({ outcome: 'succeeded', targets: [verified('/dev/sdx'), verified('/dev/sdy')] }, started, false).verify).toBeNull();
  });
});
