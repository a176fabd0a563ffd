// `drives:backup` through the contract, as the web shell's page calls it (root only: a loop device is
// the drive): a job of kind backup with its progress and result; the output only in the home folder
// (destination-not-allowed elsewhere, nothing written), an unknown drive id not-found, an unknown
// compression refused at the boundary.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobProgress } from '../../shared/job.ts';
import { createService, type Service } from '../../src-main/service/service.ts';
import { LoopDevices, cmpIdentical, isRoot, rootSkipReason, sha256OfPrefix } from '../flash/loop-devices.ts';
import { runJob } from '../helpers/run-job.ts';

const MiB = 1024 * 1024;

describe.skipIf(!isRoot)(`drives:backup through the contract (${rootSkipReason})`, () => {
  const loops = new LoopDevices();
  const homeBefore = process.env.HOME;
  let dir = '';
  let home = '';
  let device = '';
  let driveId = '';
  let service: Service;
  const deviceBytes = 8 * MiB;

  beforeAll(async () => {
    dir = mkdtempSync('/dev/shm/isotope-backup-contract-');
    // The destination rule reads the home folder from HOME (os.homedir): a folder of this test's own.
    home = join(dir, 'home');
    mkdirSync(home);
    process.env.HOME = home;
    writeFileSync(join(dir, 'drive.img'), randomBytes(deviceBytes));
    device = loops.attach(join(dir, 'drive.img'), { readOnly: true });
    service = createService({ shell: 'web', version: '0.0.0-test', log: () => undefined });
    const listed = await service.call('drives:list', { includeAll: true });
    if (!listed.ok) throw new Error(listed.error.message);
    driveId = listed.value.drives.find((status) => status.drive.device === device)?.drive.id ?? '';
  });
  afterAll(() => {
    process.env.HOME = homeBefore;
    loops.detachAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as a job of kind backup: progress in phase backing-up, then the result with both digests', async () => {
    const outputPath = join(home, 'stick.img.gz');
    const progress: JobProgress[] = [];
    const result = await runJob(
      service,
      'backup',
      'drives:backup',
      { driveId, outputPath, compression: 'gzip' },
      { progressed: (event) => progress.push(event) },
    );
    expect(result.ok && result.value).toMatchObject({
      device,
      outputPath,
      compression: 'gzip',
      bytesRead: deviceBytes,
      sha256Hex: sha256OfPrefix(device, deviceBytes),
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((event) => event.kind === 'backup' && event.phase === 'backing-up' && event.bytesTotal === deviceBytes)).toBe(true);
    expect(progress.at(-1)?.bytesDone).toBe(deviceBytes);
    const sidecar = readFileSync(`${outputPath}.sha256`, 'utf8');
    expect(sidecar).toBe(`${result.ok ? result.value.fileSha256Hex : ''}  stick.img.gz\n`);
  });

  it('refuses an output outside the home folder (destination-not-allowed) and writes nothing', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const result = await runJob(service, 'backup', 'drives:backup', { driveId, outputPath: join(outside, 'stick.img'), compression: 'none' });
    expect(result).toMatchObject({ ok: false, error: { code: 'destination-not-allowed' } });
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses an existing file without overwrite (file-exists) and replaces it with overwrite: true', async () => {
    const outputPath = join(home, 'again.img');
    writeFileSync(outputPath, 'old');
    const refused = await runJob(service, 'backup', 'drives:backup', { driveId, outputPath, compression: 'none' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'file-exists' } });
    expect(readFileSync(outputPath, 'utf8')).toBe('old');
    const replaced = await runJob(service, 'backup', 'drives:backup', { driveId, outputPath, compression: 'none', overwrite: true });
    expect(replaced.ok).toBe(true);
    expect(cmpIdentical(outputPath, device, deviceBytes)).toBe(true);
  });

  it('answers not-found for a drive id that is not attached, and invalid-request for an unknown compression', async () => {
    const missing = await runJob(service, 'backup', 'drives:backup', { driveId: 'no-such-drive', outputPath: join(home, 'x.img'), compression: 'none' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const bad = await runJob(service, 'backup', 'drives:backup', { driveId, outputPath: join(home, 'x.img'), compression: 'bzip2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(readdirSync(home).includes('x.img')).toBe(false);
  });
});
