// Duplicator mode's tally of the sticks it saw (src-main/queue/stick-tally.ts): exact counts however
// many sticks went by, a list of the newest N only, and a stick pushed off that list while it is
// still written still counted when its job ends.
import { describe, expect, it } from 'vitest';
import { StickTally } from '../../src-main/queue/stick-tally.ts';

describe("duplicator mode's stick tally", () => {
  it('keeps exact counts past the list, and only the newest sticks, newest first', () => {
    const tally = new StickTally(3);
    for (let index = 0; index < 1000; index += 1) {
      const device = `/dev/sd${index}`;
      if (index % 4 === 0) tally.addSkipped(device, 'Card reader', `${device} holds 1 MiB; the image needs 2 MiB`);
      else {
        tally.addWriting(device, 'USB stick', `job-${index}`);
        expect(tally.finish(`job-${index}`, index % 4 === 1 ? 'succeeded' : index % 4 === 2 ? 'failed' : 'cancelled')).toBe(true);
      }
    }
    const { sticks, ...counts } = tally.snapshot();
    expect(counts).toEqual({ written: 250, failed: 500, running: 0, skipped: 250 });
    expect(sticks).toEqual([
      { device: '/dev/sd999', description: 'USB stick', jobId: 'job-999', outcome: 'cancelled', skippedBecause: null },
      { device: '/dev/sd998', description: 'USB stick', jobId: 'job-998', outcome: 'failed', skippedBecause: null },
      { device: '/dev/sd997', description: 'USB stick', jobId: 'job-997', outcome: 'succeeded', skippedBecause: null },
    ]);
  });

  it('counts the end of a write whose stick newer ones pushed off the list, and knows its device is being written until then', () => {
    const tally = new StickTally(2);
    tally.addWriting('/dev/sdb', 'Slow stick', 'slow-job');
    for (const device of ['/dev/sdc', '/dev/sdd', '/dev/sde']) tally.addSkipped(device, 'Fixed disk', `${device} is not a removable USB stick`);
    expect(tally.snapshot()).toMatchObject({ running: 1, skipped: 3, sticks: [{ device: '/dev/sde' }, { device: '/dev/sdd' }] });
    expect(tally.isWriting('/dev/sdb')).toBe(true);
    expect(tally.finish('slow-job', 'succeeded')).toBe(true);
    expect(tally.isWriting('/dev/sdb')).toBe(false);
    expect(tally.snapshot()).toMatchObject({ written: 1, running: 0, skipped: 3 });
    expect(tally.runningCount).toBe(0);
  });

  it("ignores a job that is none of its sticks', and a job's end counted twice", () => {
    const tally = new StickTally(5);
    tally.addWriting('/dev/sdb', 'USB stick', 'ours');
    expect(tally.finish('another-queue-job', 'succeeded')).toBe(false);
    expect(tally.finish('ours', 'partial')).toBe(true);
    expect(tally.finish('ours', 'succeeded')).toBe(false);
    expect(tally.snapshot()).toMatchObject({ written: 0, failed: 1, running: 0, sticks: [{ jobId: 'ours', outcome: 'partial' }] });
  });

  it('gives a snapshot that later sticks do not change', () => {
    const tally = new StickTally(5);
    tally.addWriting('/dev/sdb', 'USB stick', 'first');
    const before = tally.snapshot();
    tally.finish('first', 'succeeded');
    tally.addSkipped('/dev/sdc', 'Fixed disk', 'fixed');
    expect(before).toEqual({
      written: 0,
      failed: 0,
      running: 1,
      skipped: 0,
      sticks: [{ device: '/dev/sdb', description: 'USB stick', jobId: 'first', outcome: null, skippedBecause: null }],
    });
  });
});
