// Where a backup may go, checked before any byte is read: the compression a name implies, an existing
// file or a non-file at the path, a missing folder, and a folder whose file system rests on the drive
// being read (here the device number of the folder's own file system stands for that drive).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressionForPath } from '../../shared/backup.ts';
import { deviceNumberOf } from '../../src-main/drives/list-drives.ts';
import { checkBackupOutput } from '../../src-main/backup/output-checks.ts';

describe('backup output checks', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isotope-backup-output-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (outputPath: string, options: { overwrite?: boolean; driveDeviceNumbers?: string[] } = {}) =>
    checkBackupOutput({ outputPath, overwrite: options.overwrite ?? false, device: '/dev/sdz', driveDeviceNumbers: options.driveDeviceNumbers ?? ['259:99'] });

  it('takes the compression from the extension, any case; anything else is raw', () => {
    expect(['a.img.gz', 'A.IMG.XZ', 'b.zst', 'c.img', 'd.iso', 'e'].map(compressionForPath)).toEqual(['gzip', 'xz', 'zstd', 'none', 'none', 'none']);
  });

  it('accepts a new file in an existing folder on another device', async () => {
    await expect(check(join(dir, 'new.img'))).resolves.toBeUndefined();
  });

  it('refuses an existing file unless overwrite, naming it (file-exists)', async () => {
    const existing = join(dir, 'existing.img');
    writeFileSync(existing, 'x');
    await expect(check(existing)).rejects.toMatchObject({ code: 'file-exists', message: expect.stringContaining(existing) });
    await expect(check(existing, { overwrite: true })).resolves.toBeUndefined();
  });

  it('refuses a new image whose sidecar name is taken, unless overwrite (file-exists naming the sidecar)', async () => {
    writeFileSync(join(dir, 'orphan.img.sha256'), 'old digest');
    await expect(check(join(dir, 'orphan.img'))).rejects.toMatchObject({ code: 'file-exists', message: expect.stringContaining('orphan.img.sha256') });
    await expect(check(join(dir, 'orphan.img'), { overwrite: true })).resolves.toBeUndefined();
  });

  it('never replaces what is not a regular file, even with overwrite (not-a-file)', async () => {
    const folder = join(dir, 'a-folder.img');
    mkdirSync(folder);
    await expect(check(folder, { overwrite: true })).rejects.toMatchObject({ code: 'not-a-file' });
  });

  it('refuses a folder that does not exist (not-found)', async () => {
    await expect(check(join(dir, 'missing', 'x.img'))).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses a folder whose file system is on the drive being read (output-on-source), naming the device number', async () => {
    const folderDevice = deviceNumberOf(statSync(dir, { bigint: true }).dev);
    await expect(check(join(dir, 'self.img'), { driveDeviceNumbers: ['259:99', folderDevice] })).rejects.toMatchObject({
      code: 'output-on-source',
      message: expect.stringContaining(folderDevice),
    });
  });
});
