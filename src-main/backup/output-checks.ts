// Where a backup may be written (I/O): never onto the drive being read, never over a file (the image or
// its sidecar) unless asked, never over something that is not a regular file. All checked before the
// first byte is read.
// "On the drive" is decided by device numbers, not paths: the st_dev of the output's folder, and every
// block device that file system rests on - the slaves of a device-mapper or md device (dm-crypt, LVM,
// RAID), the backing file's device of a loop device, the mount source of a file system with an
// anonymous device number (btrfs reports 0:N) - each compared with the drive's and its partitions' numbers.
import { lstat, readFile, readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { deviceNumberOf } from '../drives/list-drives.ts';
import { parseMountinfo } from '../drives/mountinfo.ts';
import { CodedError } from '../jobs/errors.ts';
import { sidecarPathOf } from './backup-drive.ts';

/** Device numbers visited at most when following what a file system rests on (stacks are a few deep). */
const maxStackedDevices = 64;

export interface BackupOutputCheck {
  readonly outputPath: string;
  readonly overwrite: boolean;
  /** The drive being read: its whole-device number and its partitions'. */
  readonly device: string;
  readonly driveDeviceNumbers: readonly string[];
}

export async function checkBackupOutput(check: BackupOutputCheck): Promise<void> {
  // The sidecar is written too: an old one is replaced only when the image is.
  for (const path of [check.outputPath, sidecarPathOf(check.outputPath)]) await checkReplaceable(path, check.overwrite);
  const folder = dirname(check.outputPath);
  const folderStats = await stat(folder, { bigint: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CodedError('not-found', `the folder ${folder} does not exist`, { path: folder });
    throw error;
  });
  if (!folderStats.isDirectory()) throw new CodedError('not-a-file', `${folder} is not a folder`, { path: folder });
  const underlying = await devicesUnder(deviceNumberOf(folderStats.dev));
  const shared = check.driveDeviceNumbers.find((number) => underlying.has(number));
  if (shared !== undefined) {
    throw new CodedError(
      'output-on-source',
      `${folder} lies on ${check.device} (its file system rests on device ${shared}, which is that drive or one of its partitions): a backup of a drive cannot be written onto it`,
      { path: folder, deviceNumber: shared },
    );
  }
}

/** Nothing at `path`, or a regular file that may be replaced. */
async function checkReplaceable(path: string, overwrite: boolean): Promise<void> {
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing === null) return;
  if (!existing.isFile()) throw new CodedError('not-a-file', `${path} exists and is not a regular file: a backup replaces only a file`, { path });
  if (!overwrite) throw new CodedError('file-exists', `${path} exists (${existing.size} bytes); asked again with overwrite it is replaced`, { path });
}

/** `deviceNumber` and every block device beneath it, breadth first, at most maxStackedDevices. */
async function devicesUnder(deviceNumber: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [deviceNumber];
  const mounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8').catch(() => ''));
  while (queue.length > 0 && seen.size < maxStackedDevices) {
    const number = queue.shift() as string;
    if (seen.has(number)) continue;
    seen.add(number);
    if (number.startsWith('0:')) {
      // An anonymous device (btrfs, and also tmpfs, overlay, NFS): the block devices its mounts name.
      const sources = mounts.filter((mount) => mount.deviceNumber === number && isAbsolute(mount.source)).map((mount) => mount.source);
      for (const source of sources) queue.push(...(await blockDeviceNumberOf(source)));
      continue;
    }
    const sysfs = `/sys/dev/block/${number}`;
    for (const slave of await readdir(`${sysfs}/slaves`).catch(() => [])) {
      const text = await readFile(`${sysfs}/slaves/${slave}/dev`, 'utf8').catch(() => '');
      if (/^\d+:\d+$/.test(text.trim())) queue.push(text.trim());
    }
    const backingFile = (await readFile(`${sysfs}/loop/backing_file`, 'utf8').catch(() => '')).trim();
    if (isAbsolute(backingFile)) {
      const backing = await stat(backingFile, { bigint: true }).catch(() => null);
      if (backing !== null) queue.push(deviceNumberOf(backing.dev));
    }
  }
  return seen;
}

async function blockDeviceNumberOf(path: string): Promise<string[]> {
  const stats = await stat(path, { bigint: true }).catch(() => null);
  return stats?.isBlockDevice() ? [deviceNumberOf(stats.rdev)] : [];
}
