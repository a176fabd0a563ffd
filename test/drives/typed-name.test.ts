// Which drives need their name typed even where the shell shows its own confirmation (Electron): everything
// that does not look like a USB stick. The engine's rule (the web shell asks it for every drive), checked
// on drives built from the recorded lsblk machines, through the real safety rules.
import { describe, expect, it } from 'vitest';
import { checkDrive, nameToTypeOf, needsTypedName, type SafetyContext } from '../../src-main/drives/safety-rules.ts';
import { driveNamed, fixtureDrives } from './lsblk-fixtures.ts';

function statusOf(fixture: string, device: string, systemDeviceNumbers: readonly string[] = []) {
  const { drives, loops } = fixtureDrives(fixture, systemDeviceNumbers);
  const context: SafetyContext = { systemDeviceNumbers, loops, source: null, imageSizeBytes: null, includeAll: true };
  return checkDrive(driveNamed(drives, device), context);
}

describe('typed confirmation before writing', () => {
  it.each([
    ['an unmounted USB stick', 'desktop-sata', '/dev/sdaa'],
    ['a USB stick with a mounted partition', 'laptop-nvme-usb', '/dev/sda'],
    ['a hot-plugged SD card', 'laptop-nvme-usb', '/dev/mmcblk0'],
  ])('lets one click confirm %s', (_case, fixture, device) => {
    expect(needsTypedName(statusOf(fixture, device))).toBe(false);
  });

  it.each([
    ['a 2 TB USB disk', 'laptop-nvme-usb', '/dev/sdb'],
    ['an internal NVMe disk', 'laptop-nvme-usb', '/dev/nvme0n1'],
    ['a loop device', 'vm-with-loops', '/dev/loop0'],
  ])('asks for the typed name of %s', (_case, fixture, device) => {
    expect(needsTypedName(statusOf(fixture, device))).toBe(true);
  });

  it('asks for the kernel name of the device, not its path', () => {
    expect(nameToTypeOf('/dev/sdb')).toBe('sdb');
    expect(nameToTypeOf('/dev/loop7')).toBe('loop7');
  });
});
