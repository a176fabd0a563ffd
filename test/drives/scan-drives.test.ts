// The drives adapter against this machine's real tools: one scan runs lsblk once. Each run is
// counted by a wrapper placed first on PATH that logs, then runs the real lsblk.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDrives } from '../../src-main/drives/build-drives.ts';
import { scanDrives } from '../../src-main/drives/list-drives.ts';
import { parseLsblkJson } from '../../src-main/drives/lsblk.ts';
import { driveNamed, loadLsblkFixture } from './lsblk-fixtures.ts';

describe('scanDrives', () => {
  const savedPath = process.env.PATH;
  const folders: string[] = [];
  afterEach(() => {
    process.env.PATH = savedPath;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it.runIf(process.platform === 'linux')('runs lsblk once per scan on Linux (drivelist would run it a second time)', async () => {
    const realLsblk = execFileSync('sh', ['-c', 'command -v lsblk'], { encoding: 'utf8' }).trim();
    const folder = mkdtempSync(join(tmpdir(), 'isotope-lsblk-count-'));
    folders.push(folder);
    const log = join(folder, 'runs.log');
    writeFileSync(log, '');
    writeFileSync(join(folder, 'lsblk'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realLsblk}' "$@"\n`);
    chmodSync(join(folder, 'lsblk'), 0o755);
    process.env.PATH = `${folder}:${savedPath ?? ''}`;

    const scan = await scanDrives();

    const runs = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toContain('--json');
    // The one run still finds this machine's drives.
    expect(scan.drives.length).toBeGreaterThan(0);
  });
});

describe('buildDrives without drivelist (Linux)', () => {
  it('describes a drive without vendor or model by its file system labels, as drivelist did', () => {
    // An SD card in a built-in reader: lsblk knows no vendor or model for mmcblk devices.
    const part = (name: string, minor: number, label: string) => ({
      name,
      'maj:min': `179:${minor}`,
      type: 'part',
      size: 268435456,
      ro: false,
      rm: false,
      hotplug: false,
      label,
      mountpoints: [null],
    });
    const devices = parseLsblkJson(
      JSON.stringify({
        blockdevices: [
          {
            name: '/dev/mmcblk0',
            'maj:min': '179:0',
            type: 'disk',
            size: 31914983424,
            ro: false,
            rm: false,
            hotplug: false,
            tran: null,
            vendor: null,
            model: null,
            mountpoints: [null],
            children: [part('/dev/mmcblk0p1', 1, 'bootfs'), part('/dev/mmcblk0p2', 2, 'rootfs')],
          },
        ],
      }),
    );
    const drives = buildDrives(devices, [], { systemDeviceNumbers: [], loops: [] });
    expect(driveNamed(drives, '/dev/mmcblk0').description).toBe('/dev/mmcblk0 (bootfs, rootfs)');
  });

  it('still calls a loop device a loop device, and a drive without labels by its path', () => {
    const { devices, loops } = loadLsblkFixture('vm-with-loops');
    const drives = buildDrives(devices, [], { systemDeviceNumbers: [], loops });
    expect(driveNamed(drives, '/dev/loop0').description).toBe('Loop device /dev/loop0');
    expect(driveNamed(drives, '/dev/zram0').description).toBe('/dev/zram0');
  });
});

describe('buildDrives order', () => {
  it('lists the drives in natural order, numbers by their value (loop2 before loop10, nvme0n1 before nvme1n1)', () => {
    const disk = (name: string, minor: number) => ({
      name,
      'maj:min': `7:${minor}`,
      type: name.includes('loop') ? 'loop' : 'disk',
      size: 1048576,
      ro: false,
      rm: false,
      hotplug: false,
      mountpoints: [null],
    });
    const names = ['/dev/loop10', '/dev/sdb', '/dev/nvme1n1', '/dev/loop2', '/dev/sda', '/dev/nvme0n10', '/dev/nvme0n1', '/dev/loop0', '/dev/sdaa'];
    const devices = parseLsblkJson(JSON.stringify({ blockdevices: names.map((name, index) => disk(name, index)) }));
    const drives = buildDrives(devices, [], { systemDeviceNumbers: [], loops: [] });
    expect(drives.map((drive) => drive.device)).toEqual([
      '/dev/loop0',
      '/dev/loop2',
      '/dev/loop10',
      '/dev/nvme0n1',
      '/dev/nvme0n10',
      '/dev/nvme1n1',
      '/dev/sda',
      '/dev/sdaa',
      '/dev/sdb',
    ]);
  });
});
