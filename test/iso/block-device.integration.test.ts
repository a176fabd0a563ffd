// A block device is a byte source too: a read-only loop device over a real image lists like the file.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { openImageFile } from '../../src-main/image/open-image-file.ts';
import { helloIsoPath } from '../fixtures/first-slice.ts';
import { statSync } from 'node:fs';

describe('block devices', () => {
  it('measures a loop device through sysfs and lists the image on it', async () => {
    const device = execFileSync('losetup', ['-f', '--show', '-r', helloIsoPath()], { encoding: 'utf8' }).trim();
    try {
      const opened = await openImageFile(device);
      try {
        expect(opened.source.sizeBytes).toBe(statSync(helloIsoPath()).size);
        expect((await opened.image.listDirectory(opened.image.root)).map((entry) => entry.name).sort()).toEqual(['README.TXT', 'docs']);
      } finally {
        await opened.close();
      }
    } finally {
      execFileSync('losetup', ['-d', device]); // only the device this test attached
    }
  });
});
