// The contract between the renderer and the engine: every call (renderer -> engine, one plain-data
// request in, a Result back) and every event (engine -> renderer, past tense). Both the Electron
// preload bridge and the web shell's WebSocket carry exactly this, and nothing else.
import type { AppDescription, LicenceText } from './app.ts';
import type { DriveStatus, DrivesChange } from './drive.ts';
import type { FlashPlan, FlashPrepareRequest, FlashStartRequest, FlashVerifyRequest, FormatPlan, FormatPrepareRequest, FormatStartRequest } from './flash.ts';
import type {
  CompareRequest,
  HashRemembered,
  HashRequest,
  KeySummary,
  KeysImportRequest,
  KeysImportResult,
  KeysRemoveRequest,
  KeysRemoveResult,
  VerifyRequest,
} from './checksum.ts';
import type { ImageAssessment } from './assessment.ts';
import type { JobFinished, JobProgress } from './job.ts';
import type { BootReport } from './boot.ts';
import type { BackupPickOutputRequest, BackupRequest } from './backup.ts';
import type { IsoCreateRequest, IsoLayoutSummary, IsoPickSourcesRequest, IsoRemasterRequest } from './authoring.ts';
import type { WriteModeRequest } from './stick.ts';
import type {
  ImageSummary,
  ImageExtractRequest,
  ImageListing,
  ImageListRequest,
  ImagePreview,
  ImagePreviewRequest,
  ImageEntryStat,
  ImageStatRequest,
  DecodedCacheEntry,
  ExtractConflict,
  ImageSearchFound,
  ImageSearchRequest,
} from './image.ts';
import type { FilePickPurpose, FilePlace, FilesListRequest, FolderListing, RecentFileCheck } from './files.ts';
import type { VmHostReport, VmScreen, VmTryRequest } from './vm.ts';
import type { DownloadCacheEntry, DownloadRequest } from './download.ts';
import type {
  DuplicatorPlan,
  DuplicatorPrepareRequest,
  DuplicatorStartRequest,
  DuplicatorState,
  QueuePlan,
  QueuePrepareRequest,
  QueueStartRequest,
  QueueState,
} from './queue.ts';
import type { HistoryQuery, HistoryRecord } from './history.ts';

