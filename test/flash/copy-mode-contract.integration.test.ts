// Copy-files mode and format through the contract, as the web shell calls them (root, loop devices):
// flash:prepare chooses the mode and says why, composes the stick once for the smallest target and
// answers with what it will hold and how it will start; its refusals (a file over FAT32's 4 GiB, no
// room) are errors of prepare that change no byte of the target; flash:start writes the plan's
// stick; drives:format-prepare/-start make an empty FAT32 or exFAT stick that fsck and blkid accept.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashPlan, FlashResult, FormatPlan, FormatResult } from '../../shared/flash.ts';
import type { JobFinished, JobProgress } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { runTool } from '../fixtures/fixture-cache.ts';
import { multiExtentIsoPath } from '../fixtures/iso-images.ts';
import { nonhybridGrubIsoPath } from '../fixtures/qemu-boot-images.ts';
import { LoopDevices, isRoot, rootSkipReason, sha256OfPrefix } from './loop-devices.ts';

const MiB = 1024 * 1024;

/** Starts a job with `start` and answers with the result its one job:finished carries, and the kinds of its progress reports. */
async function finish<K extends 'flash' | 'format'>(
  service: Service,
  kind: K,
  start: () => Promise<Result<unknown>>,
): Promise<{ result: Result<unknown>; progressKinds: Set<string> }> {
  let jobId: string | null = null;
  const progressKinds = new Set<string>();
  const ended = new Promise<Result<unknown>>((resolve) => {
    const unsubscribe = service.events.subscribe((name, payload) => {
      if (name === 'job:progress' && (payload as JobProgress).jobId === jobId) progressKinds.add((payload as JobProgress).kind);
      const finished = payload as JobFinished;
      if (name === 'job:finished' && finished.jobId === jobId && finished.kind === kind) {
        unsubscribe();
        resolve(finished.result);
      }
    });
  });
  const started = (await start()) as Result<{ jobId: string }>;
  if (!started.ok) return { result: started, progressKinds };
  jobId = started.value.jobId;
  return { result: await ended, progressKinds };
}

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

