// Where a drive is plugged in (src-main/drives/bus-path.ts): a device with a parent on a bus gets the
// kernel's device path of that parent (udev's by-path name where udev runs); a loop device, which has
// none, gets null, as does anything that is not a /dev path.
import { readdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { busPathOf } from '../../src-main/drives/bus-path.ts';

/** A block device of this machine with a parent device on a bus (a virtio, SATA, NVMe or USB disk), read from sysfs. */
function diskWithParent(): { name: string; parentPath: string } | null {
  for (const name of readdirSync('/sys/class/block')) {
    try {
      const parentPath = realpathSync(join('/sys/class/block', name, 'device'));
      if (!parentPath.startsWith('/sys/devices/virtual/')) return { name, parentPath };
    } catch {
      // No parent device: a virtual block device.
    }
  }
  return null;
}

describe.skipIf(process.platform !== 'linux')('bus paths', () => {
  it('names no bus path for a loop device or a path outside /dev', async () => {
    expect(await busPathOf('/dev/loop0')).toBeNull();
    expect(await busPathOf('/tmp/stick.img')).toBeNull();
  });

  it.skipIf(diskWithParent() === null)("names a disk's parent device path under /sys/devices (without udev) or its by-path link (with udev)", async () => {
    const disk = diskWithParent()!;
    const busPath = await busPathOf(`/dev/${disk.name}`);
    expect(busPath).not.toBeNull();
    const byUdev = !busPath!.includes('/');
    if (byUdev) expect(realpathSync(join('/dev/disk/by-path', busPath!))).toBe(`/dev/${disk.name}`);
    else expect(`/sys/devices/${busPath}`).toBe(disk.parentPath);
  });
});
