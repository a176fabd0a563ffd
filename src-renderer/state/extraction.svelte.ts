// Extracting files out of the open image: one job at a time, its progress from
// the job store (`job:progress`), and its result or error. Before it starts, the engine is asked what
// already lies at the destination (`image:extract-conflicts`); each such file then waits for the
// user's choice (overwrite, skip, keep both, or the same for all) before anything is written.
import type { AppError } from '../../shared/errors.ts';
import { followJob } from '../../shared/follow-job.ts';
import type { ExtractConflict, ExtractConflictChoice, ImageExtractRequest, ImageExtractResult, ImageNamespaceChoice } from '../../shared/image.ts';
import type { JobProgress } from '../../shared/job.ts';
import type { EngineClient } from '../api.ts';
import type { JobStore } from './jobs.svelte.ts';
import { readDefaultDestination, writeDefaultDestination } from './extraction-destination.ts';

export class Extraction {
  /** The folder Settings remembers; the destination box starts with it. */
  defaultDestination = $state('');
  destination = $state('');
  running = $state(false);
  /** The running extraction's id, once the engine answered the start with it. */
  jobId = $state<string | null>(null);
  result = $state.raw<ImageExtractResult | null>(null);
  error = $state.raw<AppError | null>(null);
  /** What the last job was asked to extract: the entries, or everything. */
  scope = $state.raw<readonly string[]>([]);
  /** The folder the last finished extraction wrote into ("Show in folder"). */
  writtenTo = $state<string | null>(null);
  /** Files already at the destination, asked about one at a time; empty when nothing waits. */
  conflicts = $state.raw<readonly ExtractConflict[]>([]);
  /** The one being asked about now (an index into `conflicts`). */
  conflictIndex = $state(0);
  /**
   * The engine listed only its first `extractConflictsMax` conflicts: the rest cannot be asked about
   * one by one, so the one answer applies to all (with per-file answers, one past the list would fail).
   */
  conflictsTruncated = $state(false);
  /** The extraction waiting for the answers, and the answers so far. */
  #pending: ImageExtractRequest | null = null;
  #choices: Record<string, ExtractConflictChoice> = {};
  readonly #client: EngineClient;
  readonly #jobs: JobStore;
  readonly #storage: Storage | null;

  constructor(client: EngineClient, jobs: JobStore, storage: Storage | null) {
    this.#client = client;
    this.#jobs = jobs;
    this.#storage = storage;
    this.defaultDestination = this.destination = readDefaultDestination(storage);
  }

  /** Settings: remembers `path` (trimmed; '' forgets it), and the destination box takes it when empty. */
  rememberDefaultDestination(path: string): void {
    const trimmed = path.trim();
    this.defaultDestination = trimmed;
    writeDefaultDestination(this.#storage, trimmed);
    if (this.destination.trim() === '') this.destination = trimmed;
  }

  /** The running extraction's progress; null when none runs. */
  get progress(): JobProgress | null {
    return this.running ? this.#jobs.progressOf(this.jobId) : null;
  }

  get fraction(): number | null {
    const progress = this.progress;
    if (!progress) return null;
    if (progress.bytesTotal !== null && progress.bytesTotal > 0) return progress.bytesDone / progress.bytesTotal;
    return progress.files !== null && progress.files.total > 0 ? progress.files.done / progress.files.total : null;
  }

  /** The file being asked about, while the conflict dialog shows. */
  get conflict(): ExtractConflict | null {
    return this.conflicts[this.conflictIndex] ?? null;
  }

  reset(): void {
    this.result = null;
    this.error = null;
    this.writtenTo = null;
    this.cancelConflicts();
  }

  /** Asks the engine what the extraction would write over; extracts at once when nothing, else waits for the answers. */
  async start(imagePath: string, entries: readonly string[], namespace: ImageNamespaceChoice): Promise<void> {
    const destination = this.destination.trim();
    if (this.running || destination === '' || this.conflict !== null) return;
    this.reset();
    this.scope = entries;
    const request: ImageExtractRequest = { path: imagePath, entries: [...entries], destination, namespace };
    const asked = await this.#client.call('image:extract-conflicts', request);
    if (!asked.ok) {
      this.error = asked.error;
      return;
    }
    if (asked.value.conflicts.length === 0) return this.#run(request);
    this.#pending = request;
    this.#choices = {};
    this.conflictIndex = 0;
    this.conflictsTruncated = asked.value.truncated;
    this.conflicts = asked.value.conflicts;
  }

  /** The user's answer for the file asked about; with `sameForAll` (always when the list was truncated), for it and every one after it. */
  async answerConflict(choice: ExtractConflictChoice, sameForAllAsked: boolean): Promise<void> {
    const conflict = this.conflict;
    const pending = this.#pending;
    if (conflict === null || pending === null) return;
    const sameForAll = sameForAllAsked || this.conflictsTruncated;
    this.#choices[conflict.entryPath] = choice;
    if (!sameForAll && this.conflictIndex + 1 < this.conflicts.length) {
      this.conflictIndex += 1;
      return;
    }
    const choices = this.#choices;
    this.cancelConflicts();
    // "The same for all" also covers files past the engine's list (it lists at most 10,000).
    await this.#run({ ...pending, conflictChoices: choices, ...(sameForAll ? { onConflict: choice } : {}) });
  }

  /** Closes the conflict dialog without extracting anything. */
  cancelConflicts(): void {
    this.conflicts = [];
    this.conflictIndex = 0;
    this.conflictsTruncated = false;
    this.#pending = null;
    this.#choices = {};
  }

  async #run(request: ImageExtractRequest): Promise<void> {
    this.running = true;
    this.jobId = null;
    try {
      const result = await followJob(
        { onFinished: (listener) => this.#client.subscribe('job:finished', listener) },
        'extract',
        () => this.#client.call('image:extract', request),
        { started: (jobId) => (this.jobId = jobId) },
      );
      if (result.ok) {
        this.result = result.value;
        this.writtenTo = request.destination;
      } else this.error = result.error;
    } finally {
      this.running = false;
    }
  }

  /** Shows the folder the last extraction wrote into in the file manager (Electron; the engine refuses any other folder). */
  async showInFolder(): Promise<void> {
    if (this.writtenTo === null) return;
    const answer = await this.#client.call('files:show-in-folder', { path: this.writtenTo });
    if (!answer.ok) this.error = answer.error;
  }

  async cancel(): Promise<void> {
    if (this.running && this.jobId !== null) await this.#client.call('job:cancel', { jobId: this.jobId });
  }
}
