// Where a drive is plugged in, for the history's record of what went where (issue 19): the port a
// stick sat in tells two identical sticks apart on a duplicator. Linux only (elsewhere null):
// udev's ID_PATH, which it publishes as the name of the /dev/disk/by-path/ link to the whole disk
// ("pci-0000:00:14.0-usb-0:2:1.0-scsi-0:0:0:0"); without udev (containers, minimal systems) the
// kernel's own device path under /sys/devices ("pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/..."),
// which names the same port. A device with neither (a loop device, a RAM disk) has none.
import { readdir, readlink, realpath } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

const byPathFolder = '/dev/disk/by-path';
const sysDevicesPrefix = '/sys/devices/';

/** The bus path of a whole-disk device such as /dev/sdb; null when it has none or it cannot be read. */
export async function busPathOf(device: string): Promise<string | null> {
  if (process.platform !== 'linux' || !device.startsWith('/dev/')) return null;
  return (await udevIdPath(device)) ?? (await sysfsDevicePath(basename(device)));
}

async function udevIdPath(device: string): Promise<string | null> {
  const names = await readdir(byPathFolder).catch(() => [] as string[]);
  // Partitions' links end in -partN; only the whole disk's link is its ID_PATH. The folder holds one link per port: bounded.
  for (const name of names.slice(0, 4096)) {
    if (/-part\d+$/.test(name)) continue;
    const target = await readlink(join(byPathFolder, name)).catch(() => null);
    if (target !== null && resolve(byPathFolder, target) === device) return name;
  }
  return null;
}

async function sysfsDevicePath(kernelName: string): Promise<string | null> {
  // /sys/class/block/NAME/device is the disk's parent device; virtual block devices (loop, ram, zram) have no such link.
  const path = await realpath(join('/sys/class/block', kernelName, 'device')).catch(() => null);
  if (path === null || !path.startsWith(sysDevicesPrefix) || path.startsWith(`${sysDevicesPrefix}virtual/`)) return null;
  return path.slice(sysDevicesPrefix.length);
}
