// The safety rules: which drives may be written, and what to say about the others. Pure functions
// over the Drive model and facts the caller gathered (device numbers from mountinfo, stat and
// losetup), so every rule is tested against recorded lsblk output. Nothing here auto-selects.
// Identity is by device number ("major:minor"), never by path prefix: /dev/sda is not /dev/sdaa.
import type { Drive, DriveIssue, DriveStatus, PartitionFit } from '../../shared/drive.ts';
import { largeDriveThresholdBytes } from '../../shared/drive.ts';
import type { LoopBacking } from './lsblk.ts';

/**
 * Mountpoints whose drive holds the running system. Equality, not prefix: /bootstrap is not /boot.
 * The last ones are where live systems (Debian live, Ubuntu, Arch, dracut) mount the medium they run
 * from: its root is an overlay with no device number, so the medium is found by its mountpoint.
 */
export const systemMountpoints: ReadonlySet<string> = new Set([
  '/',
  '/boot',
  '/boot/efi',
  '/efi',
  '/usr',
  '/var',
  '/home',
  '/opt',
  '/srv',
  '/etc',
  '/nix',
  '/snap',
  '[SWAP]',
  '/run/live/medium',
  '/cdrom',
  '/run/archiso/bootmnt',
  '/run/initramfs/live',
]);

/** Where the image to be written lives, from a stat() of its real path. */
export interface SourceFacts {
  /** "major:minor" of the file system holding the image (st_dev). */
  readonly deviceNumber: string;
  readonly inode: number;
  /** When the source is itself a block device (cloning a drive): its st_rdev. */
  readonly blockDeviceNumber: string | null;
}

export interface SafetyContext {
  /** Device numbers of the file systems mounted at system mountpoints (from /proc/self/mountinfo) and of swap. */
  readonly systemDeviceNumbers: readonly string[];
  /** Every loop device and what backs it: follows loop-backed file systems down to real disks. */
  readonly loops: readonly LoopBacking[];
  /** The image to write; null when only listing drives. */
  readonly source: SourceFacts | null;
  /** Bytes the image will write; null when unknown (a compressed stream without a size). */
  readonly imageSizeBytes: number | null;
  /**
   * For a raw write of a disk image larger than some drive: whether a drive holding every partition
   * may take it (flash/partition-fit.ts). Absent or null: the drive must hold the whole image.
   */
  readonly partitionFit?: PartitionFit | null;
  /** "Show all drives" / --unsafe: virtual and fixed drives become real targets. */
  readonly includeAll: boolean;
}

/** At most this many loop hops are followed (a loop on a file on a loop on ...): real setups use 1-2. */
const maxLoopHops = 16;

/**
 * The device numbers that hold `start`: `start` itself, and for each loop device in the set, the
 * device holding its backing file, and so on. A file on a file system on /dev/loop3 backed by a file
 * on /dev/sdb1 is held by loop3 and by sdb1.
 */
export function expandThroughLoops(start: Iterable<string>, loops: readonly LoopBacking[]): Set<string> {
  const held = new Set(start);
  for (let hop = 0; hop < maxLoopHops; hop += 1) {
    let grew = false;
    for (const loop of loops) {
      if (held.has(loop.deviceNumber) && loop.backingDeviceNumber !== null && !held.has(loop.backingDeviceNumber)) {
        held.add(loop.backingDeviceNumber);
        grew = true;
      }
    }
    if (!grew) break;
  }
  return held;
}

/** The drive's own device number and its partitions'. */
export function deviceNumbersOf(drive: Drive): string[] {
  return drive.deviceNumber === null ? [...drive.partitionDeviceNumbers] : [drive.deviceNumber, ...drive.partitionDeviceNumbers];
}

/** True when the running system lives on this drive: a system mountpoint, or a device number under one. */
export function isSystemDrive(drive: Drive, context: Pick<SafetyContext, 'systemDeviceNumbers' | 'loops'>): boolean {
  if (drive.mountpoints.some((mountpoint) => systemMountpoints.has(mountpoint))) return true;
  const system = expandThroughLoops(context.systemDeviceNumbers, context.loops);
  return deviceNumbersOf(drive).some((number) => system.has(number));
}

/** Why writing `drive` would destroy the image being written, or null. */
export function sourceConflict(drive: Drive, context: Pick<SafetyContext, 'source' | 'loops'>): string | null {
  const source = context.source;
  if (source === null) return null;
  const own = deviceNumbersOf(drive);
  if (source.blockDeviceNumber !== null && own.includes(source.blockDeviceNumber)) {
    return `the source is ${drive.device} itself (device ${source.blockDeviceNumber})`;
  }
  // The image is a file: refuse the drive whose file system holds it, directly or through loops.
  const holders = expandThroughLoops([source.deviceNumber, ...(source.blockDeviceNumber === null ? [] : [source.blockDeviceNumber])], context.loops);
  const hit = own.find((number) => holders.has(number));
  if (hit !== undefined) return `the image is stored on device ${hit}, which is on ${drive.device}`;
  // A loop device whose backing file is the image itself: writing it would overwrite the image.
  const loop = context.loops.find((candidate) => candidate.deviceNumber === drive.deviceNumber);
  if (loop && loop.backingDeviceNumber === source.deviceNumber && loop.backingInode === source.inode) {
    return `${drive.device} is backed by the image itself (inode ${source.inode} on ${source.deviceNumber})`;
  }
  return null;
}

