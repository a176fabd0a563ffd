// Everything the screens share, built once in main.ts and handed down with a typed context. Opening
// an image fans out from here: the summary, the tree's root, the boot report, a fresh checksums tab.
import { createContext } from 'svelte';
import type { EngineClient } from '../api.ts';
import { BootInspection } from './boot-inspection.svelte.ts';
import { Checksums } from './checksums.svelte.ts';
import { CreateImage } from './create-job.svelte.ts';
import { DecodeJob } from './decode-job.svelte.ts';
import { DecodedCaches } from './decoded-caches.svelte.ts';
import { DownloadCache } from './download-cache.svelte.ts';
import { DriveList } from './drive-list.svelte.ts';
import { EditCopy } from './edit-copy.svelte.ts';
import { notifyFlashFinished } from './desktop-notifier.ts';
import { BackupJob } from './backup-job.svelte.ts';
import { createDrivesPort, createFlashPort, createFormatPort } from './engine-ports.ts';
import { Extraction } from './extraction.svelte.ts';
import { FilePreview } from './file-preview.svelte.ts';
import { FileTree } from './file-tree.svelte.ts';
import { FlashJob } from './flash-job.svelte.ts';
import { HistoryList } from './history.svelte.ts';
import { LicenceTexts } from './licence-texts.svelte.ts';
import { WriteQueue } from './write-queue.svelte.ts';
import { ImageAssessmentState } from './image-assessment.svelte.ts';
import { ImageSession } from './image-session.svelte.ts';
import { JobStore } from './jobs.svelte.ts';
import { Navigation } from './navigation.svelte.ts';
import { RestoreJob } from './restore-job.svelte.ts';
import { RecentImages } from './recent-images.svelte.ts';
import { pickPath } from './file-picker.svelte.ts';
import { text } from '../messages.ts';
import { Settings } from './settings.svelte.ts';
import { UrlDownload } from './url-download.svelte.ts';
import { VmTrial } from './vm-trial.svelte.ts';
import { WriteOptions } from './write-options.svelte.ts';

export class AppState {
  readonly settings: Settings;
  readonly recent: RecentImages;
  readonly navigation = new Navigation();
  /** Every engine job's progress, from one subscription; the extraction, checksums and flash read theirs here. */
  readonly jobs: JobStore;
  readonly image: ImageSession;
  readonly tree: FileTree;
  readonly preview: FilePreview;
  readonly extraction: Extraction;
  readonly boot: BootInspection;
  readonly checksums: Checksums;
  readonly drives: DriveList;
  readonly flash: FlashJob;
  /** The Drives screen's list: every drive, judged without an image. */
  readonly allDrives: DriveList;
  /** Restoring a drive to a normal stick (Drives screen). */
  readonly restore: RestoreJob;
  /** Backing a drive up into an image file (Drives screen). */
  readonly backup: BackupJob;
  /** The open image's pre-flight assessment, for the Write screen. */
  readonly assessment: ImageAssessmentState;
  /** How the Write screen asks for the stick to be made: mode, partition table, Windows options. */
  readonly writeOptions = new WriteOptions();
  /** The Create screen: a new image from folders and files. */
  readonly create: CreateImage;
  /** The Contents tab's "Edit a copy": pending changes to the open image, saved as a new file. */
  readonly editCopy: EditCopy;
  /** Unpacking a compressed image that cannot be read in place, so its files can be listed. */
  readonly decode: DecodeJob;
  /** Settings › Decoded images: the unpacked copies and the space they take. */
  readonly decodedCaches: DecodedCaches;
  /** Start › Open from URL: a download into the engine's download cache. */
  readonly urlDownload: UrlDownload;
  /** Settings › Downloads: the download cache, its space and limit. */
  readonly downloadCache: DownloadCache;
  /** Boot › Try in a VM: one QEMU trial of the open image at a time. */
  readonly vmTrial: VmTrial;
  /** The History screen: every job the engine recorded. */
  readonly history: HistoryList;
  /** The Queue screen: several drives under one confirmation, and duplicator mode. */
  readonly queue: WriteQueue;
  /** Settings › About: the licence text the user opened. */
  readonly licenceTexts: LicenceTexts;

