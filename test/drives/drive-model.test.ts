// The pure parts of the drives module: lsblk/losetup JSON parsing (new and old util-linux formats,
// hostile input), the Drive model built from it, mountinfo, the diff behind `drives:changed`, and
// the watcher reporting only real differences.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Drive } from '../../shared/drive.ts';
import { buildDrives } from '../../src-main/drives/build-drives.ts';
import { diffDrives } from '../../src-main/drives/drive-diff.ts';
import { LsblkFormatError, parseLosetupJson, parseLsblkJson } from '../../src-main/drives/lsblk.ts';
import { parseMountinfo, systemDeviceNumbersFrom } from '../../src-main/drives/mountinfo.ts';
import { watchDrives } from '../../src-main/drives/watch-drives.ts';
import { driveNamed, fixtureDrives, loadLsblkFixture, lsblkFixtureDir } from './lsblk-fixtures.ts';

describe('parseLsblkJson', () => {
  it('reads the recorded VM output: the virtio disk with its / mountpoint and sizes', () => {
    const [zram, vda] = loadLsblkFixture('vm-virtio').devices;
    expect(vda).toMatchObject({
      path: '/dev/vda',
      deviceNumber: '254:0',
      sizeBytes: 274877906944,
      logicalBlockSizeBytes: 512,
      physicalBlockSizeBytes: 4096,
      mountpoints: ['/'],
    });
    expect(zram).toMatchObject({ path: '/dev/zram0', mountpoints: [] });
  });

  it('reads the all-strings format and singular mountpoint of util-linux before 2.37', () => {
    const [sda, sdb] = loadLsblkFixture('old-util-linux').devices;
    expect(sda!.children[0]).toMatchObject({ path: '/dev/sda1', sizeBytes: 120033075200, mountpoints: ['/'], isReadOnly: false });
    expect(sdb).toMatchObject({ isRemovable: true, isHotplug: true, transport: 'usb', vendor: 'Lexar', sizeBytes: 3965190144 });
  });

  it('reads losetup output, trimming the padded device numbers', () => {
    const loops = parseLosetupJson(readFileSync(join(lsblkFixtureDir, 'vm-with-loops.losetup.json'), 'utf8'));
    expect(loops.find((loop) => loop.path === '/dev/loop2')).toEqual({
      path: '/dev/loop2',
      deviceNumber: '7:2',
      backingFile: '/tmp/rec-b.img',
      backingDeviceNumber: '254:0',
      backingInode: 2152434,
      isReadOnly: false,
    });
    expect(parseLosetupJson('')).toEqual([]);
  });

  it.each([
    ['not JSON', '{'],
    ['no blockdevices array', '{}'],
    ['a device without maj:min', '{"blockdevices":[{"name":"/dev/sda"}]}'],
    ['a malformed maj:min', '{"blockdevices":[{"name":"/dev/sda","maj:min":"8-0"}]}'],
    ['a negative size', '{"blockdevices":[{"name":"/dev/sda","maj:min":"8:0","size":-1}]}'],
    ['a flag that is not a flag', '{"blockdevices":[{"name":"/dev/sda","maj:min":"8:0","ro":"maybe"}]}'],
    ['children that are not a list', '{"blockdevices":[{"name":"/dev/sda","maj:min":"8:0","children":{}}]}'],
  ])('refuses %s with an LsblkFormatError', (_name, text) => {
    expect(() => parseLsblkJson(text)).toThrow(LsblkFormatError);
  });

  it('refuses nesting deeper than 8 levels instead of recursing without end', () => {
    let node: Record<string, unknown> = { name: '/dev/x', 'maj:min': '1:1' };
    for (let depth = 0; depth < 20; depth += 1) node = { name: `/dev/x${depth}`, 'maj:min': `1:${depth}`, children: [node] };
    expect(() => parseLsblkJson(JSON.stringify({ blockdevices: [node] }))).toThrow(/deeper than 8/);
  });
});

