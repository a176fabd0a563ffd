// Builds the one Drive model from lsblk's tree (device numbers, partitions, mountpoints, sizes) and,
// where it knows the drive, drivelist's view (description, USB, system; other systems than Linux,
// where lsblk is all there is). Pure: the adapter in list-drives.ts runs the tools and passes their
// output in.
import { createHash } from 'node:crypto';
import type { Drive } from '../../shared/drive.ts';
import type { LsblkDevice } from './lsblk.ts';
import { isSystemDrive, type SafetyContext } from './safety-rules.ts';

/** The fields of drivelist's `Drive` this module reads (drivelist's own type stays in list-drives.ts). */
export interface DrivelistEntry {
  readonly device: string;
  readonly raw: string;
  readonly description: string;
  readonly size: number | null;
  readonly logicalBlockSize: number;
  readonly blockSize: number;
  readonly isUSB: boolean | null;
  readonly isSystem: boolean;
  readonly isVirtual: boolean | null;
  readonly isRemovable: boolean;
  readonly isReadOnly: boolean;
  readonly mountpoints: readonly { readonly path: string }[];
}

/** Top-level lsblk types that can be flashed; partitions and holders (crypt, lvm) are parts of a drive. */
const driveTypes: ReadonlySet<string> = new Set(['disk', 'loop']);
const virtualNamePattern = /^\/dev\/(loop|zram|ram|nbd)\d+$/;

/**
 * Devices in natural order (/dev/loop2 before /dev/loop10): each run of digits compared as a number,
 * by padding it. Device names are ASCII. ICU's collation (localeCompare with a locale and options)
 * built a collator per comparison, ~17 ms for a machine's dozen loop devices on each refresh of the
 * list; even one collator costs ~12 ms to create, in every process that lists drives.
 */
function compareDevices(a: string, b: string): number {
  const keyA = naturalKey(a);
  const keyB = naturalKey(b);
  return keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
}

function naturalKey(device: string): string {
  return device.replace(/\d+/g, (digits) => digits.padStart(10, '0'));
}

export function buildDrives(
  lsblk: readonly LsblkDevice[],
  drivelist: readonly DrivelistEntry[],
  context: Pick<SafetyContext, 'systemDeviceNumbers' | 'loops'>,
): Drive[] {
  const byDevice = new Map(drivelist.map((entry) => [entry.device, entry]));
  const drives: Drive[] = [];
  for (const node of lsblk) {
    if (!driveTypes.has(node.type)) continue;
    drives.push(fromLsblk(node, byDevice.get(node.path) ?? null, context));
  }
  // Drives drivelist sees and lsblk does not (other platforms, or lsblk missing): keep them, without device numbers.
  const seen = new Set(drives.map((drive) => drive.device));
  for (const entry of drivelist) {
    if (!seen.has(entry.device)) drives.push(fromDrivelist(entry));
  }
  return drives.sort((a, b) => compareDevices(a.device, b.device));
}

function fromLsblk(node: LsblkDevice, entry: DrivelistEntry | null, context: Pick<SafetyContext, 'systemDeviceNumbers' | 'loops'>): Drive {
  const descendants = flatten(node.children);
  const mountpoints = [...new Set([...node.mountpoints, ...descendants.flatMap((child) => child.mountpoints)])];
  const isVirtual = node.type === 'loop' || virtualNamePattern.test(node.path) || (entry?.isVirtual ?? false);
  const drive: Drive = {
    id: driveId(node.path, node.deviceNumber, node.sizeBytes, node.serial ?? node.wwn ?? loopBackingOf(node, context)),
    device: node.path,
    raw: entry?.raw ?? node.path,
    deviceNumber: node.deviceNumber,
    description: describe(node, entry),
    model: node.model,
    serial: node.serial,
    wwn: node.wwn,
    sizeBytes: node.sizeBytes,
    logicalBlockSizeBytes: node.logicalBlockSizeBytes,
    physicalBlockSizeBytes: node.physicalBlockSizeBytes,
    // A USB disk often reports rm=0 but hotplug=1: both count as removable.
    isRemovable: !isVirtual && (node.isRemovable || node.isHotplug),
    isUsb: node.transport === 'usb' || entry?.isUSB === true,
    isReadOnly: node.isReadOnly || (entry?.isReadOnly ?? false),
    isSystem: false,
    isVirtual,
    mountpoints,
    partitionDeviceNumbers: descendants.map((child) => child.deviceNumber),
    // A file system on the whole device (a superfloppy stick, ext2 on a loop) is erased like a partition's.
    partitions: [...(node.filesystem !== null || node.mountpoints.length > 0 ? [node] : []), ...descendants].map((part) => ({
      device: part.path,
      sizeBytes: part.sizeBytes,
      label: part.label,
      filesystem: part.filesystem,
      mountpoints: part.mountpoints,
    })),
  };
  return { ...drive, isSystem: (entry?.isSystem ?? false) || isSystemDrive(drive, context) };
}

