// The safety rules over recorded lsblk output: each case names a machine (fixture), a drive, what we
// know about the system and the image, and the exact refusal and warning codes expected.
import { describe, expect, it } from 'vitest';
import type { DriveIssueCode } from '../../shared/drive.ts';
import { checkDrive, expandThroughLoops, type SafetyContext, type SourceFacts } from '../../src-main/drives/safety-rules.ts';
import { driveNamed, fixtureDrives } from './lsblk-fixtures.ts';

interface RuleCase {
  readonly name: string;
  readonly fixture: string;
  readonly device: string;
  readonly systemDeviceNumbers?: readonly string[];
  readonly source?: SourceFacts | null;
  readonly imageSizeBytes?: number | null;
  readonly includeAll?: boolean;
  readonly refusals: readonly DriveIssueCode[];
  readonly warnings: readonly DriveIssueCode[];
}

const onTmpfs: SourceFacts = { deviceNumber: '0:27', inode: 99, blockDeviceNumber: null };
const laptopSystem = ['253:1', '259:1'];
const GiB = 1024 ** 3;

const cases: readonly RuleCase[] = [
  // laptop-nvme-usb: NVMe system disk under LUKS + LVM, USB stick, USB disk, SD card, DVD drive.
  {
    name: 'accepts the USB stick with a mounted partition and warns that it will be unmounted',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    systemDeviceNumbers: laptopSystem,
    refusals: [],
    warnings: ['mounted'],
  },
  { name: 'accepts an unmounted USB stick with no warning', fixture: 'desktop-sata', device: '/dev/sdaa', refusals: [], warnings: [] },
  {
    name: 'refuses the NVMe system disk by its root under LUKS and LVM',
    fixture: 'laptop-nvme-usb',
    device: '/dev/nvme0n1',
    systemDeviceNumbers: laptopSystem,
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'refuses the NVMe system disk by mountpoint alone when mountinfo gives no device numbers',
    fixture: 'laptop-nvme-usb',
    device: '/dev/nvme0n1',
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'hides the NVMe system disk without "show all" and still refuses it as system',
    fixture: 'laptop-nvme-usb',
    device: '/dev/nvme0n1',
    systemDeviceNumbers: laptopSystem,
    refusals: ['system-drive', 'hidden-drive'],
    warnings: ['large-drive'],
  },
  {
    name: 'warns for the 2 TB USB disk (hotplug, not rm) as large and mounted',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sdb',
    systemDeviceNumbers: laptopSystem,
    refusals: [],
    warnings: ['large-drive', 'mounted'],
  },
  {
    name: 'accepts the hot-plugged SD card',
    fixture: 'laptop-nvme-usb',
    device: '/dev/mmcblk0',
    systemDeviceNumbers: laptopSystem,
    refusals: [],
    warnings: [],
  },
  {
    name: 'refuses the USB stick that holds the image',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    source: { deviceNumber: '8:1', inode: 12, blockDeviceNumber: null },
    refusals: ['source-drive'],
    warnings: ['mounted'],
  },
  {
    name: 'refuses the system disk that holds an image in /home (dm device under the disk)',
    fixture: 'laptop-nvme-usb',
    device: '/dev/nvme0n1',
    systemDeviceNumbers: laptopSystem,
    source: { deviceNumber: '253:1', inode: 7, blockDeviceNumber: null },
    includeAll: true,
    refusals: ['system-drive', 'source-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'accepts the USB stick when the image is on the system disk',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    systemDeviceNumbers: laptopSystem,
    source: { deviceNumber: '253:1', inode: 7, blockDeviceNumber: null },
    refusals: [],
    warnings: ['mounted'],
  },
  {
    name: 'refuses the 16 GB stick for a 17 GB image',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    imageSizeBytes: 17_000_000_000,
    refusals: ['too-small'],
    warnings: ['mounted'],
  },
  {
    name: 'accepts the 16 GB stick for an image of exactly its size',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    imageSizeBytes: 16008609792,
    refusals: [],
    warnings: ['mounted'],
  },
  {
    name: 'refuses the stick for an image one byte larger than it',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    imageSizeBytes: 16008609793,
    refusals: ['too-small'],
    warnings: ['mounted'],
  },
  {
    name: 'skips the size rule when a compressed image has no known size',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    imageSizeBytes: null,
    refusals: [],
    warnings: ['mounted'],
  },
  {
    name: 'refuses the USB stick when cloning it onto itself',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    source: { deviceNumber: '0:6', inode: 400, blockDeviceNumber: '8:0' },
    refusals: ['source-drive'],
    warnings: ['mounted'],
  },
  {
    name: 'refuses the USB stick when cloning one of its partitions',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    source: { deviceNumber: '0:6', inode: 401, blockDeviceNumber: '8:1' },
    refusals: ['source-drive'],
    warnings: ['mounted'],
  },
  {
    name: 'accepts the SD card when cloning the USB stick',
    fixture: 'laptop-nvme-usb',
    device: '/dev/mmcblk0',
    source: { deviceNumber: '0:6', inode: 400, blockDeviceNumber: '8:0' },
    refusals: [],
    warnings: [],
  },
  {
    name: 'does not treat swap elsewhere as making the stick a system drive',
    fixture: 'laptop-nvme-usb',
    device: '/dev/sda',
    systemDeviceNumbers: ['253:2'],
    refusals: [],
    warnings: ['mounted'],
  },
  {
    name: 'refuses a drive whose device number mountinfo names as /boot',
    fixture: 'laptop-nvme-usb',
    device: '/dev/mmcblk0',
    systemDeviceNumbers: ['179:1'],
    refusals: ['system-drive'],
    warnings: [],
  },

  // desktop-sata: system disk, data disk, write-protected card, empty reader, sdaa vs sda.
  {
    name: 'refuses the SATA system disk (/boot and / on partitions)',
    fixture: 'desktop-sata',
    device: '/dev/sda',
    systemDeviceNumbers: ['8:1', '8:2'],
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'hides the fixed 4 TB data disk without "show all"',
    fixture: 'desktop-sata',
    device: '/dev/sdb',
    refusals: ['hidden-drive'],
    warnings: ['large-drive', 'mounted'],
  },
  {
    name: 'offers the fixed 4 TB data disk with "show all", with three warnings',
    fixture: 'desktop-sata',
    device: '/dev/sdb',
    includeAll: true,
    refusals: [],
    warnings: ['not-removable', 'large-drive', 'mounted'],
  },
  { name: 'refuses the write-protected card', fixture: 'desktop-sata', device: '/dev/sdc', refusals: ['read-only'], warnings: [] },
  { name: 'refuses the empty card reader (size 0)', fixture: 'desktop-sata', device: '/dev/sdd', refusals: ['too-small'], warnings: [] },
  {
    name: 'refuses an empty reader even for a tiny image',
    fixture: 'desktop-sata',
    device: '/dev/sdd',
    imageSizeBytes: 1,
    refusals: ['too-small', 'too-small'],
    warnings: [],
  },
  {
    name: 'does not confuse /dev/sdaa with the system disk /dev/sda (no path prefixes)',
    fixture: 'desktop-sata',
    device: '/dev/sdaa',
    systemDeviceNumbers: ['8:1', '8:2'],
    refusals: [],
    warnings: [],
  },
  {
    name: 'refuses sdaa only when the image really is on it',
    fixture: 'desktop-sata',
    device: '/dev/sdaa',
    source: { deviceNumber: '65:160', inode: 5, blockDeviceNumber: null },
    refusals: ['source-drive'],
    warnings: [],
  },
  {
    name: 'accepts sdaa when the image is on sda (8:0 is not 65:160)',
    fixture: 'desktop-sata',
    device: '/dev/sdaa',
    source: { deviceNumber: '8:2', inode: 5, blockDeviceNumber: null },
    refusals: [],
    warnings: [],
  },
  {
    name: 'refuses the system disk even with no mountinfo facts, by its / and /boot mountpoints',
    fixture: 'desktop-sata',
    device: '/dev/sda',
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'a write-protected card too small for the image gets both refusals',
    fixture: 'desktop-sata',
    device: '/dev/sdc',
    imageSizeBytes: 8 * GiB,
    refusals: ['read-only', 'too-small'],
    warnings: [],
  },

  // live-usb: booted from a USB stick, root squashfs on a loop backed by a file on the stick.
  { name: 'refuses the live medium by its /run/live/medium mountpoint', fixture: 'live-usb', device: '/dev/sdb', refusals: ['system-drive'], warnings: [] },
  {
    name: 'refuses the live medium through the root loop device when mountinfo names it',
    fixture: 'live-usb',
    device: '/dev/sdb',
    systemDeviceNumbers: ['7:0'],
    refusals: ['system-drive'],
    warnings: [],
  },
  {
    name: 'refuses the root squashfs loop as system and read-only, with "show all"',
    fixture: 'live-usb',
    device: '/dev/loop0',
    systemDeviceNumbers: ['7:0'],
    includeAll: true,
    refusals: ['system-drive', 'read-only'],
    warnings: ['virtual-drive'],
  },
  { name: 'accepts the second USB stick in a live session', fixture: 'live-usb', device: '/dev/sdc', systemDeviceNumbers: ['7:0'], refusals: [], warnings: [] },
  {
    name: 'offers the internal disk in a live session only with "show all"',
    fixture: 'live-usb',
    device: '/dev/sda',
    systemDeviceNumbers: ['7:0'],
    includeAll: true,
    refusals: [],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'hides the internal disk in a live session by default',
    fixture: 'live-usb',
    device: '/dev/sda',
    systemDeviceNumbers: ['7:0'],
    refusals: ['hidden-drive'],
    warnings: ['large-drive'],
  },

  // nested-loop: the image is inside a loop-mounted file system whose backing file is on a USB disk.
  {
    name: 'refuses the USB disk holding the loop file that holds the image',
    fixture: 'nested-loop',
    device: '/dev/sdb',
    source: { deviceNumber: '7:3', inode: 44, blockDeviceNumber: null },
    refusals: ['source-drive'],
    warnings: ['large-drive', 'mounted'],
  },
  {
    name: 'refuses the loop device the image is stored on',
    fixture: 'nested-loop',
    device: '/dev/loop3',
    source: { deviceNumber: '7:3', inode: 44, blockDeviceNumber: null },
    includeAll: true,
    refusals: ['source-drive'],
    warnings: ['virtual-drive', 'mounted'],
  },
  {
    name: 'accepts the other stick when the image is inside the loop',
    fixture: 'nested-loop',
    device: '/dev/sdc',
    source: { deviceNumber: '7:3', inode: 44, blockDeviceNumber: null },
    refusals: [],
    warnings: [],
  },
  {
    name: 'refuses the NVMe system disk with / and /home on one btrfs',
    fixture: 'nested-loop',
    device: '/dev/nvme0n1',
    systemDeviceNumbers: ['259:2', '259:1'],
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'does not confuse nvme0n10 with the system disk nvme0n1',
    fixture: 'nested-loop',
    device: '/dev/nvme0n10',
    systemDeviceNumbers: ['259:2', '259:1'],
    refusals: [],
    warnings: [],
  },
  {
    name: 'a loop backed by a file on the system disk is not itself a system drive',
    fixture: 'nested-loop',
    device: '/dev/loop3',
    systemDeviceNumbers: ['8:17'],
    includeAll: true,
    refusals: [],
    warnings: ['virtual-drive', 'mounted'],
  },
  { name: 'hides the loop device without "show all"', fixture: 'nested-loop', device: '/dev/loop3', refusals: ['hidden-drive'], warnings: ['mounted'] },

  // vm-with-loops (recorded): loop0 rw and loop1 ro over one /dev/shm file, loop2 over a file on /dev/vda.
  {
    name: 'offers a writable loop device with "show all"',
    fixture: 'vm-with-loops',
    device: '/dev/loop0',
    systemDeviceNumbers: ['254:0'],
    includeAll: true,
    refusals: [],
    warnings: ['virtual-drive'],
  },
  {
    name: 'hides a writable loop device by default',
    fixture: 'vm-with-loops',
    device: '/dev/loop0',
    systemDeviceNumbers: ['254:0'],
    refusals: ['hidden-drive'],
    warnings: [],
  },
  {
    name: 'refuses a read-only loop (losetup -r)',
    fixture: 'vm-with-loops',
    device: '/dev/loop1',
    systemDeviceNumbers: ['254:0'],
    includeAll: true,
    refusals: ['read-only'],
    warnings: ['virtual-drive'],
  },
  {
    name: 'refuses a loop backed by the image file itself',
    fixture: 'vm-with-loops',
    device: '/dev/loop0',
    includeAll: true,
    source: { deviceNumber: '0:27', inode: 3, blockDeviceNumber: null },
    refusals: ['source-drive'],
    warnings: ['virtual-drive'],
  },
  {
    name: 'accepts a loop backed by another file on the same tmpfs as the image',
    fixture: 'vm-with-loops',
    device: '/dev/loop0',
    includeAll: true,
    source: { deviceNumber: '0:27', inode: 4, blockDeviceNumber: null },
    refusals: [],
    warnings: ['virtual-drive'],
  },
  {
    name: 'accepts a loop over a file on the system disk (how tests flash)',
    fixture: 'vm-with-loops',
    device: '/dev/loop2',
    systemDeviceNumbers: ['254:0'],
    includeAll: true,
    source: onTmpfs,
    refusals: [],
    warnings: ['virtual-drive'],
  },
  {
    name: 'refuses the virtio system disk',
    fixture: 'vm-with-loops',
    device: '/dev/vda',
    systemDeviceNumbers: ['254:0'],
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'refuses the loop when cloning that same loop device',
    fixture: 'vm-with-loops',
    device: '/dev/loop2',
    includeAll: true,
    source: { deviceNumber: '0:6', inode: 300, blockDeviceNumber: '7:2' },
    refusals: ['source-drive'],
    warnings: ['virtual-drive'],
  },
  {
    name: 'refuses a 32 MiB loop for a 64 MiB image',
    fixture: 'vm-with-loops',
    device: '/dev/loop2',
    includeAll: true,
    imageSizeBytes: 64 * 1024 * 1024,
    refusals: ['too-small'],
    warnings: ['virtual-drive'],
  },

  // vm-virtio (recorded): the VM's disk and an empty zram.
  {
    name: 'refuses the VM disk mounted at /',
    fixture: 'vm-virtio',
    device: '/dev/vda',
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable', 'large-drive'],
  },
  {
    name: 'refuses the unconfigured zram device (size 0)',
    fixture: 'vm-virtio',
    device: '/dev/zram0',
    includeAll: true,
    refusals: ['too-small'],
    warnings: ['virtual-drive'],
  },

  // old-util-linux: all-strings JSON and a singular "mountpoint".
  {
    name: 'refuses the old-format system disk by its / partition',
    fixture: 'old-util-linux',
    device: '/dev/sda',
    includeAll: true,
    refusals: ['system-drive'],
    warnings: ['not-removable'],
  },
  { name: 'accepts the old-format USB stick', fixture: 'old-util-linux', device: '/dev/sdb', systemDeviceNumbers: ['8:1'], refusals: [], warnings: [] },
  {
    name: 'refuses the old-format stick for a 4 GiB image',
    fixture: 'old-util-linux',
    device: '/dev/sdb',
    imageSizeBytes: 4 * GiB,
    refusals: ['too-small'],
    warnings: [],
  },
];

describe('checkDrive over recorded lsblk output', () => {
  it.each(cases)('$name', (rule) => {
    const { drives, loops } = fixtureDrives(rule.fixture, rule.systemDeviceNumbers ?? []);
    const context: SafetyContext = {
      systemDeviceNumbers: rule.systemDeviceNumbers ?? [],
      loops,
      source: rule.source ?? null,
      imageSizeBytes: rule.imageSizeBytes ?? null,
      includeAll: rule.includeAll ?? false,
    };
    const status = checkDrive(driveNamed(drives, rule.device), context);
    expect(status.refusals.map((issue) => issue.code)).toEqual(rule.refusals);
    expect(status.warnings.map((issue) => issue.code)).toEqual(rule.warnings);
    expect(status.eligible).toBe(rule.refusals.length === 0);
    for (const issue of [...status.refusals, ...status.warnings]) expect(issue.reason).toContain('/dev/');
  });
});

describe('expandThroughLoops', () => {
  const loops = [
    { path: '/dev/loop1', deviceNumber: '7:1', backingFile: '/a', backingDeviceNumber: '7:2', backingInode: 1, isReadOnly: false },
    { path: '/dev/loop2', deviceNumber: '7:2', backingFile: '/b', backingDeviceNumber: '8:1', backingInode: 2, isReadOnly: false },
  ];
  it('follows a file on a loop on a file on a loop down to the disk', () => {
    expect([...expandThroughLoops(['7:1'], loops)].sort()).toEqual(['7:1', '7:2', '8:1']);
  });
  it('does not walk upwards from a disk to the loops backed by files on it', () => {
    expect([...expandThroughLoops(['8:1'], loops)]).toEqual(['8:1']);
  });
  it('stops on a cycle of loops instead of hanging', () => {
    const cycle = [
      { ...loops[0]!, backingDeviceNumber: '7:2' },
      { ...loops[1]!, backingDeviceNumber: '7:1' },
    ];
    expect([...expandThroughLoops(['7:1'], cycle)].sort()).toEqual(['7:1', '7:2']);
  });
});

describe('checkDrive of a disk image larger than the drive (the partition fit)', () => {
  // The 16 GB stick of the laptop fixture (16,008,609,792 bytes) and a 17 GB card image whose partitions end at 15 GB.
  const { drives, loops } = fixtureDrives('laptop-nvme-usb', []);
  const stick = driveNamed(drives, '/dev/sda');
  const imageSizeBytes = 17_000_000_000;
  const check = (partitionFit: NonNullable<SafetyContext['partitionFit']> | null) =>
    checkDrive(stick, { systemDeviceNumbers: [], loops, source: null, imageSizeBytes, partitionFit, includeAll: false });

  it('takes a drive holding every partition, with a note naming by how much it is smaller and where the partitions end', () => {
    const status = check({ imageSizeBytes, requiredTargetBytes: 15_000_000_000, refusal: null });
    expect(status.eligible).toBe(true);
    const note = status.warnings.find((issue) => issue.code === 'smaller-than-image');
    expect(note).toMatchObject({ severity: 'warning', partitionFit: { imageSizeBytes, requiredTargetBytes: 15_000_000_000 } });
    expect(note?.reason).toBe(
      `/dev/sda holds ${stick.sizeBytes} bytes, ${imageSizeBytes - stick.sizeBytes} fewer than the image (${imageSizeBytes}); ` +
        'it holds every partition (they end at byte 15000000000): only the first 15000000000 bytes are written',
    );
  });

  it('takes a drive exactly as large as where the partitions end', () => {
    expect(check({ imageSizeBytes, requiredTargetBytes: stick.sizeBytes, refusal: null }).eligible).toBe(true);
  });

  it('refuses a drive one byte smaller than where the partitions end', () => {
    const status = check({ imageSizeBytes, requiredTargetBytes: stick.sizeBytes + 1, refusal: null });
    expect(status.refusals.map((issue) => issue.code)).toEqual(['too-small']);
    expect(status.refusals[0]?.reason).toContain(`even its partitions end at byte ${stick.sizeBytes + 1}`);
  });

  it('refuses a drive holding the partitions when the fit forbids it, giving the fit its reason', () => {
    const refusal = 'byte 16500000000 of the image, past where its partitions end (byte 15000000000), is not zero: a smaller drive would lose it';
    const status = check({ imageSizeBytes, requiredTargetBytes: 15_000_000_000, refusal });
    expect(status.eligible).toBe(false);
    expect(status.refusals[0]?.reason).toBe(
      `the image is ${imageSizeBytes} bytes, /dev/sda holds ${stick.sizeBytes}; its partitions end at byte 15000000000, but ${refusal}`,
    );
  });

  it('refuses with the fit reason alone when the partitions could not be read (a compressed image to unpack first)', () => {
    const status = check({ imageSizeBytes, requiredTargetBytes: null, refusal: 'this xz image must be unpacked first' });
    expect(status.refusals[0]?.reason).toBe(`the image is ${imageSizeBytes} bytes, /dev/sda holds ${stick.sizeBytes}; this xz image must be unpacked first`);
  });
});
