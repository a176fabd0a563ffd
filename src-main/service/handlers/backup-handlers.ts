// `drives:backup` and `backup:pick-output`: reading a whole drive into an image file (src-main/backup/).
// The drive is read, never written, so a backup needs no confirmation; the output is what must be safe:
// through the contract only in the home folder or a folder chosen in the shell's own dialog (as an
// extraction's destination), never on the drive being read, never over a file unless asked.
import { dirname } from 'node:path';
import type { BackupRequest } from '../../../shared/backup.ts';
import { backupWorkFor, findBackupDrive } from '../../backup/backup-work.ts';
import { checkBackupOutput } from '../../backup/output-checks.ts';
import { runBackup } from '../../elevation/backup-elevation.ts';
import { CodedError } from '../../jobs/errors.ts';
import { ProgressThrottle, RateMeter } from '../../jobs/progress-meter.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import { checkExtractionDestination, extractionDestinations } from './image-handlers.ts';
import { startJob } from './job-handlers.ts';
import { recordJob } from '../job-history.ts';

export const backupHandlers: HandlerTable<'drives:backup' | 'backup:pick-output'> = {
  'backup:pick-output': async ({ suggestedName }, { options }) => {
    if (!options.pickBackupOutput) throw new CodedError('unsupported', `the ${options.shell} shell has no save dialog`);
    const path = await options.pickBackupOutput(suggestedName);
    // The folder the user chose in the shell's own dialog (never the renderer's word) becomes an allowed destination.
    if (path !== null) await extractionDestinations.choose(dirname(path));
    return { path };
  },
  'drives:backup': (request, context) => startBackupJob(request, context),
};

/** Refusals (drive gone, output not allowed, on the drive, existing) fail the call itself; the read is the job. */
async function startBackupJob(request: BackupRequest, context: HandlerContext): Promise<{ jobId: string }> {
  const { events, options } = context;
  // The CLI's user typed the path; any other caller's path is not the user's choice (issue 12 §2).
  // Checked before the drive is looked up: a refused output touches nothing.
  await checkExtractionDestination(request.outputPath, options);
  const drive = await findBackupDrive({ driveId: request.driveId });
  const work = backupWorkFor(drive, { outputPath: request.outputPath, compression: request.compression, overwrite: request.overwrite ?? false });
  await checkBackupOutput({
    outputPath: work.outputPath,
    overwrite: work.overwrite,
    device: work.device,
    driveDeviceNumbers: [work.deviceNumber, ...work.partitionDeviceNumbers],
  });
  const meter = new RateMeter();
  const throttle = new ProgressThrottle();
  return startJob(context, 'backup', (jobId, signal) => {
    const onProgress = (bytesRead: number, sizeBytes: number): void => {
      meter.sample(bytesRead);
      if (!throttle.due(bytesRead === sizeBytes)) return;
      events.emit('job:progress', {
        jobId,
        kind: 'backup',
        phase: 'backing-up',
        bytesDone: bytesRead,
        bytesTotal: sizeBytes,
        ...meter.rate(bytesRead, sizeBytes),
        targets: [],
        subject: work.device,
        files: null,
      });
    };
    const start = {
      kind: 'backup',
      image: { path: work.outputPath, url: null, sizeBytes: null, sha256: null },
      targets: [{ driveId: drive.id }],
      mode: null,
    } as const;
    return recordJob(
      context,
      jobId,
      start,
      () => runBackup(work, { jobId, signal, onProgress }, options.elevatedHelper ?? {}),
      (result, started) => ({
        outcome: 'succeeded',
        verify: null,
        error: null,
        targets: started.map((target) => ({ ...target, outcome: 'succeeded' })),
        // The image is the backup file; its size and SHA-256 are the raw device bytes read in this run (what a flash of it reports).
        image: { sizeBytes: result.bytesRead, sha256: result.sha256Hex },
      }),
    );
  });
}