describe.skipIf(!isRoot)(`copy-files mode and format through the contract (${rootSkipReason})`, () => {
  let dir = '';
  const loops = new LoopDevices();
  const web = createService({ shell: 'web', version: 'test', log: () => undefined });

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-copy-contract-');
    process.env.ISOTOPE_HOME = join(dir, 'home');
  });
  afterAll(() => {
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A loop device over a sparse file (old data 0xAA in its first and last MiB) and its drive id. */
  async function drive(name: string, sizeBytes: number): Promise<{ device: string; driveId: string; file: string; nameToType: string }> {
    const file = join(dir, `${name}.img`);
    writeFileSync(file, '');
    truncateSync(file, sizeBytes);
    execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=1', 'conv=notrunc', 'status=none']);
    const device = loops.attach(file);
    const listed = valueOf<{ drives: DriveStatus[] }>(await web.invoke('drives:list', { includeAll: true }));
    const status = listed.drives.find((candidate) => candidate.drive.device === device);
    if (!status) throw new Error(`${device} is not listed`);
    return { device, driveId: status.drive.id, file, nameToType: device.split('/').pop()! };
  }

  it('plans copy mode for a non-hybrid EFI ISO with its reason, the stick and "UEFI only", and flash:start writes that stick', async () => {
    const target = await drive('auto', 64 * MiB);
    const image = nonhybridGrubIsoPath();
    const plan = valueOf<FlashPlan>(await web.invoke('flash:prepare', { imagePath: image, driveIds: [target.driveId], includeAll: true, eject: false }));
    expect(plan.mode).toEqual({ mode: 'copy', reason: 'el-torito-efi-not-hybrid' });
    expect(plan.copy).toMatchObject({ table: 'mbr', windows: { skipHardwareChecks: false, localAccountName: null, regional: null } });
    expect(plan.stick).toMatchObject({ composedForBytes: 64 * MiB });
    expect(plan.stick!.fileCount).toBeGreaterThan(0);
    expect(plan.bootPrediction).toMatchObject({ mode: 'copy', usb: 'yes', bios: false, uefi: { x64: true } });

    const { result, progressKinds } = await finish(web, 'flash', () =>
      web.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames: { [target.driveId]: target.nameToType } }),
    );
    expect(valueOf<FlashResult>(result)).toMatchObject({ outcome: 'succeeded', targets: [{ outcome: 'verified' }] });
    expect(progressKinds).toEqual(new Set(['flash']));
    expect(runTool('blkid', ['-p', '-o', 'export', target.device])).toMatch(/^PTTYPE=dos$/m);
  });

  it("writes raw when asked (--mode raw), saying it was the user's choice", async () => {
    const target = await drive('raw', 64 * MiB);
    const plan = valueOf<FlashPlan>(
      await web.invoke('flash:prepare', { imagePath: nonhybridGrubIsoPath(), driveIds: [target.driveId], includeAll: true, mode: 'raw' }),
    );
    expect(plan).toMatchObject({ mode: { mode: 'raw', reason: 'chosen-by-user' }, copy: null, stick: null, bootPrediction: { mode: 'raw' } });
  });

  it('refuses at prepare a file over 4 GiB that is not install.wim, naming it, and the target keeps every byte', async () => {
    const target = await drive('huge', 8 * 1024 * MiB);
    const before = sha256OfPrefix(target.device, 2 * MiB);
    const prepared = await web.invoke('flash:prepare', { imagePath: multiExtentIsoPath(), driveIds: [target.driveId], includeAll: true, mode: 'copy' });
    expect(prepared).toMatchObject({ ok: false, error: { code: 'file-too-large', message: expect.stringContaining('/huge.bin') } });
    expect(sha256OfPrefix(target.device, 2 * MiB)).toBe(before);
  }, 120_000);

  it('refuses at prepare a target too small for the files, giving both sizes, and the target keeps every byte', async () => {
    const target = await drive('small', 2 * MiB);
    const before = sha256OfPrefix(target.device, 2 * MiB);
    const prepared = await web.invoke('flash:prepare', { imagePath: nonhybridGrubIsoPath(), driveIds: [target.driveId], includeAll: true, mode: 'copy' });
    expect(prepared).toMatchObject({ ok: false, error: { code: 'target-too-small' } });
    expect(sha256OfPrefix(target.device, 2 * MiB)).toBe(before);
  });

  it("lists a drive smaller than the image as too small only for a raw write: a copied stick's room is prepare's to judge", async () => {
    const target = await drive('listed-small', 2 * MiB);
    const image = nonhybridGrubIsoPath();
    const statusIn = async (request: { mode?: 'auto' | 'raw' | 'copy' }): Promise<DriveStatus> => {
      const listed = valueOf<{ drives: DriveStatus[] }>(await web.invoke('drives:list', { includeAll: true, imagePath: image, ...request }));
      return listed.drives.find((candidate) => candidate.drive.device === target.device)!;
    };
    const tooSmall = (status: DriveStatus): string[] => status.refusals.filter((issue) => issue.code === 'too-small').map((issue) => issue.reason);
    // auto chooses copy for this non-hybrid EFI disc (as flash:prepare does), and so does copy.
    expect(tooSmall(await statusIn({}))).toEqual([]);
    expect(tooSmall(await statusIn({ mode: 'copy' }))).toEqual([]);
    expect(tooSmall(await statusIn({ mode: 'raw' }))).toEqual([expect.stringMatching(/^the image is \d+ bytes, \/dev\/loop\d+ holds 2097152$/)]);
    // The copy's room is judged where the stick is composed, with both sizes.
    const prepared = await web.invoke('flash:prepare', { imagePath: image, driveIds: [target.driveId], includeAll: true });
    expect(prepared).toMatchObject({ ok: false, error: { code: 'target-too-small' } });
  });

  it.each([
    { fileSystem: 'fat32', sizeBytes: 64 * MiB, fsck: ['fsck.fat', '-n'], type: 'vfat' },
    { fileSystem: 'exfat', sizeBytes: 64 * MiB, fsck: ['fsck.exfat', '-n'], type: 'exfat' },
  ] as const)('formats a drive as an empty $fileSystem stick that fsck and blkid accept', async ({ fileSystem, sizeBytes, fsck, type }) => {
    const target = await drive(`format-${fileSystem}`, sizeBytes);
    const plan = valueOf<FormatPlan>(await web.invoke('drives:format-prepare', { driveId: target.driveId, fileSystem, label: 'Backup 1', includeAll: true }));
    expect(plan).toMatchObject({ fileSystem, table: 'mbr', targets: [{ device: target.device, nameToType: target.nameToType }] });
    // Without the typed name the engine refuses; the confirmation is then used up.
    const untyped = await web.invoke('drives:format-start', { confirmationId: plan.confirmationId });
    expect(untyped).toMatchObject({ ok: false, error: { code: 'confirmation-required' } });
    const again = valueOf<FormatPlan>(await web.invoke('drives:format-prepare', { driveId: target.driveId, fileSystem, label: 'Backup 1', includeAll: true }));
    const { result, progressKinds } = await finish(web, 'format', () =>
      web.invoke('drives:format-start', { confirmationId: again.confirmationId, typedNames: { [target.driveId]: target.nameToType } }),
    );
    const formatted = valueOf<FormatResult>(result);
    expect(formatted).toMatchObject({ outcome: 'succeeded', fileSystem, table: 'mbr', label: again.label, targets: [{ outcome: 'verified' }] });
    expect(progressKinds).toEqual(new Set(['format']));
    const partition = join(dir, `format-${fileSystem}.part`);
    runTool('dd', [`if=${target.device}`, `of=${partition}`, 'bs=1M', 'skip=1', `count=${sizeBytes / MiB - 2}`, 'status=none']);
    execFileSync(fsck[0], [fsck[1], partition]);
    const blkid = runTool('blkid', ['-p', '-o', 'export', partition]);
    expect(blkid).toMatch(new RegExp(`^TYPE=${type}$`, 'm'));
    // blkid escapes the space; FAT labels are upper case (as DOS and Windows write them), exFAT keeps case.
    expect(blkid).toContain(`\nLABEL=${again.label.replace(' ', '\\ ')}\n`);
  });
});