describe('buildDrives', () => {
  it('builds one drive per disk and loop, skipping the DVD drive, with partitions and holders folded in', () => {
    const { drives } = fixtureDrives('laptop-nvme-usb');
    expect(drives.map((drive) => drive.device)).toEqual(['/dev/mmcblk0', '/dev/nvme0n1', '/dev/sda', '/dev/sdb']);
    const nvme = driveNamed(drives, '/dev/nvme0n1');
    expect(nvme.partitionDeviceNumbers).toEqual(['259:1', '259:2', '253:0', '253:1', '253:2']);
    expect(nvme.mountpoints).toEqual(['/boot/efi', '/', '[SWAP]']);
    expect(nvme.isSystem).toBe(true);
    expect(nvme.description).toBe('Samsung SSD 980 PRO 512GB');
  });

  it('describes the USB stick by vendor and model, as removable USB, with a stable id that includes its serial', () => {
    const stick = driveNamed(fixtureDrives('laptop-nvme-usb').drives, '/dev/sda');
    expect(stick).toMatchObject({
      description: 'SanDisk Cruzer Blade',
      model: 'Cruzer Blade',
      serial: '4C530001',
      isRemovable: true,
      isUsb: true,
      isVirtual: false,
      id: '/dev/sda#8:0#16008609792#4C530001',
    });
  });

  it('gives a different stick of the same size in the same slot a different id (its serial differs)', () => {
    const recorded = JSON.parse(readFileSync(join(lsblkFixtureDir, 'laptop-nvme-usb.lsblk.json'), 'utf8')) as {
      blockdevices: { name: string; serial: string | null }[];
    };
    const first = driveNamed(buildDrives(parseLsblkJson(JSON.stringify(recorded)), [], { systemDeviceNumbers: [], loops: [] }), '/dev/sda');
    for (const device of recorded.blockdevices) if (device.name === '/dev/sda') device.serial = '4C530002';
    const second = driveNamed(buildDrives(parseLsblkJson(JSON.stringify(recorded)), [], { systemDeviceNumbers: [], loops: [] }), '/dev/sda');
    expect(second.sizeBytes).toBe(first.sizeBytes);
    expect(second.deviceNumber).toBe(first.deviceNumber);
    expect(second.id).not.toBe(first.id);
  });

  it('lists each partition with its size, label, file system and mountpoints, for the confirmation', () => {
    const stick = driveNamed(fixtureDrives('laptop-nvme-usb').drives, '/dev/sda');
    expect(stick.partitions).toEqual([{ device: '/dev/sda1', sizeBytes: 16007561216, label: 'STICK', filesystem: 'vfat', mountpoints: ['/media/ana/STICK'] }]);
  });

  it('reads recordings made without the SERIAL, WWN, FSTYPE and LABEL columns as "the OS does not say"', () => {
    const [sdb] = loadLsblkFixture('old-util-linux').devices.slice(1);
    expect(sdb).toMatchObject({ wwn: null });
    const [bare] = parseLsblkJson('{"blockdevices":[{"name":"/dev/sdz","maj:min":"8:240","type":"disk","size":1024}]}');
    expect(bare).toMatchObject({ serial: null, wwn: null, filesystem: null, label: null });
  });

  it('counts a hot-plugged disk with rm=0 (USB hard disk) as removable', () => {
    expect(driveNamed(fixtureDrives('laptop-nvme-usb').drives, '/dev/sdb').isRemovable).toBe(true);
  });

  it('marks loop devices virtual and never removable', () => {
    const loop = driveNamed(fixtureDrives('vm-with-loops').drives, '/dev/loop0');
    expect(loop).toMatchObject({ isVirtual: true, isRemovable: false, description: 'Loop device /dev/loop0' });
  });

  it('takes description, USB and system flags from drivelist where lsblk has none', () => {
    const { devices, loops } = loadLsblkFixture('vm-virtio');
    const drives = buildDrives(
      devices,
      [
        {
          device: '/dev/vda',
          raw: '/dev/vda',
          description: 'Virtio Disk',
          size: 1,
          logicalBlockSize: 512,
          blockSize: 4096,
          isUSB: false,
          isSystem: true,
          isVirtual: false,
          isRemovable: false,
          isReadOnly: false,
          mountpoints: [],
        },
      ],
      { systemDeviceNumbers: [], loops },
    );
    expect(driveNamed(drives, '/dev/vda')).toMatchObject({ description: 'Virtio Disk', isSystem: true });
  });

  it('keeps a drive only drivelist knows (another platform), without device numbers', () => {
    const drives = buildDrives(
      [],
      [
        {
          device: '\\\\.\\PhysicalDrive1',
          raw: '\\\\.\\PhysicalDrive1',
          description: 'USB Stick',
          size: 8e9,
          logicalBlockSize: 512,
          blockSize: 512,
          isUSB: true,
          isSystem: false,
          isVirtual: null,
          isRemovable: true,
          isReadOnly: false,
          mountpoints: [{ path: 'E:\\' }],
        },
      ],
      { systemDeviceNumbers: [], loops: [] },
    );
    expect(drives).toEqual([expect.objectContaining({ deviceNumber: null, isUsb: true, isVirtual: false, mountpoints: ['E:\\'] })]);
  });
});

