// Backing up a drive into an image file (`drives:backup`): where the file goes (a native save dialog
// in Electron, a path box starting in the home folder in the web shell), its compression, then one
// job with progress from the job store, cancel, and the result (bytes, SHA-256, sidecar).
import { compressionForPath, type BackupCompression, type BackupResult } from '../../shared/backup.ts';
import type { Drive } from '../../shared/drive.ts';
import type { AppError } from '../../shared/errors.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import { suggestedBackupName, withCompressionEnding } from './backup-names.ts';
import { cancelJob, followStartedJob } from './engine-ports.ts';
import type { JobStore } from './jobs.svelte.ts';

export class BackupJob {
  outputPath = $state('');
  compression = $state<BackupCompression>('zstd');
  /** Replace a file already at the output path (asked after the engine refused with `file-exists`). */
  overwrite = $state(false);
  running = $state(false);
  jobId = $state<string | null>(null);
  /** The drive being read (or last read): its id, so the Drives screen shows its panel again, and its device for the words. */
  driveId = $state<string | null>(null);
  device = $state<string | null>(null);
  result = $state.raw<BackupResult | null>(null);
  error = $state.raw<AppError | null>(null);
  readonly #client: EngineClient;
  readonly #jobs: JobStore;

  constructor(client: EngineClient, jobs: JobStore) {
    this.#client = client;
    this.#jobs = jobs;
  }

  get progress(): JobProgress | null {
    return this.#jobs.progressOf(this.jobId);
  }

  get fraction(): number | null {
    return this.#jobs.fractionOf(this.jobId);
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
    const result = await this.#client.call('backup:pick-output', { suggestedName: suggestedBackupName(drive, this.compression, Date.now()) });
    if (!result.ok) this.error = result.error;
    else if (result.value.path !== null) {
      this.outputPath = result.value.path;
      this.compression = compressionForPath(result.value.path);
    }
  }

  async start(drive: Drive): Promise<void> {
    const outputPath = this.outputPath.trim();
    if (this.running || outputPath === '') return;
    this.running = true;
    this.jobId = null;
    this.driveId = drive.id;
    this.device = drive.device;
    this.result = null;
    this.error = null;
    try {
      const request = { driveId: drive.id, outputPath, compression: this.compression, ...(this.overwrite ? { overwrite: true } : {}) };
      const result = await followStartedJob(
        this.#client,
        'backup',
        () => this.#client.call('drives:backup', request),
        (jobId) => (this.jobId = jobId),
      );
      if (result.ok) this.result = result.value;
      else this.error = result.error;
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await cancelJob(this.#client, this.jobId);
  }
}
