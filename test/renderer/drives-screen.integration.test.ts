// The Drives screen's state (restore-job.svelte.ts, backup-job.svelte.ts) against the real engine and
// real loop devices: a restore from the engine's plan through the typed confirmation to a FAT32
// volume blkid reads with the label asked for, and a backup whose file equals the device's bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupJob } from '../../src-renderer/state/backup-job.svelte.ts';
import { DriveList } from '../../src-renderer/state/drive-list.svelte.ts';
import { createDrivesPort, createFormatPort } from '../../src-renderer/state/engine-ports.ts';
import { JobStore } from '../../src-renderer/state/jobs.svelte.ts';
import { RestoreJob } from '../../src-renderer/state/restore-job.svelte.ts';
import { seededBytes } from '../fixtures/iso-images.ts';
import { nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { isRoot, rootSkipReason } from '../flash/loop-devices.ts';
import { inProcessEngine } from './in-process-engine.ts';

const MiB = 1024 * 1024;
/** The loop devices this file attached: only these are detached. */
const attached: string[] = [];
const scratch = mkdtempSync(join('/dev/shm', 'isotope-renderer-drives-'));
// Through the contract a backup goes only into the home folder (or a folder chosen in a native dialog).
const outputs = mkdtempSync(join(homedir(), 'isotope-renderer-backup-'));
afterAll(() => {
  for (const device of attached) execFileSync('losetup', ['-d', device]);
  rmSync(scratch, { recursive: true, force: true });
  rmSync(outputs, { recursive: true, force: true });
});

/** A loop device over a file of `sizeBytes` in /dev/shm, scanned for partitions (-P) so blkid sees p1. */
function loopOver(name: string, sizeBytes: number, content?: Uint8Array): { backing: string; device: string } {
  const backing = join(scratch, name);
  writeFileSync(backing, content ?? '');
  truncateSync(backing, sizeBytes);
  const device = execFileSync('losetup', ['-f', '--show', '-P', backing], { encoding: 'utf8' }).trim();
  attached.push(device);
  return { backing, device };
}

async function statusOf(client: ReturnType<typeof inProcessEngine>['client'], device: string) {
  const drives = new DriveList(createDrivesPort(client));
  await drives.load(null, true);
  const status = drives.statuses.find((candidate) => candidate.drive.device === device);
  expect(status).toBeDefined();
  return status!;
}

describe.skipIf(!isRoot)(`the Drives screen's state (${rootSkipReason})`, () => {
  it("lists a drive smaller than the image as too small only when the Write screen's mode is raw", async () => {
    const { device } = loopOver('smaller-than-image.img', 2 * MiB);
    const { client } = inProcessEngine();
    const drives = new DriveList(createDrivesPort(client));
    const tooSmall = async (mode: 'auto' | 'raw' | 'copy'): Promise<boolean> => {
      await drives.load(nonhybridGrubIsoPath(), true, mode);
      const status = drives.statuses.find((candidate) => candidate.drive.device === device);
      return status!.refusals.some((issue) => issue.code === 'too-small');
    };
    // The non-hybrid EFI disc is copied in auto mode: its room is judged when the stick is planned.
    expect(await tooSmall('auto')).toBe(false);
    expect(await tooSmall('raw')).toBe(true);
    expect(await tooSmall('copy')).toBe(false);
  });

  it("restores a loop device to a FAT32 stick named as asked, from the engine's plan and the typed name", async () => {
    const { device } = loopOver('restore.img', 64 * MiB);
    const { client } = inProcessEngine();
    const target = await statusOf(client, device);
    const restore = new RestoreJob(createFormatPort(client), new JobStore(client));

    const plan = await restore.prepare({ driveId: target.drive.id, fileSystem: 'fat32', label: 'Restored', includeAll: true });
    expect(restore.error).toBeNull();
    expect(plan).toMatchObject({ fileSystem: 'fat32', table: 'mbr', targets: [{ device }] });
    const nameToType = plan!.targets[0]!.nameToType!;
    await restore.start({ typedNames: { [target.drive.id]: nameToType } });

    expect(restore.error).toBeNull();
    expect(restore.result).toMatchObject({ outcome: 'succeeded', fileSystem: 'fat32', targets: [{ target: device }] });
    expect(restore.overallFraction).toBe(1);
    // One MBR partition of type 0x0C (FAT32 LBA) from 1 MiB, and a FAT32 volume there named as asked.
    const table = JSON.parse(execFileSync('sfdisk', ['-J', device], { encoding: 'utf8' })) as {
      partitiontable: { label: string; partitions: { start: number; type: string }[] };
    };
    expect(table.partitiontable).toMatchObject({ label: 'dos', partitions: [{ start: 2048, type: 'c' }] });
    const probed = execFileSync('blkid', ['-p', '-O', String(MiB), '-o', 'export', device], { encoding: 'utf8' });
    expect(probed).toContain('TYPE=vfat');
    // FAT labels are upper case (Microsoft FAT spec 6.1, BS_VolLab as DOS names).
    expect(probed).toContain('LABEL=RESTORED');
  });

  it("keeps the engine's refusal of a restore whose typed name is wrong, and writes nothing", async () => {
    const { backing, device } = loopOver('restore-refused.img', 64 * MiB);
    const { client } = inProcessEngine();
    const target = await statusOf(client, device);
    const restore = new RestoreJob(createFormatPort(client), new JobStore(client));
    await restore.prepare({ driveId: target.drive.id, includeAll: true });
    await restore.start({ typedNames: { [target.drive.id]: 'sda' } });
    expect(restore.error?.code).toBe('confirmation-required');
    expect(readFileSync(backing).every((byte) => byte === 0)).toBe(true);
  });

  it('backs a loop device up into a raw image in the home folder that equals the device, with its SHA-256', async () => {
    const content = seededBytes('drives-screen backup', 3 * MiB);
    const { backing, device } = loopOver('backup.img', 4 * MiB, content);
    const { client } = inProcessEngine();
    const target = await statusOf(client, device);
    const backup = new BackupJob(client, new JobStore(client));
    backup.prepareFor(target.drive, outputs, Date.UTC(2026, 11, 4));
    expect(backup.outputPath).toBe(join(outputs, `${device.split('/').pop()}-2026-12-04.img.zst`));
    backup.chooseCompression('none');
    expect(backup.outputPath).toBe(join(outputs, `${device.split('/').pop()}-2026-12-04.img`));

    await backup.start(target.drive);
    expect(backup.error).toBeNull();
    const written = readFileSync(backup.outputPath);
    expect(written.equals(readFileSync(backing))).toBe(true);
    const sha256 = execFileSync('sha256sum', [backing], { encoding: 'utf8' }).split(' ')[0];
    expect(backup.result).toMatchObject({ device, bytesRead: 4 * MiB, sha256Hex: sha256, compression: 'none' });
    expect(backup.fraction).toBe(1);

    // The same path again is refused (nothing replaced) until the user asks to replace it.
    await backup.start(target.drive);
    expect(backup.error?.code).toBe('file-exists');
    backup.overwrite = true;
    await backup.start(target.drive);
    expect(backup.error).toBeNull();
  });
});
