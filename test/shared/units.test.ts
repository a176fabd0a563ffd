import { describe, expect, it } from 'vitest';
import { formatBytes, formatBytesOfTotal } from '../../shared/units.ts';

describe('formatBytesOfTotal', () => {
  it('says a part in the unit of the whole, as the summary of a cut download does', () => {
    expect(formatBytesOfTotal(Math.round(95.4 * 1024 * 1024), 210 * 1024 * 1024)).toBe('95.4 of 210 MiB');
    expect(formatBytesOfTotal(943_718, 2 * 1024 * 1024)).toBe('0.90 of 2.00 MiB');
    expect(formatBytesOfTotal(100, 512)).toBe('100 of 512 B');
  });

  it('agrees with formatBytes on the whole', () => {
    expect(formatBytesOfTotal(1, 5 * 1024 ** 3).endsWith(formatBytes(5 * 1024 ** 3))).toBe(true);
  });

  it('answers ? for sizes that are not sizes', () => {
    expect(formatBytesOfTotal(-1, 10)).toBe('?');
    expect(formatBytesOfTotal(1, Number.NaN)).toBe('?');
  });
});
