import { describe, expect, it } from 'vitest';
import { stickArrivals } from '../../src-main/queue/stick-arrivals.ts';

const stick = (id: string, sizeBytes = 8 * 2 ** 20) => ({ id, sizeBytes });

describe('which drives duplicator mode counts as newly inserted', () => {
  it('never counts a drive present at start, and counts one that appears later once', () => {
    const start = stickArrivals(new Set(), [stick('sdb')]);
    const next = stickArrivals(start.seen, [stick('sdb'), stick('sdc')]);
    expect(next.arrived.map((drive) => drive.id)).toEqual(['sdc']);
    expect(stickArrivals(next.seen, [stick('sdb'), stick('sdc')]).arrived).toEqual([]);
  });

  it('counts a written stick again only after it was removed and inserted again', () => {
    let seen = stickArrivals(new Set(), []).seen;
    seen = stickArrivals(seen, [stick('sdc')]).seen;
    expect(stickArrivals(seen, [stick('sdc')]).arrived).toEqual([]);
    seen = stickArrivals(seen, []).seen;
    expect(stickArrivals(seen, [stick('sdc')]).arrived.map((drive) => drive.id)).toEqual(['sdc']);
  });

  it('counts a card reader when a card goes in, not while it is empty', () => {
    const empty = stickArrivals(new Set(), [stick('sdd#0', 0)]);
    expect(stickArrivals(empty.seen, [stick('sdd#0', 0)]).arrived).toEqual([]);
    expect(stickArrivals(empty.seen, [stick('sdd#32', 32 * 2 ** 30)]).arrived.map((drive) => drive.id)).toEqual(['sdd#32']);
  });
});
