// A disk image written to a loop device smaller than the image but holding every partition (root
// only): a 32 MiB MBR card (sfdisk) whose partitions end at 20 MiB, written to a 24 MiB drive, gets
// exactly its first 20 MiB (cmp), verified, and the drive's last 4 MiB are left as they were; a byte
// past the partitions that is not zero, or a drive smaller than the partitions, refuses the drive
// and writes nothing; a larger drive still gets the whole image; a multi-block .img.xz streams its
// first 20 MiB; a write bound to a length the image's bytes no longer allow is refused; and through
// the service, the drive list names the note and the plan binds the shorter length.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DriveStatus } from '../../shared/drive.ts';
import type { FlashPlan, FlashResult } from '../../shared/flash.ts';
import type { JobFinished } from '../../shared/job.ts';
import type { Result } from '../../shared/result.ts';
import { flashImage } from '../../src-main/flash/flash-image.ts';
import { createService } from '../../src-main/service/service.ts';
import { assertBuilt, runIsotope } from '../helpers/built-cli.ts';
import { LoopDevices, cmpIdentical, isRoot, readBytes, rootSkipReason } from './loop-devices.ts';

const MiB = 1024 * 1024;
const imageBytes = 32 * MiB;
const partitionsEndBytes = 20 * MiB;