export interface Calls {
  /** Which shell, which version, what it can do. */
  'app:describe': { request: Record<string, never>; response: AppDescription };
  /** Show the native file dialog (Electron only; the web shell answers `unsupported`). Null when dismissed. */
  /**
   * The shell's native open dialog (Electron) for what `purpose` asks (an image by default; a folder
   * chosen here may then receive an extraction). Its title is the renderer's words.
   */
  'image:pick': { request: { readonly purpose?: FilePickPurpose; readonly title?: string }; response: { path: string | null } };
  /** Open an image by absolute path and summarise it. */
  'image:open': { request: { path: string }; response: ImageSummary };
  /** The entries of one folder inside an image (or its subtree), named by the chosen namespace. */
  'image:list': { request: ImageListRequest; response: ImageListing };
  /** The first KiB of a file inside an image, as text or a hex dump. */
  'image:preview': { request: ImagePreviewRequest; response: ImagePreview };
  /** Owner, hidden flag and extents of one entry (the Contents tab's details pane). */
  'image:stat': { request: ImageStatRequest; response: ImageEntryStat };
  /**
   * Starts extracting files/folders of an image to a folder and answers with the job's id at once
   * (a destination the shell may not write to is refused here); progress as `job:progress`, the
   * result as one `job:finished` of kind `extract`.
   */
  'image:extract': { request: ImageExtractRequest; response: { jobId: string } };
  /**
   * Decodes a compressed image that cannot be read at random (.gz, .bz2, a single-block .xz, a deflated
   * .zip entry) into a cache file in Isotope's data folder, after checking the space it needs, and
   * answers with the job's id at once. Reports as `job:progress` (phase `decoding`) and one
   * `job:finished` of kind `decode`; a failed or cancelled job leaves no cache file. Listing, preview,
   * extraction, the boot report, the flash and the checksum pass then read the cache.
   */
  'image:decode': { request: { path: string }; response: { jobId: string } };
  /** The decoded cache files (Settings), with the space they take. */
  'cache:list': { request: Record<string, never>; response: { entries: readonly DecodedCacheEntry[]; diskBytes: number } };
  /** Removes decoded cache files (all when `cachePaths` is absent); a file a running job reads is kept and named. */
  'cache:clear': {
    request: { cachePaths?: readonly string[] };
    response: { removedBytes: number; kept: readonly { readonly cachePath: string; readonly reason: string }[] };
  };
  /** How an image boots: El Torito catalog, MBR/GPT/APM, EFI loaders and the verdict. */
  'image:boot': { request: { path: string }; response: BootReport };
  /** The pre-flight assessment before a write: truncation, damage, not an image, this run's checksum verdict, USB boot. */
  'image:assess': { request: { path: string }; response: ImageAssessment };
  // The three checksum calls start jobs: each answers with the job's id at once, reports as
  // `job:progress` (and `checksum:remembered`) and ends with one `job:finished` of its kind. A
  // comparison is instant when this run already read the digest, but reads the whole file otherwise,
  // so it is a job like the others: cancellable, and one way to wait for it.
  /** Digests of a file or drive read in one pass (remembered digests only on request); ends as kind `hash`. */
  'checksum:hash': { request: HashRequest; response: { jobId: string } };
  /** Hash with the algorithm a pasted digest implies (no read when this run read it), and compare; ends as kind `compare`. */
  'checksum:compare': { request: CompareRequest; response: { jobId: string } };
  /** The whole chain: sums files (found or given), hashes, OpenPGP signatures, one verdict; ends as kind `verify`. */
  'checksum:verify': { request: VerifyRequest; response: { jobId: string } };
  /** The keys in Isotope's keyring. */
  'keys:list': { request: Record<string, never>; response: { keys: readonly KeySummary[] } };
  /** Imports the OpenPGP public keys of a file (armored or binary): first answers with the keys found and a confirmation, then imports with it. */
  'keys:import': { request: KeysImportRequest; response: KeysImportResult };
  /** Removes a key by fingerprint: first answers with the key and a confirmation, then removes it with it. */
  'keys:remove': { request: KeysRemoveRequest; response: KeysRemoveResult };
  /**
   * Drives with the safety rules' verdict; hidden (virtual/fixed) ones only with includeAll. Starts `drives:changed`.
   * With `imagePath`, a drive smaller than the image is refused only when the write will be raw (`mode`,
   * default `auto`, chosen as `flash:prepare` will): a copy-files stick's room is checked by composing it there.
   */
  'drives:list': { request: { includeAll?: boolean; imagePath?: string; mode?: WriteModeRequest }; response: { drives: readonly DriveStatus[] } };
  /** Ejects a drive (by id, looked up in a fresh enumeration) so it can be pulled out safely. */
  'drives:eject': { request: { driveId: string }; response: { device: string } };
  /** What restoring a drive to an empty FAT32/exFAT stick would do, and a single-use confirmation for it (as `flash:prepare`). */
  'drives:format-prepare': { request: FormatPrepareRequest; response: FormatPlan };
  /** Formats the drive a plan named, if its confirmation holds. Reports as `job:progress` and one `job:finished` of kind `format`. */
  'drives:format-start': { request: FormatStartRequest; response: { jobId: string } };
  /**
   * Starts reading a whole drive into an image file (raw or compressed, with a `.sha256` sidecar) and
   * answers with the job's id at once. Read-only for the drive, so no confirmation; the output follows
   * the extraction destination rules, never lies on that drive, and replaces no file without
   * `overwrite`. Reports as `job:progress` (phase `backing-up`) and one `job:finished` of kind `backup`.
   */
  'drives:backup': { request: BackupRequest; response: { jobId: string } };
  /**
   * Shows a native save dialog for a backup's output (Electron only; the web shell answers
   * `unsupported`); the folder chosen becomes an allowed destination. Null when dismissed.
   */
  'backup:pick-output': { request: BackupPickOutputRequest; response: { path: string | null } };
  /**
   * The layout plan of a new image (`isotope create --dry-run`, the Create screen's preview): reads the
   * sources' metadata, writes nothing. Refuses the outputs `iso:create` refuses, with the same errors.
   */
  'iso:plan-create': { request: IsoCreateRequest; response: IsoLayoutSummary };
  /**
   * Starts making an image from folders and files and answers with the job's id at once. The output
   * follows the extraction destination rules, never lies inside a source, and replaces no file
   * without `overwrite`. Reports as `job:progress` (phases `scanning`, `writing-image`) and one
   * `job:finished` of kind `create`; a failed or cancelled job leaves no output file.
   */
  'iso:create': { request: IsoCreateRequest; response: { jobId: string } };
  /** The layout plan of a remastered copy of an image (its boot kept), writing nothing; refuses the outputs `iso:remaster` refuses. */
  'iso:plan-remaster': { request: IsoRemasterRequest; response: IsoLayoutSummary };
  /** Starts writing a remastered copy (as `iso:create`); ends with one `job:finished` of kind `remaster`. The original is never written. */
  'iso:remaster': { request: IsoRemasterRequest; response: { jobId: string } };
  /** A native save dialog for a new image (Electron only; the web shell answers `unsupported`); its folder becomes an allowed destination. */
  'iso:pick-output': { request: BackupPickOutputRequest; response: { path: string | null } };
  /** A native dialog choosing folders or files to put in a new image (Electron only). Empty when dismissed. */
  'iso:pick-sources': { request: IsoPickSourcesRequest; response: { paths: readonly string[] } };
  /** What a write would do (image assessment, every target with its partitions) and a single-use confirmation for it. */
  'flash:prepare': { request: FlashPrepareRequest; response: FlashPlan };
  /** Starts the write a plan described, if its confirmation is valid and nothing it is bound to changed. Reports as `job:progress` and one `job:finished` of kind `flash`. */
  'flash:start': { request: FlashStartRequest; response: { jobId: string } };
  /** Verify-only: compares an already written drive with an image. Reports as `job:progress` and one `job:finished` of kind `flash`. */
  'flash:verify': { request: FlashVerifyRequest; response: { jobId: string } };
  /**
   * Cancels any running job by its id: a flash or verify, an extraction (its partial output is
   * removed) or a hash/compare/verify pass. False when none runs with that id.
   */
  'job:cancel': { request: { jobId: string }; response: { cancelled: boolean } };
  /** The in-app file dialog's places (web shell): Home, Downloads, mounted removable media, recent folders; and where it opens. */
  'files:places': { request: Record<string, never>; response: { places: readonly FilePlace[]; startPath: string } };
  /** One folder's entries for the in-app file dialog, as the engine user's own account can read them. */
  'files:list': { request: FilesListRequest; response: FolderListing };
  /**
   * Starts a search across a whole image by name or glob and answers with the job's id at once; matches
   * stream as `image:search-found` batches, and the job ends with one `job:finished` of kind `search`.
   */
  'image:search': { request: ImageSearchRequest; response: { jobId: string } };
  /** What an extraction would write over at its destination (asked before `image:extract`, so the user can choose per file). */
  'image:extract-conflicts': {
    request: ImageExtractRequest;
    response: { conflicts: readonly ExtractConflict[]; truncated: boolean };
  };
  /** Whether QEMU and its firmware are here, and how to install them when not. */
  'vm:host': { request: Record<string, never>; response: VmHostReport };
  /**
   * Boots an image or a drive in QEMU, read-only with a snapshot overlay, and answers with the job's id
   * at once; a headless trial streams `vm:screen`; Stop is `job:cancel`; ends as one `job:finished` of kind `try`.
   */
  'vm:try': { request: VmTryRequest; response: { jobId: string } };
  /**
   * Starts a download from a URL (into the download cache, or a file the user chose) and answers with
   * the job's id at once; `job:progress` (phase `downloading`), then one `job:finished` of kind `download`.
   */
  'download:start': { request: DownloadRequest; response: { jobId: string } };
  /** The download cache (Settings), with the space it takes and its limit. */
  'downloads:list': { request: Record<string, never>; response: { entries: readonly DownloadCacheEntry[]; diskBytes: number; limitBytes: number } };
  /** Removes downloaded files from the cache (all when `paths` is absent); one a running job reads is kept and named. */
  'downloads:clear': {
    request: { paths?: readonly string[] };
    response: { removedBytes: number; kept: readonly { readonly path: string; readonly reason: string }[] };
  };
  /**
   * The history of writes, newest first, filtered; `unreadLines` (absent when none) counts the
   * journal's lines that could not be read (damaged, edited, or from a later version) and names the
   * byte offset of the first.
   */
  'history:list': {
    request: HistoryQuery;
    response: { records: readonly HistoryRecord[]; total: number; unreadLines?: { readonly count: number; readonly firstOffsetBytes: number } };
  };
  /** The history (filtered as `history:list`) as CSV or JSON text, or one job's report as a printable HTML page. */
  'history:export': {
    request: { format: 'csv' | 'json'; query: HistoryQuery } | { format: 'html'; recordId: string };
    response: { fileName: string; mimeType: string; text: string };
  };
  /** A queue's plan: each (image, drive) pair assessed and checked as flash:prepare does, under ONE confirmation. */
  'queue:prepare': { request: QueuePrepareRequest; response: QueuePlan };
  /** Runs a prepared queue: each pair its own flash job (own id, `job:finished`, history record); rows as `queue:changed`. */
  'queue:start': { request: QueueStartRequest; response: QueueState };
  /** Duplicator mode's plan: the image, the options and the rule, under one confirmation. */
  'duplicator:prepare': { request: DuplicatorPrepareRequest; response: DuplicatorPlan };
  /** Starts duplicator mode: every stick inserted from now on that the rules allow gets its own flash job; the count as `duplicator:changed`. */
  'duplicator:start': { request: DuplicatorStartRequest; response: DuplicatorState };
  /** Stops watching for new sticks (jobs already running finish). */
  'duplicator:stop': { request: { duplicatorId: string }; response: DuplicatorState };
  /**
   * Shows a folder an extraction of this engine wrote into in the system's file manager (Electron only;
   * the web shell answers `unsupported`); any other path is `forbidden`.
   */
  'files:show-in-folder': { request: { path: string }; response: Record<string, never> };
  /** The full licence text of one item of `about.licences`, named as listed there (never a path), read from the file installed with it. */
  'app:licence-text': { request: { name: string }; response: LicenceText };
  /** Re-checks the Start screen's recent images (at most maxCheckedRecentPaths): still there, and still an image? One answer per path, in order. */
  'files:check-recent': { request: { paths: readonly string[] }; response: { checks: readonly RecentFileCheck[] } };
}