describe('parseMountinfo', () => {
  const text = [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw',
    '31 27 8:1 / /boot rw shared:5 - ext4 /dev/sda1 rw',
    '32 27 8:17 / /media/my\\040stick rw - vfat /dev/sdb1 rw',
    '33 27 0:40 / /home rw - btrfs /dev/nvme0n1p2 rw',
    'garbage line',
  ].join('\n');

  it('reads device numbers, mountpoints (unescaping \\040) and sources, skipping malformed lines', () => {
    const mounts = parseMountinfo(text);
    expect(mounts).toHaveLength(5);
    expect(mounts[3]).toEqual({ deviceNumber: '8:17', mountpoint: '/media/my stick', fileSystemType: 'vfat', source: '/dev/sdb1' });
  });

  it('keeps system mountpoints with real device numbers only (btrfs and tmpfs report 0:N)', () => {
    expect(systemDeviceNumbersFrom(parseMountinfo(text))).toEqual(['254:0', '8:1']);
  });
});

describe('diffDrives and watchDrives', () => {
  const { drives } = fixtureDrives('laptop-nvme-usb');
  const without = (device: string): Drive[] => drives.filter((drive) => drive.device !== device);

  it('reports nothing when nothing changed', () => {
    expect(
      diffDrives(
        drives,
        drives.map((drive) => ({ ...drive })),
      ),
    ).toBeNull();
  });

  it('reports attached, detached and changed drives by id', () => {
    const changed = drives.map((drive) => (drive.device === '/dev/sdb' ? { ...drive, mountpoints: [] } : drive));
    expect(diffDrives(without('/dev/sda'), changed)).toMatchObject({
      attached: ['/dev/sda#8:0#16008609792#4C530001'],
      detached: [],
      changed: [driveNamed(drives, '/dev/sdb').id],
    });
    expect(diffDrives(drives, without('/dev/mmcblk0'))).toMatchObject({ attached: [], detached: [driveNamed(drives, '/dev/mmcblk0').id], changed: [] });
  });

  it('watches: one event per real difference, none for identical enumerations', async () => {
    const sequence = [drives, drives, without('/dev/sda'), without('/dev/sda'), drives];
    let call = 0;
    const changes: string[] = [];
    await new Promise<void>((resolve) => {
      const watcher = watchDrives({
        intervalMs: 1,
        scan: async () => {
          const next = sequence[Math.min(call, sequence.length - 1)]!;
          call += 1;
          if (call > sequence.length + 2) {
            watcher.stop();
            resolve();
          }
          return next;
        },
        onChange: (change) => changes.push(`+${change.attached.length} -${change.detached.length}`),
      });
    });
    expect(changes).toEqual(['+0 -1', '+1 -0']);
  });
});