  constructor(client: EngineClient, storage: Storage | null) {
    this.settings = new Settings(storage);
    this.recent = new RecentImages(storage, client);
    this.jobs = new JobStore(client);
    this.image = new ImageSession(client);
    this.tree = new FileTree(client);
    this.preview = new FilePreview(client);
    this.extraction = new Extraction(client, this.jobs, storage);
    this.boot = new BootInspection(client);
    this.checksums = new Checksums(client, this.jobs);
    this.drives = new DriveList(createDrivesPort(client));
    this.assessment = new ImageAssessmentState(client);
    this.flash = new FlashJob(createFlashPort(client), this.jobs, { onfinished: notifyFlashFinished });
    this.allDrives = new DriveList(createDrivesPort(client));
    this.restore = new RestoreJob(createFormatPort(client), this.jobs);
    this.backup = new BackupJob(client, this.jobs);
    this.create = new CreateImage(client, this.jobs);
    this.editCopy = new EditCopy(client, this.jobs);
    this.decode = new DecodeJob(client, this.jobs);
    this.decodedCaches = new DecodedCaches(client);
    this.urlDownload = new UrlDownload(client, this.jobs);
    this.downloadCache = new DownloadCache(client);
    this.vmTrial = new VmTrial(client, this.jobs);
    this.history = new HistoryList(client);
    this.queue = new WriteQueue(client);
    this.licenceTexts = new LicenceTexts(client);
  }

  /** Opens an image and, when the engine can read it, shows its contents. */
  /** Opens the image at `path` and shows it; false when it could not be opened (the image state holds why). */
  async openImage(path: string): Promise<boolean> {
    const summary = await this.image.open(path);
    if (!summary) return false;
    this.recent.remember({ path: summary.path, fileName: summary.fileName, sizeBytes: summary.sizeBytes, openedMs: Date.now() });
    this.preview.clear();
    this.extraction.reset();
    this.checksums.reset(summary.path);
    // A running write goes on (its screen keeps its progress); a finished one's summary is cleared.
    if (!this.flash.running) this.flash.reset();
    this.drives.clearSelection();
    this.writeOptions.reset();
    // Pending edits belong to the image they were made on (a running save goes on to its end).
    if (this.editCopy.imagePath !== summary.path) this.editCopy.end();
    const listable = summary.format !== 'unknown';
    // A compressed image that must be unpacked first opens at Contents, which offers the unpacking.
    const needsDecoding = summary.compression?.access === 'needs-decoding';
    this.navigation.showTab(listable || needsDecoding ? 'contents' : 'checksums');
    void this.boot.load(summary.path);
    if (listable) void this.tree.reset(summary.path);
    return true;
  }

  /** Opens an image just written (a new one or an edited copy) at its Boot tab: how the result starts is the first question. */
  async openWrittenImage(path: string): Promise<void> {
    await this.openImage(path);
    if (this.image.summary?.path === path) this.navigation.showTab('boot');
  }

  /**
   * Unpacks the open compressed image into its cache file, then opens it again: the engine then reads
   * the unpacked copy, so its partitions, files and boot report show. An image opened meanwhile stays.
   */
  async decodeOpenImage(): Promise<void> {
    const path = this.image.summary?.path;
    if (path === undefined) return;
    const entry = await this.decode.start(path);
    if (entry === null) return;
    if (this.decodedCaches.loaded) void this.decodedCaches.load();
    if (this.image.summary?.path === path) await this.openImage(path);
  }

  /**
   * Downloads `url` into the cache, then opens it; when sums files were found next to the URL, at its
   * Checksums tab with the download's report (made from the digests computed as the bytes streamed).
   */
  async downloadAndOpen(url: string, expectedSha256: string): Promise<void> {
    const result = await this.urlDownload.start(url, expectedSha256);
    if (result === null) return;
    if (this.downloadCache.loaded) void this.downloadCache.load();
    await this.openImage(result.path);
    if (this.image.summary?.path !== result.path || result.verification === null) return;
    this.checksums.showReport(result.path, result.verification);
    this.navigation.showTab('checksums');
  }

  /** Browse…: the native dialog (Electron) or the in-app one (web shell), then the image chosen opens.
   *  `notice` says in the dialog why it opened when the user did not ask (FilePickerDialog). */
  /** Asks for an image in the file dialog and opens it; true when one was chosen and opened. */
  async pickImage(notice?: string): Promise<boolean> {
    const path = await pickPath({ purpose: 'image', title: text.pickImageTitle, ...(notice === undefined ? {} : { notice }) });
    return path ? this.openImage(path) : false;
  }
}

export const [getAppState, setAppState] = createContext<AppState>();