function fromDrivelist(entry: DrivelistEntry): Drive {
  const sizeBytes = entry.size ?? 0;
  return {
    id: driveId(entry.device, null, sizeBytes, null),
    device: entry.device,
    raw: entry.raw,
    deviceNumber: null,
    description: entry.description || entry.device,
    // drivelist gives neither model nor serial apart from its description.
    model: null,
    serial: null,
    wwn: null,
    sizeBytes,
    logicalBlockSizeBytes: entry.logicalBlockSize || 512,
    physicalBlockSizeBytes: entry.blockSize || 512,
    isRemovable: entry.isRemovable,
    isUsb: entry.isUSB === true,
    isReadOnly: entry.isReadOnly,
    isSystem: entry.isSystem,
    isVirtual: entry.isVirtual === true,
    mountpoints: entry.mountpoints.map((mountpoint) => mountpoint.path),
    partitionDeviceNumbers: [],
    partitions: [],
  };
}

/**
 * A loop device has no serial: what it stands for is its backing file, named by the path the kernel
 * gives every user in /sys/block/loopN/loop/backing_file ("backing file 3f2a…"). Not its device and
 * inode: losetup reads those with LOOP_GET_STATUS64, which needs the device open, so an engine
 * running as the user would get another id than the elevated helper for the same loop, and the
 * helper would not find the drive it was sent. Hashed, since a path may be 4096 bytes and an id
 * crosses the helper channel (at most 512 characters).
 */
function loopBackingOf(node: LsblkDevice, context: Pick<SafetyContext, 'loops'>): string | null {
  const loop = context.loops.find((candidate) => candidate.deviceNumber === node.deviceNumber);
  if (!loop || loop.backingFile === null) return null;
  return `backing file ${createHash('sha256').update(loop.backingFile).digest('hex').slice(0, 32)}`;
}

/**
 * Path, device number, size and serial (or WWN): a different stick in the same slot gets a different
 * id, even one of the same size, when the OS reports a serial. Without one, size is all that tells
 * two sticks apart, which the confirmation says by showing no serial.
 */
export function driveId(device: string, deviceNumber: string | null, sizeBytes: number, serial: string | null): string {
  return `${device}#${deviceNumber ?? '?'}#${sizeBytes}#${serial ?? '?'}`;
}

function describe(node: LsblkDevice, entry: DrivelistEntry | null): string {
  const words = [node.vendor, node.model].filter((word): word is string => word !== null && !/^0x[0-9a-f]+$/i.test(word));
  if (words.length > 0) return words.join(' ');
  if (entry && entry.description.trim() !== '' && !/^0x[0-9a-f]+$/i.test(entry.description)) return entry.description;
  if (node.type === 'loop') return `Loop device ${node.path}`;
  // No vendor or model (an SD card in a built-in reader): its file system labels tell it apart, as
  // drivelist's description did.
  const labels = [...new Set([node, ...flatten(node.children)].flatMap((part) => (part.label === null ? [] : [part.label])))];
  return labels.length > 0 ? `${node.path} (${labels.join(', ')})` : node.path;
}

/** Every node below these, depth-first (lsblk's tree is already depth-bounded by the parser). */
function flatten(nodes: readonly LsblkDevice[]): LsblkDevice[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}
