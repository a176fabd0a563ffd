// The drives adapter (I/O): runs lsblk and losetup, asks drivelist (not on Linux), reads
// /proc/self/mountinfo and /proc/swaps, and stats the image, then hands everything to the pure
// builders and rules.
import { execFile } from 'node:child_process';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { promisify } from 'node:util';
import type { Drive, DriveStatus, PartitionFit } from '../../shared/drive.ts';
import { buildDrives, type DrivelistEntry } from './build-drives.ts';
import { losetupColumns, lsblkColumns, parseLosetupJson, parseLsblkJson, type LoopBacking } from './lsblk.ts';
import { parseMountinfo, systemDeviceNumbersFrom } from './mountinfo.ts';
import { checkDrive, isHiddenByDefault, type SafetyContext, type SourceFacts } from './safety-rules.ts';

const run = promisify(execFile);

export interface DriveScan {
  readonly drives: readonly Drive[];
  readonly systemDeviceNumbers: readonly string[];
  readonly loops: readonly LoopBacking[];
}

/** One fresh enumeration: every block device, hidden ones included (filtering is the caller's). */
export async function scanDrives(): Promise<DriveScan> {
  const [lsblkText, losetupText, mountinfoText, swapNumbers, drivelist] = await Promise.all([
    runTool('lsblk', ['--json', '--bytes', '--paths', '--output', lsblkColumns]),
    runTool('losetup', ['--json', '--list', '--output', losetupColumns]).catch(() => ''),
    readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
    swapFileDeviceNumbers(),
    process.platform === 'linux' ? [] : listWithDrivelist(),
  ]);
  const loops = await Promise.all(parseLosetupJson(losetupText).map(withBackingIdentity));
  const systemDeviceNumbers = [...new Set([...systemDeviceNumbersFrom(parseMountinfo(mountinfoText)), ...swapNumbers])];
  const drives = buildDrives(parseLsblkJson(lsblkText), drivelist, { systemDeviceNumbers, loops });
  return { drives, systemDeviceNumbers, loops };
}

/**
 * losetup reads a loop's backing device and inode with LOOP_GET_STATUS64, which needs the loop open
 * (root); any other user gets null, and the rules could not tell that the image is a loop's backing
 * file. So they are read here by stat()ing the backing file the kernel names to every user (sysfs),
 * where this user may; a deleted backing file ("... (deleted)") or a folder closed to the user leaves them unknown.
 */
async function withBackingIdentity(loop: LoopBacking): Promise<LoopBacking> {
  if (loop.backingInode !== null || loop.backingFile === null || !isAbsolute(loop.backingFile)) return loop;
  const stats = await stat(loop.backingFile, { bigint: true }).catch(() => null);
  if (stats === null || !stats.isFile()) return loop;
  return { ...loop, backingDeviceNumber: deviceNumberOf(stats.dev), backingInode: Number(stats.ino) };
}

export interface DriveListOptions {
  /** "Show all drives" / --all: include virtual and fixed drives. */
  readonly includeAll: boolean;
  /** The image about to be written, to refuse the drive holding it and drives too small. */
  readonly source?: SourceFacts | null;
  readonly imageSizeBytes?: number | null;
  /** Whether a drive smaller than a disk image may hold its partitions alone (flash/partition-fit.ts). */
  readonly partitionFit?: PartitionFit | null;
}

/** The drives to show, each with the rules' verdict. */
export async function listDriveStatuses(options: DriveListOptions): Promise<DriveStatus[]> {
  const scan = await scanDrives();
  const context = safetyContext(scan, options);
  return scan.drives.filter((drive) => options.includeAll || !isHiddenByDefault(drive)).map((drive) => checkDrive(drive, context));
}

export function safetyContext(scan: DriveScan, options: DriveListOptions): SafetyContext {
  return {
    systemDeviceNumbers: scan.systemDeviceNumbers,
    loops: scan.loops,
    source: options.source ?? null,
    imageSizeBytes: options.imageSizeBytes ?? null,
    partitionFit: options.partitionFit ?? null,
    includeAll: options.includeAll,
  };
}

/** Where the image lives: stat() follows symlinks, and a bind mount keeps st_dev, so both resolve. */
export async function sourceFactsOf(imagePath: string): Promise<SourceFacts> {
  const stats = await stat(await realpath(imagePath), { bigint: true });
  return {
    deviceNumber: deviceNumberOf(stats.dev),
    inode: Number(stats.ino),
    blockDeviceNumber: stats.isBlockDevice() ? deviceNumberOf(stats.rdev) : null,
  };
}

/** glibc's major()/minor() split of a dev_t. */
export function deviceNumberOf(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

async function swapFileDeviceNumbers(): Promise<string[]> {
  const text = await readFile('/proc/swaps', 'utf8').catch(() => '');
  const paths = text
    .split('\n')
    .slice(1)
    .map((line) => line.split(/\s+/)[0] ?? '')
    .filter((path) => path.startsWith('/'));
  const numbers = await Promise.all(
    paths.slice(0, 256).map(async (path) => {
      const stats = await stat(path.replace(/\\040/g, ' '), { bigint: true }).catch(() => null);
      if (stats === null) return null;
      // A swap partition is its own device (rdev); a swap file lives on st_dev.
      return deviceNumberOf(stats.isBlockDevice() ? stats.rdev : stats.dev);
    }),
  );
  return numbers.filter((number): number is string => number !== null);
}

/**
 * Not called on Linux: there drivelist only runs lsblk again (drivelist/js/lsblk) and derives its
 * fields from the same columns this adapter already reads, so a scan would run lsblk twice. Its one
 * field of its own there, isSystem, means "not removable", which the rules already say as "fixed"
 * (hidden unless asked); "holds the running system" comes from mountpoints and device numbers.
 */
async function listWithDrivelist(): Promise<DrivelistEntry[]> {
  try {
    const drivelist = await import('drivelist');
    return await drivelist.list();
  } catch {
    // drivelist is native; without it lsblk alone still gives every fact the rules need.
    return [];
  }
}

async function runTool(command: string, args: readonly string[]): Promise<string> {
  const { stdout } = await run(command, [...args], { maxBuffer: 16 * 1024 * 1024, timeout: 15_000 });
  return stdout;
}