export interface Events {
  /** An image was opened by any window or client attached to this engine. */
  'image:opened': ImageSummary;
  /**
   * Progress of any job, at most ~8 per second: a flash or verify (per target), a hashing pass
   * started with a job id, an extraction.
   */
  'job:progress': JobProgress;
  /** A hashing job started, and the hash cache remembers digests of this file version (display only). */
  'checksum:remembered': HashRemembered;
  /** Drives were attached, detached or changed (only real differences). */
  'drives:changed': DrivesChange;
  /**
   * A job that answered its start with an id ended: its id, kind and result by kind (a flash or
   * verify ends with a FlashResult: succeeded, partial, failed or cancelled per target).
   */
  'job:finished': JobFinished;
  /** A batch of a running image search's matches. */
  'image:search-found': ImageSearchFound;
  /** What a headless VM trial shows: new serial console text and the latest screenshot. */
  'vm:screen': VmScreen;
  /** A queue's row started or ended. */
  'queue:changed': QueueState;
  /** Duplicator mode saw a stick, started or ended a job, or stopped. */
  'duplicator:changed': DuplicatorState;
}

export type CallName = keyof Calls;
export type EventName = keyof Events;
export type CallRequest<K extends CallName> = Calls[K]['request'];
export type CallResponse<K extends CallName> = Calls[K]['response'];

