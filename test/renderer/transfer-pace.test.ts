// The pace shown under a progress bar (a flash, a backup, an image being written): only what is
// known, so a job that has not measured its speed yet shows no "0 B/s".
import { describe, expect, it } from 'vitest';
import { transferPaceParts } from '../../src-renderer/messages.ts';

describe('transferPaceParts', () => {
  it('names the speed and the time left once both are known', () => {
    expect(transferPaceParts(12 * 1024 * 1024, 200_000)).toEqual(['12.0 MiB/s', '3 min 20 s left']);
  });

  it('leaves out a speed not yet measured and a time left not yet told', () => {
    expect(transferPaceParts(0, 5_000)).toEqual(['5.0 s left']);
    expect(transferPaceParts(2048, null)).toEqual(['2.00 KiB/s']);
    expect(transferPaceParts(0, null)).toEqual([]);
  });
});
