// Where a backup's device is read: here when this process may open it (root, or a user in the `disk`
// group), else by the elevated helper, which reads only that whole device and streams its bytes to
// this process; compressing and writing the file always happen here, with the user's own rights.
import type { BackupResult } from '../../shared/backup.ts';
import type { BackupControls } from '../backup/backup-drive.ts';
import { openDeviceHere, runBackupWork, type BackupWork } from '../backup/backup-work.ts';
import { CodedError } from '../jobs/errors.ts';
import type { ElevationOptions } from './elevation.ts';

export async function runBackup(
  work: BackupWork,
  controls: BackupControls & { readonly jobId: string },
  _elevation: ElevationOptions = {},
): Promise<BackupResult> {
  return runBackupWork(work, controls, async (job, signal) => {
    try {
      return await openDeviceHere(job, signal);
    } catch (error) {
      if (!(error instanceof CodedError) || error.code !== 'permission-denied' || process.getuid?.() === 0) throw error;
      throw new CodedError('unsupported', `${job.device} can be read only with administrator rights; run the backup as root (${error.message})`);
    }
  });
}