// Runtime lists of the names, for the preload (which generates one method per call) and for the
// transports (which refuse anything else). `satisfies` plus the exhaustiveness type below keep them
// in step with the interfaces: adding a call without listing it here is a compile error.
export const callNames = [
  'app:describe',
  'image:pick',
  'image:open',
  'image:list',
  'image:preview',
  'image:stat',
  'image:extract',
  'image:decode',
  'cache:list',
  'cache:clear',
  'image:boot',
  'image:assess',
  'checksum:hash',
  'checksum:compare',
  'checksum:verify',
  'keys:list',
  'keys:import',
  'keys:remove',
  'drives:list',
  'drives:eject',
  'drives:format-prepare',
  'drives:format-start',
  'drives:backup',
  'backup:pick-output',
  'iso:plan-create',
  'iso:create',
  'iso:plan-remaster',
  'iso:remaster',
  'iso:pick-output',
  'iso:pick-sources',
  'flash:prepare',
  'flash:start',
  'flash:verify',
  'job:cancel',
  'files:places',
  'files:list',
  'image:search',
  'image:extract-conflicts',
  'vm:host',
  'vm:try',
  'download:start',
  'downloads:list',
  'downloads:clear',
  'history:list',
  'history:export',
  'queue:prepare',
  'queue:start',
  'duplicator:prepare',
  'duplicator:start',
  'duplicator:stop',
  'files:show-in-folder',
  'app:licence-text',
  'files:check-recent',
] as const satisfies readonly CallName[];
export const eventNames = [
  'image:opened',
  'job:progress',
  'checksum:remembered',
  'drives:changed',
  'job:finished',
  'image:search-found',
  'vm:screen',
  'queue:changed',
  'duplicator:changed',
] as const satisfies readonly EventName[];

type Missing<All, Listed> = Exclude<All, Listed>;
const everyCallListed: Missing<CallName, (typeof callNames)[number]> extends never ? true : never = true;
const everyEventListed: Missing<EventName, (typeof eventNames)[number]> extends never ? true : never = true;
void everyCallListed;
void everyEventListed;

export function isCallName(value: unknown): value is CallName {
  return typeof value === 'string' && (callNames as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (eventNames as readonly string[]).includes(value);
}

/** The name under which the preload exposes the bridge on `window`. */
export const bridgeGlobalName = 'isotope';

/** The IPC channel prefix for calls and events, so Isotope's channels never collide with Electron's. */
export const ipcChannelPrefix = 'isotope:';