/** Hidden unless the user asks for all drives: virtual ones and fixed ones. */
export function isHiddenByDefault(drive: Drive): boolean {
  return drive.isVirtual || !(drive.isRemovable || drive.isUsb);
}

/** Applies every rule; `eligible` means no refusal. Warnings never block, refusals always do. */
export function checkDrive(drive: Drive, context: SafetyContext): DriveStatus {
  const refusals: DriveIssue[] = [];
  const warnings: DriveIssue[] = [];
  const refuse = (code: DriveIssue['code'], reason: string, more: Partial<DriveIssue> = {}): void =>
    void refusals.push({ code, severity: 'refusal', reason, ...more });
  const warn = (code: DriveIssue['code'], reason: string, more: Partial<DriveIssue> = {}): void =>
    void warnings.push({ code, severity: 'warning', reason, ...more });

  if (drive.isSystem || isSystemDrive(drive, context)) {
    refuse('system-drive', `${drive.device} holds the running system (mounted at ${drive.mountpoints.join(', ') || 'a system device number'})`);
  }
  const conflict = sourceConflict(drive, context);
  if (conflict !== null) refuse('source-drive', conflict);
  if (drive.isReadOnly) refuse('read-only', `${drive.device} is read-only`);
  if (context.imageSizeBytes !== null && context.imageSizeBytes > drive.sizeBytes) {
    const size = sizeVerdict(drive, context.imageSizeBytes, context.partitionFit ?? null);
    if (size.fits) warn('smaller-than-image', size.reason, size.more);
    else refuse('too-small', size.reason, size.more);
  }
  if (drive.sizeBytes === 0) refuse('too-small', `${drive.device} reports a size of 0 bytes (no medium?)`);
  if (isHiddenByDefault(drive)) {
    if (!context.includeAll) {
      refuse('hidden-drive', `${drive.device} is ${drive.isVirtual ? 'virtual' : 'fixed'}: listed only with "show all drives" (--all/--unsafe)`);
    } else if (drive.isVirtual) {
      warn('virtual-drive', `${drive.device} is a virtual device`);
    } else {
      warn('not-removable', `${drive.device} is a fixed (non-removable) disk`);
    }
  }
  if (drive.sizeBytes > largeDriveThresholdBytes) {
    warn('large-drive', `${drive.device} holds ${drive.sizeBytes} bytes, more than a typical USB stick (${largeDriveThresholdBytes})`);
  }
  if (drive.mountpoints.length > 0 && refusals.every((issue) => issue.code !== 'system-drive')) {
    warn('mounted', `${drive.device} is mounted at ${drive.mountpoints.join(', ')}; flashing unmounts it first`);
  }
  return { drive, eligible: refusals.length === 0, refusals, warnings };
}

/**
 * A drive smaller than the image: it may take a disk image whose partitions it holds, when the
 * partition fit allows (every byte past them zero, the GPT backup within), and only their bytes are
 * written; else it is too small, and the reason says why the partitions alone do not do.
 */
function sizeVerdict(
  drive: Drive,
  imageSizeBytes: number,
  fit: PartitionFit | null,
): { fits: boolean; reason: string; more: Pick<DriveIssue, 'partitionFit'> } {
  const tooSmall = `the image is ${imageSizeBytes} bytes, ${drive.device} holds ${drive.sizeBytes}`;
  const required = fit?.requiredTargetBytes ?? null;
  if (fit === null || required === null) return { fits: false, reason: fit?.refusal ? `${tooSmall}; ${fit.refusal}` : tooSmall, more: {} };
  const more = { partitionFit: { imageSizeBytes, requiredTargetBytes: required } };
  if (required > drive.sizeBytes) return { fits: false, reason: `${tooSmall}; even its partitions end at byte ${required}`, more };
  if (fit.refusal !== null) return { fits: false, reason: `${tooSmall}; its partitions end at byte ${required}, but ${fit.refusal}`, more };
  const reason =
    `${drive.device} holds ${drive.sizeBytes} bytes, ${imageSizeBytes - drive.sizeBytes} fewer than the image (${imageSizeBytes}); ` +
    `it holds every partition (they end at byte ${required}): only the first ${required} bytes are written`;
  return { fits: true, reason, more };
}

/**
 * Drives that do not look like a USB stick (large, fixed or virtual) need their name typed, even
 * where the shell shows its own confirmation: a slip of the mouse must never be enough to wipe them.
 */
export function needsTypedName(status: DriveStatus): boolean {
  return status.warnings.some((issue) => issue.code === 'large-drive' || issue.code === 'not-removable' || issue.code === 'virtual-drive');
}

/** What the user types to confirm: the kernel name of the device ("sdb", "loop7"). */
export function nameToTypeOf(device: string): string {
  return device.split('/').pop() ?? device;
}
