// A backup's proposed file name and its ending kept in step with the compression chosen
// (src-renderer/state/backup-names.ts): what the Drives screen's path box shows.
import { describe, expect, it } from 'vitest';
import { compressionForPath } from '../../shared/backup.ts';
import { suggestedBackupName, withCompressionEnding } from '../../src-renderer/state/backup-names.ts';

describe('backup file names', () => {
  it("names a backup after the drive's kernel name and the day, with the compression's ending", () => {
    const dayMs = Date.UTC(2026, 11, 4, 23, 59);
    expect(suggestedBackupName({ device: '/dev/sdb' }, 'none', dayMs)).toBe('sdb-2026-12-04.img');
    expect(suggestedBackupName({ device: '/dev/sdb' }, 'zstd', dayMs)).toBe('sdb-2026-12-04.img.zst');
    expect(suggestedBackupName({ device: '/dev/mmcblk0' }, 'gzip', dayMs)).toBe('mmcblk0-2026-12-04.img.gz');
  });

  it('swaps only the compression ending, so the engine reads the same compression from the name', () => {
    expect(withCompressionEnding('/home/ada/sdb.img.zst', 'xz')).toBe('/home/ada/sdb.img.xz');
    expect(withCompressionEnding('/home/ada/sdb.img.xz', 'none')).toBe('/home/ada/sdb.img');
    expect(withCompressionEnding('/home/ada/disk.iso', 'gzip')).toBe('/home/ada/disk.iso.gz');
    for (const compression of ['none', 'gzip', 'xz', 'zstd'] as const) {
      expect(compressionForPath(withCompressionEnding('/home/ada/sdb.img.gz', compression))).toBe(compression);
    }
  });
});
