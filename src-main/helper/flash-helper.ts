// The elevated helper's entry (`isotope flash-helper TOKEN`, started as root by the OS prompt). It
// takes nothing from its command line but the token: it checks the channel directory is private and
// owned by the user who asked, proves it read the secret, receives the job over the socket, and runs
// it - re-enumerating drives and re-checking the safety rules itself - streaming progress back.
// Its scope (issue 12 §1): it opens the image with the asking user's rights and writes (or reads
// back) only whole block devices of its own enumeration (invoking-user.ts, flash-image.ts).
import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { parseFlashWork, runFlashWorkHere, type FlashWork } from '../flash/flash-work.ts';
import { helperDirFor, onMessages, sendMessage, tokenPattern } from '../elevation/helper-channel.ts';
import { invokingUserScope, readOwnedSecret } from './invoking-user.ts';
import { GrowingFile } from '../flash/source/growing-file-source.ts';
import { FlashFailure } from '../flash/flash-error.ts';
import { applyGrowingEvent } from '../flash/source/growing-feed-log.ts';
import { parseBackupHelperWork, runBackupHelper, type BackupHelperWork } from './backup-helper.ts';
import { parseVmDriveWork, type VmDriveWork } from '../vm/drive-launch.ts';
import { runVmHelper } from './vm-helper.ts';

/** Runs one job; resolves to the process exit code. */
export async function runFlashHelper(token: string): Promise<number> {
  if (!tokenPattern.test(token)) return 2;
  const dir = helperDirFor(token);
  const stats = await lstat(dir).catch(() => null);
  // The directory must be a real directory, private (0700), and owned by the user the prompt ran for.
  const invokingUid = Number(process.env['PKEXEC_UID'] ?? process.env['SUDO_UID'] ?? stats?.uid);
  if (stats === null || !stats.isDirectory() || (stats.mode & 0o077) !== 0 || stats.uid !== invokingUid) return 2;
  const secretPath = join(dir, 'secret');
  const secret = await readOwnedSecret(secretPath, invokingUid).catch(() => null);
  if (secret === null) return 2;
  await unlink(secretPath);
  const scope = invokingUserScope({ uid: invokingUid, gid: stats.gid });

  const socket = connect(join(dir, 'socket'));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  sendMessage(socket, { type: 'hello', secret });
  const controller = new AbortController();
  // A write while downloading reads the file only as far as the engine's reports say it landed.
  const arriving = new GrowingFile();
  const job = await new Promise<{ jobId: string; work: FlashWork | BackupHelperWork | VmDriveWork } | null>((resolve) => {
    onMessages(socket, (message) => {
      if (message['type'] === 'job' && typeof message['jobId'] === 'string') {
        // The job is data, checked here; the drive rules run again inside runFlashWorkHere.
        const work = parseBackupHelperWork(message['work']) ?? parseVmDriveWork(message['work']) ?? parseFlashWork(message['work']);
        resolve(work === null ? null : { jobId: message['jobId'].slice(0, 200), work });
      }
      if (message['type'] === 'cancel') controller.abort();
      if (message['type'] === 'arriving') applyGrowingEvent(arriving, message['event']);
    });
    socket.once('close', () => resolve(null));
    // The engine gone, a download it reported is over for us: a write while downloading stops waiting and marks what it wrote.
    socket.once('close', () => arriving.failed(new FlashFailure('source-unreadable', 'the engine closed the channel before the download ended')));
  });
  if (job === null) return 2;
  if (job.work.kind === 'backup') {
    // A backup: the helper only reads the device and streams it (backup-helper.ts).
    const code = await runBackupHelper(job.work, { control: socket, socketPath: join(dir, 'socket'), secret, signal: controller.signal });
    await new Promise<void>((resolve) => socket.end(resolve));
    return code;
  }
  if (job.work.kind === 'vm-drive') {
    // A VM trial: QEMU runs as the user with the drive's read-only descriptor (vm-helper.ts).
    const code = await runVmHelper(job.work, { control: socket, signal: controller.signal, user: { uid: invokingUid, gid: stats.gid } });
    await new Promise<void>((resolve) => socket.end(resolve));
    return code;
  }
  const result = await runFlashWorkHere(
    job.work,
    { jobId: job.jobId, signal: controller.signal, onProgress: (progress) => sendMessage(socket, { type: 'progress', progress }) },
    scope,
    arriving,
  );
  sendMessage(socket, { type: 'result', result });
  await new Promise<void>((resolve) => socket.end(resolve));
  return result.outcome === 'succeeded' ? 0 : 1;
}