describe.skipIf(!isRoot)(`writing a disk image to a drive that holds only its partitions (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  let dir = '';
  let card = '';

  /** A loop device over a file of `sizeBytes` filled with 0xAA, so bytes left unwritten show. */
  const drive = (name: string, sizeBytes: number): string => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(sizeBytes, 0xaa));
    return loops.attach(path);
  };
  const flash = (target: string, imagePath = card, lengthBytes?: number) =>
    flashImage({
      imagePath,
      targets: [{ path: target }],
      verify: true,
      includeAll: true,
      eject: false,
      recipe: lengthBytes === undefined ? { kind: 'raw' } : { kind: 'raw', lengthBytes },
    });
  /** The card: sfdisk's MBR, random bytes in both partitions (1-20 MiB), zeros from 20 MiB to 32 MiB. */
  const makeCard = (name: string): string => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.alloc(imageBytes));
    execFileSync('sfdisk', ['--quiet', path], { input: 'label: dos\nstart=2048, size=16384, type=c\nstart=18432, size=22528, type=83\n' });
    writeAt(path, MiB, randomBytes(partitionsEndBytes - MiB));
    return path;
  };
  const writeAt = (path: string, offsetBytes: number, bytes: Uint8Array): void => {
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, offsetBytes);
    } finally {
      closeSync(fd);
    }
  };

  beforeAll(() => {
    dir = mkdtempSync('/dev/shm/isotope-partition-fit-');
    vi.stubEnv('ISOTOPE_HOME', join(dir, 'home'));
    card = makeCard('card.img');
  });
  afterAll(() => {
    loops.detachAll();
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes and verifies only the first 20 MiB on a 24 MiB drive, leaving its last 4 MiB as they were', async () => {
    const target = drive('small.bin', 24 * MiB);
    const result = await flash(target);
    expect(result.outcome).toBe('succeeded');
    expect(result.source).toMatchObject({ sizeBytes: partitionsEndBytes, imageSizeBytes: imageBytes });
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: partitionsEndBytes, error: null });
    expect(cmpIdentical(card, target, partitionsEndBytes)).toBe(true);
    expect(readBytes(target, partitionsEndBytes, 4 * MiB).equals(Buffer.alloc(4 * MiB, 0xaa))).toBe(true);
  });

  it('writes the whole image to a drive larger than it', async () => {
    const target = drive('large.bin', 40 * MiB);
    const result = await flash(target);
    expect(result.source.imageSizeBytes).toBeUndefined();
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: imageBytes });
    expect(cmpIdentical(card, target, imageBytes)).toBe(true);
  });

  it('refuses the 24 MiB drive when one byte past the partitions is not zero, and writes nothing', async () => {
    const dirty = makeCard('dirty.img');
    writeAt(dirty, 30 * MiB + 3, Uint8Array.of(0x01));
    const target = drive('small-dirty.bin', 24 * MiB);
    const result = await flash(target, dirty);
    expect(result.outcome).toBe('failed');
    expect(result.targets[0]?.refusals.map((issue) => issue.code)).toEqual(['too-small']);
    expect(result.targets[0]?.error?.message).toContain(
      `byte ${30 * MiB + 3} of the image, past where its partitions end (byte ${partitionsEndBytes}), is not zero`,
    );
    expect(readBytes(target, 0, MiB).equals(Buffer.alloc(MiB, 0xaa))).toBe(true);
  });

  it('refuses a drive smaller than where the partitions end', async () => {
    const target = drive('tiny.bin', 16 * MiB);
    const result = await flash(target);
    expect(result.targets[0]?.error?.message).toContain(`even its partitions end at byte ${partitionsEndBytes}`);
    expect(readBytes(target, 0, MiB).equals(Buffer.alloc(MiB, 0xaa))).toBe(true);
  });

  it('streams the first 20 MiB of a multi-block .img.xz to the 24 MiB drive', async () => {
    const xz = join(dir, 'card.img.xz');
    writeFileSync(xz, execFileSync('xz', ['-1', '-T2', '--block-size=4MiB', '-c', card], { maxBuffer: 64 * MiB }));
    const target = drive('small-xz.bin', 24 * MiB);
    const result = await flash(target, xz);
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: partitionsEndBytes });
    expect(cmpIdentical(card, target, partitionsEndBytes)).toBe(true);
  });

  it('through the service: drives:list names the note, flash:prepare binds 20 MiB, and flash:start writes exactly that', async () => {
    const service = createService({ shell: 'web', version: 'test', log: () => undefined });
    const target = drive('small-service.bin', 24 * MiB);
    const listed = (await service.invoke('drives:list', { includeAll: true, imagePath: card })) as Result<{ drives: DriveStatus[] }>;
    const status = listed.ok ? listed.value.drives.find((candidate) => candidate.drive.device === target) : undefined;
    expect(status?.eligible).toBe(true);
    const note = status?.warnings.find((issue) => issue.code === 'smaller-than-image');
    expect(note?.partitionFit).toEqual({ imageSizeBytes: imageBytes, requiredTargetBytes: partitionsEndBytes });

    const driveId = status!.drive.id;
    const prepared = (await service.invoke('flash:prepare', { imagePath: card, driveIds: [driveId], includeAll: true, eject: false })) as Result<FlashPlan>;
    expect(prepared).toMatchObject({ ok: true, value: { rawWriteBytes: partitionsEndBytes, mode: { mode: 'raw' } } });
    const plan = (prepared as { value: FlashPlan }).value;
    expect(plan.targets[0]?.warnings.map((issue) => issue.code)).toContain('smaller-than-image');

    const finished = new Promise<FlashResult>((resolve) => {
      service.events.subscribe((name, payload) => {
        const ended = payload as JobFinished;
        if (name === 'job:finished' && ended.kind === 'flash' && ended.result.ok) resolve(ended.result.value as FlashResult);
      });
    });
    const typedNames = { [driveId]: target.split('/').pop()! };
    expect(await service.invoke('flash:start', { confirmationId: plan.confirmationId, typedNames })).toMatchObject({ ok: true });
    const result = await finished;
    expect(result.targets[0]).toMatchObject({ outcome: 'verified', bytesWritten: partitionsEndBytes });
    expect(result.source).toMatchObject({ sizeBytes: partitionsEndBytes, imageSizeBytes: imageBytes });
    expect(cmpIdentical(card, target, partitionsEndBytes)).toBe(true);
    expect(readBytes(target, partitionsEndBytes, MiB).equals(Buffer.alloc(MiB, 0xaa))).toBe(true);
  });

  it('isotope flash names the space the card needs and says it wrote the first 20 MiB of 32', () => {
    assertBuilt();
    const target = drive('small-cli.bin', 24 * MiB);
    const run = runIsotope(['flash', card, target, '--yes', '--unsafe'], { env: { ...process.env, ISOTOPE_HOME: join(dir, 'cli-home') } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`space on the drive: may need only 20.0 MiB (${partitionsEndBytes} bytes) if the rest of the image is empty`);
    expect(run.stdout).toContain(
      `Wrote the first ${partitionsEndBytes} of the image's ${imageBytes} bytes: every partition; the ${imageBytes - partitionsEndBytes} bytes past them are all zero`,
    );
    expect(cmpIdentical(card, target, partitionsEndBytes)).toBe(true);
  });

  it('refuses a write bound to a length the image no longer allows (its tail changed since the plan)', async () => {
    const changed = makeCard('changed.img');
    writeAt(changed, 25 * MiB, Uint8Array.of(0x02));
    const target = drive('small-bound.bin', 24 * MiB);
    const result = await flash(target, changed, partitionsEndBytes);
    expect(result.targets[0]?.error).toMatchObject({ code: 'refused' });
    expect(result.targets[0]?.error?.message).toContain(`the plan wrote the first ${partitionsEndBytes} bytes`);
    expect(readBytes(target, 0, MiB).equals(Buffer.alloc(MiB, 0xaa))).toBe(true);
  });
});
