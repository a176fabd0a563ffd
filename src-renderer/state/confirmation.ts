// Which targets need their name typed before writing: anything that does not look like a USB stick
// (large, fixed or virtual). A slip of the mouse must never be enough to wipe such a disk.
import type { DriveStatus } from '../../shared/drive.ts';

export function needsTypedName(status: DriveStatus): boolean {
  return status.warnings.some((issue) => issue.code === 'large-drive' || issue.code === 'not-removable' || issue.code === 'virtual-drive');
}

/** What the user types to confirm: the kernel name of the device ("sdb", "loop7"). */
export function confirmationName(device: string): string {
  return device.split('/').pop() ?? device;
}
