// The words of the main process's own confirmation (Electron): before a write it names the image and
// every target with its serial and each partition's label, file system, size and mountpoints; before a
// keyring change it shows each key's fingerprint and user IDs. Cancel stays the default button.
import { describe, expect, it } from 'vitest';
import type { KeySummary } from '../../shared/checksum.ts';
import type { FlashPlan } from '../../shared/flash.ts';
import { confirmationText } from '../../src-main/electron/confirmation-text.ts';

const plan: Omit<FlashPlan, 'confirmationId' | 'expiresAtMs'> = {
  assessment: {
    path: '/home/ana/Downloads/debian-12.iso',
    fileName: 'debian-12.iso',
    sizeBytes: 99614720,
    kind: 'hybrid-iso',
    checksum: { state: 'not-checked', checkedAtMs: null },
    findings: [
      { code: 'truncated', severity: 'blocking', message: 'file is 99614720 bytes, the volume says 220200960' },
      { code: 'checksum-not-checked', severity: 'info', message: 'no checksum verdict for this file version' },
    ],
    blocking: true,
  },
  targets: [
    {
      driveId: '/dev/sda#8:0#16008609792#4C530001',
      device: '/dev/sda',
      description: 'SanDisk Cruzer Blade',
      serial: '4C530001',
      sizeBytes: 16008609792,
      partitions: [{ device: '/dev/sda1', sizeBytes: 16007561216, label: 'STICK', filesystem: 'vfat', mountpoints: ['/media/ana/STICK'] }],
      warnings: [],
      nameToType: null,
    },
    {
      driveId: '/dev/loop7#7:7#8388608#?',
      device: '/dev/loop7',
      description: 'Loop device /dev/loop7',
      serial: null,
      sizeBytes: 8388608,
      partitions: [],
      warnings: [],
      nameToType: 'loop7',
    },
  ],
  verify: true,
  eject: false,
  includeAll: true,
  mode: { mode: 'raw', reason: 'hybrid-iso' },
  copy: null,
  stick: null,
  bootPrediction: { mode: 'raw', usb: 'yes', bios: true, uefi: { x64: true, ia32: false, aa64: false } },
};

const key: KeySummary = {
  fingerprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678',
  keyId: '9012345678',
  userIds: ['Debian CD signing key <debian-cd@lists.debian.org>'],
  algorithm: 'rsa 4096',
  createdMs: 0,
  expiresMs: null,
  revoked: false,
};

describe('the main process confirmation of a write', () => {
  const text = confirmationText({ kind: 'flash', plan });

  it('asks about erasing every target by count and names the image file', () => {
    expect(text.message).toBe('Erase these 2 drives and write debian-12.iso?');
    expect(text.confirmLabel).toBe('Erase and write');
    expect(text.detail).toContain('Image: /home/ana/Downloads/debian-12.iso (95.0 MiB)');
  });

  it('states the blocking finding and leaves out the merely informative ones', () => {
    expect(text.detail).toContain('Problem: file is 99614720 bytes, the volume says 220200960');
    expect(text.detail).not.toContain('no checksum verdict');
  });

  it('names each target with its model, size and serial, and each partition with label, file system, size and mountpoint', () => {
    expect(text.detail).toContain('/dev/sda: SanDisk Cruzer Blade, 14.9 GiB, serial 4C530001');
    expect(text.detail).toContain('  /dev/sda1: "STICK", vfat, 14.9 GiB, mounted at /media/ana/STICK');
    expect(text.detail).toContain('/dev/loop7: Loop device /dev/loop7, 8.00 MiB, no serial number reported\n  No partitions.');
    expect(text.detail.match(/Everything on it will be erased\./g)).toHaveLength(2);
  });

  it('says what happens afterwards', () => {
    expect(text.detail).toContain('Afterwards: read back and compare.');
  });

  it('says how the stick is made: the image byte for byte, or its files on a new FAT32 stick that starts on UEFI only', () => {
    expect(text.detail).toContain('How: the image byte for byte.');
    const copy = { table: 'gpt', wimPartBytes: 4095 * 1024 * 1024, windows: { skipHardwareChecks: false, localAccountName: null, regional: null } } as const;
    const copied = confirmationText({ kind: 'flash', plan: { ...plan, mode: { mode: 'copy', reason: 'windows-installer' }, copy } });
    expect(copied.detail).toContain('How: its files copied onto a new FAT32 stick (GPT table); it will start on UEFI only, not on BIOS.');
  });
});

describe('the main process confirmation of a format', () => {
  it('names the drive, the new file system and label, and the table', () => {
    const text = confirmationText({
      kind: 'format',
      plan: { targets: [plan.targets[0]!], fileSystem: 'exfat', label: 'Backup', table: 'mbr', includeAll: false },
    });
    expect(text.message).toBe('Erase this drive and make it an empty exFAT stick named Backup?');
    expect(text.detail).toContain('/dev/sda: SanDisk Cruzer Blade, 14.9 GiB, serial 4C530001');
    expect(text.detail).toContain('New partition table: MBR.');
    expect(text.confirmLabel).toBe('Erase and format');
  });
});

describe('the main process confirmation of a keyring change', () => {
  it('shows the fingerprint in groups of four and the user IDs before importing', () => {
    const text = confirmationText({ kind: 'keys-import', path: '/home/ana/Downloads/debian-keys.asc', keys: [key] });
    expect(text.message).toBe('Trust this key from debian-keys.asc?');
    expect(text.detail).toContain('A1B2 C3D4 E5F6 0718 293A 4B5C 6D7E 8F90 1234 5678\nDebian CD signing key <debian-cd@lists.debian.org>');
    expect(text.confirmLabel).toBe('Trust and import');
  });

  it('names the key it would stop trusting', () => {
    const text = confirmationText({ kind: 'keys-remove', key });
    expect(text.message).toBe('Stop trusting this key?');
    expect(text.detail).toContain('A1B2 C3D4');
  });
});
