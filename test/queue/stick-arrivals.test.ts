import { describe, expect, it } from 'vitest';
import { stickArrivals } from '../../src-main/queue/stick-arrivals.ts';

const stick = (device: string, sizeBytes = 8 * 2 ** 20) => ({ device, sizeBytes });

describe('which drives duplicator mode counts as newly inserted', () => {
  it('never counts a drive present at start, and counts one that appears later once', () => {
    const start = stickArrivals(new Set(), [stick('/dev/sdb')]);
    const next = stickArrivals(start.seen, [stick('/dev/sdb'), stick('/dev/sdc')]);
    expect(next.arrived.map((drive) => drive.device)).toEqual(['/dev/sdc']);
    expect(stickArrivals(next.seen, [stick('/dev/sdb'), stick('/dev/sdc')]).arrived).toEqual([]);
  });

  it('counts a written stick again only after it was removed and inserted again', () => {
    let seen = stickArrivals(new Set(), []).seen;
    seen = stickArrivals(seen, [stick('/dev/sdc')]).seen;
    expect(stickArrivals(seen, [stick('/dev/sdc')]).arrived).toEqual([]);
    seen = stickArrivals(seen, []).seen;
    expect(stickArrivals(seen, [stick('/dev/sdc')]).arrived.map((drive) => drive.device)).toEqual(['/dev/sdc']);
  });

  it('does not count a present drive again when its id changes (a loop device settling): one device, one write', () => {
    const seen = stickArrivals(new Set(), [{ ...stick('/dev/loop7'), id: 'loop7#?' }]).seen;
    expect(stickArrivals(seen, [{ ...stick('/dev/loop7'), id: 'loop7#backing' }]).arrived).toEqual([]);
  });

  it('counts a card reader when a card goes in, not while it is empty', () => {
    const empty = stickArrivals(new Set(), [stick('/dev/sdd', 0)]);
    expect(stickArrivals(empty.seen, [stick('/dev/sdd', 0)]).arrived).toEqual([]);
    expect(stickArrivals(empty.seen, [stick('/dev/sdd', 32 * 2 ** 30)]).arrived.map((drive) => drive.device)).toEqual(['/dev/sdd']);
  });
});
