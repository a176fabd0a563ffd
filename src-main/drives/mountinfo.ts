// Parses /proc/self/mountinfo (proc(5)) into mounts with their device numbers, and picks the system
// ones. Pure. Fields: id parent major:minor root mountpoint options [optional...] - fstype source superopts.
import { systemMountpoints } from './safety-rules.ts';

export interface MountEntry {
  /** "major:minor" of the mounted file system (0:N for virtual ones such as tmpfs and overlay). */
  readonly deviceNumber: string;
  readonly mountpoint: string;
  readonly fileSystemType: string;
  /** The mount source as the kernel records it (a device path for disk file systems). */
  readonly source: string;
}

const maxMounts = 100_000;

export function parseMountinfo(text: string): MountEntry[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > maxMounts) throw new Error(`mountinfo has ${lines.length} lines (limit ${maxMounts})`);
  const entries: MountEntry[] = [];
  for (const line of lines) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    // proc(5): at least 6 fields before the optional fields, then "-", fstype and source.
    if (separator < 6 || fields.length < separator + 3) continue;
    const deviceNumber = fields[2] ?? '';
    if (!/^\d+:\d+$/.test(deviceNumber)) continue;
    entries.push({
      deviceNumber,
      mountpoint: unescapeOctal(fields[4] ?? ''),
      fileSystemType: fields[separator + 1] ?? '',
      source: unescapeOctal(fields[separator + 2] ?? ''),
    });
  }
  return entries;
}

/** Device numbers of real (major != 0) file systems mounted at system mountpoints. */
export function systemDeviceNumbersFrom(mounts: readonly MountEntry[]): string[] {
  const numbers = mounts.filter((mount) => systemMountpoints.has(mount.mountpoint) && !mount.deviceNumber.startsWith('0:')).map((mount) => mount.deviceNumber);
  return [...new Set(numbers)];
}

/** proc(5): space, tab, newline and backslash in paths appear as \040, \011, \012, \134. */
function unescapeOctal(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
