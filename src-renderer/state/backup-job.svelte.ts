// Backing up a drive into an image file (`drives:backup`): where the file goes (a native save dialog
// in Electron, a path box starting in the home folder in the web shell), its compression, then one
// job with progress from the job store, cancel, and the result (bytes, SHA-256, sidecar).
import { compressionForPath, type BackupCompression } from '../../shared/backup.ts';
import type { Drive } from '../../shared/drive.ts';
import type { JobProgress } from '../../shared/job.ts';
import { suggestedBackupName, withCompressionEnding } from './backup-names.ts';
import { FollowedJob } from './followed-job.svelte.ts';

export class BackupJob extends FollowedJob<'backup'> {
  outputPath = $state('');
  compression = $state<BackupCompression>('zstd');
  /** Replace a file already at the output path (asked after the engine refused with `file-exists`). */
  overwrite = $state(false);
  /** The drive being read (or last read): its id, so the Drives screen shows its panel again, and its device for the words. */
  driveId = $state<string | null>(null);
  device = $state<string | null>(null);

  /** The latest progress, kept after the end (unlike the other jobs'): the last read's share stays on record. */
  override get progress(): JobProgress | null {
    return this.jobs.progressOf(this.jobId);
  }

  override get fraction(): number | null {
    return this.jobs.fractionOf(this.jobId);
  }

  /** A fresh form for `drive`: the home folder (or the last folder used) and a name with today's date. */
  prepareFor(drive: Drive, homeFolder: string, nowMs = Date.now()): void {
    const folder = this.outputPath.includes('/') ? this.outputPath.slice(0, this.outputPath.lastIndexOf('/')) : homeFolder;
    this.outputPath = `${folder || homeFolder}/${suggestedBackupName(drive, this.compression, nowMs)}`;
    this.overwrite = false;
    this.result = null;
    this.error = null;
  }

  chooseCompression(compression: BackupCompression): void {
    this.compression = compression;
    if (this.outputPath !== '') this.outputPath = withCompressionEnding(this.outputPath, compression);
  }

  /** Electron's native save dialog; the folder chosen becomes an allowed destination (the web shell answers `unsupported`). */
  async pickOutput(drive: Drive): Promise<void> {
    const result = await this.client.call('backup:pick-output', { suggestedName: suggestedBackupName(drive, this.compression, Date.now()) });
    if (!result.ok) this.error = result.error;
    else if (result.value.path !== null) {
      this.outputPath = result.value.path;
      this.compression = compressionForPath(result.value.path);
    }
  }

  async start(drive: Drive): Promise<void> {
    const outputPath = this.outputPath.trim();
    if (this.running || outputPath === '') return;
    this.driveId = drive.id;
    this.device = drive.device;
    const request = { driveId: drive.id, outputPath, compression: this.compression, ...(this.overwrite ? { overwrite: true } : {}) };
    await this.run('backup', () => this.client.call('drives:backup', request));
  }
}
