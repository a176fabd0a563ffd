// Extracts files and folders of an image to a host folder: streaming, with progress and cancel.
// Nothing is ever written outside the folder: names are checked (extraction-paths.ts), the folder
// itself must not be a symbolic link, files are created with O_EXCL | O_NOFOLLOW, folders component
// by component with lstat, symbolic links last and only when they point inside. Device nodes and
// FIFOs are skipped. A failed or cancelled extraction removes what it created.
// What lands is bounded (issue 12 §2 and §5): modes go through the umask and lose setuid, setgid,
// sticky and world-writable bits; the bytes read from the image (files sharing extents count once
// each) may not exceed the image's size unless the caller opts in; the output must fit the free
// space, checked first; ENOSPC is a NoSpaceError naming the folder.
import { readFileSync } from 'node:fs';
import { lstat, mkdir, realpath, rename, rm, rmdir, statfs, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImageExtractProgress, ImageExtractRequest } from '../../shared/image.ts';
import type { FileTree as IsoImage, TreeEntry as IsoEntry } from '../format/file-tree.ts';
import { splitImagePath } from '../format/tree-lookup.ts';
import { CodedError, throwIfCancelled } from '../jobs/errors.ts';
import { ProgressThrottle } from '../jobs/progress-meter.ts';
import { readEntryContent } from './read-entry.ts';
import { hostPathOf, isLinkTargetInside, resolveExtractionPath } from '../io/extraction-paths.ts';
import {
  conflictPolicy,
  DestinationExistsError,
  ensurePlannedParent,
  FolderPlacements,
  openFileFor,
  placeFolderFor,
  placeLinkFor,
  type ConflictPolicy,
} from './extract-conflicts.ts';

export class EntryNotFoundError extends CodedError {
  readonly imagePath: string;
  constructor(imagePath: string) {
    super('not-found', `no entry ${imagePath} in the image`);
    this.name = 'EntryNotFoundError';
    this.imagePath = imagePath;
  }
}

export class ExtractionConflictError extends CodedError {
  readonly hostPath: string;
  constructor(hostPath: string, why: string) {
    super('permission-denied', `cannot write ${hostPath}: ${why}`);
    this.name = 'ExtractionConflictError';
    this.hostPath = hostPath;
  }
}

/** The folder's file system has no room for what the extraction writes (checked first, or ENOSPC while writing). */
export class NoSpaceError extends CodedError {
  readonly folder: string;
  constructor(folder: string, detail: string) {
    super('no-space', `no space left in ${folder}: ${detail}`);
    this.name = 'NoSpaceError';
    this.folder = folder;
  }
}

/**
 * The entries read more bytes from the image than it holds: files share extents (hard links, or a
 * hostile image pointing 2000 records at one 4 MiB extent). Extracting writes every copy, so this
 * needs the caller's explicit `allowSharedExtents` (a confirmation-worthy choice).
 */
export class SharedExtentsError extends CodedError {
  readonly readBytes: number;
  readonly imageSizeBytes: number;
  constructor(readBytes: number, imageSizeBytes: number, sharingFiles: number) {
    super(
      'shared-extents',
      `the files to extract read ${readBytes} bytes from an image of ${imageSizeBytes} bytes (${(readBytes / Math.max(1, imageSizeBytes)).toFixed(1)}x): ` +
        `${sharingFiles} of them share data with another file; extracting writes every copy, so it needs allowSharedExtents`,
    );
    this.name = 'SharedExtentsError';
    this.readBytes = readBytes;
    this.imageSizeBytes = imageSizeBytes;
  }
}

export interface ExtractOptions extends Pick<ImageExtractRequest, 'onConflict' | 'conflictChoices'> {
  readonly image: IsoImage;
  /** Image paths to extract; empty means the whole image. A folder brings its subtree. */
  readonly entries: readonly string[];
  /** Destination folder (created if missing). */
  readonly destination: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ImageExtractProgress) => void;
  readonly maxZisofsExpansion?: number;
  /** Extract files whose data other files share (hard links) even when that reads more than the image holds. */
  readonly allowSharedExtents?: boolean;
  /** Permission bits to clear from every file (the umask); default: this process's umask. */
  readonly umask?: number;
}

export interface ExtractSummary {
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly bytesWritten: number;
  readonly skipped: { path: string; reason: string }[];
}

export interface PlannedEntry {
  readonly entry: IsoEntry;
  /** Components below the destination. */
  readonly components: readonly string[];
}

/** What one extraction has done so far: what to remove if it fails, what it left out, its counts. */
interface ExtractionState {
  readonly root: string;
  readonly options: ExtractOptions & { readonly umask: number };
  readonly choiceFor: ConflictPolicy;
  readonly folders: FolderPlacements;
  readonly created: { path: string; kind: 'file' | 'directory' | 'link' }[];
  readonly skipped: { path: string; reason: string }[];
  readonly links: { item: PlannedEntry; hostPath: string }[];
  bytesWritten: number;
  filesWritten: number;
  directoryCount: number;
  readonly report: (currentPath: string, force: boolean) => void;
}

export async function extractEntries(options: ExtractOptions): Promise<ExtractSummary> {
  const { image } = options;
  const root = await openDestination(options.destination);
  const plan = await planExtraction(image, options.entries, options.signal);
  const totalBytes = checkPlanSize(plan, image.source.sizeBytes, options.allowSharedExtents === true);
  await checkFreeSpace(root, totalBytes);
  const totalFiles = plan.filter((item) => item.entry.type === 'file').length;
  const throttle = new ProgressThrottle();
  const state: ExtractionState = {
    root,
    options: { ...options, umask: options.umask ?? processUmask() },
    choiceFor: conflictPolicy(options),
    folders: new FolderPlacements(),
    created: [],
    skipped: [],
    links: [],
    bytesWritten: 0,
    filesWritten: 0,
    directoryCount: 0,
    report: (currentPath, force) => {
      if (!options.onProgress || !throttle.due(force)) return;
      options.onProgress({ bytesWritten: state.bytesWritten, totalBytes, filesWritten: state.filesWritten, totalFiles, currentPath });
    },
  };
  try {
    for (const item of plan) {
      throwIfCancelled(options.signal, `extracting ${item.entry.path}`);
      await extractPlannedEntry(state, item);
    }
    // Links last: no file or folder is ever written through a link the image supplied.
    for (const { item, hostPath } of state.links) await extractLink(state, item, hostPath);
    state.report('', true);
    return { fileCount: state.filesWritten, directoryCount: state.directoryCount, bytesWritten: state.bytesWritten, skipped: state.skipped };
  } catch (error) {
    await removeCreated(state.created);
    const errno = (error as NodeJS.ErrnoException).code;
    // EDQUOT (quota) and EFBIG (the file system's file size limit) are the same story for the user.
    if (errno === 'ENOSPC' || errno === 'EDQUOT' || errno === 'EFBIG')
      throw new NoSpaceError(root, `${(error as Error).message} after ${state.bytesWritten} of ${totalBytes} bytes`);
    throw error;
  }
}

/** Writes one planned folder or file (a link is queued for the end), where conflicts and renamed folders put it. */
async function extractPlannedEntry(state: ExtractionState, item: PlannedEntry): Promise<void> {
  const components = state.folders.place(item.components);
  if (components === null) return; // under a folder skipped as chosen: reported once, with the folder
  // An unsafe name, a path leaving the destination or one longer than PATH_MAX: skipped, with the reason.
  const place = hostPathOf(state.root, components);
  if ('reason' in place) {
    state.skipped.push({ path: item.entry.path, reason: place.reason });
    return;
  }
  const { hostPath } = place;
  await ensureParentDirectories(state.root, components, item.entry.path, state.created);
  const choice = state.choiceFor(item.entry.path);
  switch (item.entry.type) {
    case 'directory': {
      const placed = await placeFolderFor(hostPath, item.entry.path, choice);
      if (placed === null) {
        state.folders.skip(item.components);
        state.skipped.push({ path: item.entry.path, reason: `a file or link is already at ${hostPath} (skipped as chosen, with everything in the folder)` });
        return;
      }
      if (placed.created) state.created.push({ path: placed.path, kind: 'directory' });
      if (placed.path !== hostPath) state.folders.rename(item.components, basename(placed.path));
      state.directoryCount += 1;
      return;
    }
    case 'file':
      await writeFile(state, item.entry, hostPath, choice);
      return;
    case 'symlink':
      state.links.push({ item, hostPath });
      return;
    default:
      state.skipped.push({ path: item.entry.path, reason: 'device nodes, FIFOs and sockets are not extracted' });
  }
}

async function extractLink(state: ExtractionState, item: PlannedEntry, hostPath: string): Promise<void> {
  const target = item.entry.target ?? '';
  if (!isLinkTargetInside(state.root, hostPath, target)) {
    state.skipped.push({ path: item.entry.path, reason: `the link target ${JSON.stringify(target)} points outside the destination` });
    return;
  }
  const placed = await placeLinkFor(target, hostPath, item.entry.path, state.choiceFor(item.entry.path));
  if (placed === null) {
    state.skipped.push({ path: item.entry.path, reason: `something is already at ${hostPath} (skipped as chosen)` });
    return;
  }
  state.created.push({ path: placed.writePath, kind: 'link' });
  if (placed.writePath !== placed.finalPath) await renameOver(placed.writePath, placed.finalPath);
}

/**
 * The destination folder's real path, or null while it does not exist. The folder itself must not be
 * a symbolic link: a link there would send every file somewhere the caller did not name.
 */
export async function existingDestination(destination: string): Promise<string | null> {
  const stats = await lstat(destination).catch(() => null);
  if (stats?.isSymbolicLink()) throw new ExtractionConflictError(destination, 'the destination folder is a symbolic link; name the folder it points to');
  if (stats !== null && !stats.isDirectory()) throw new ExtractionConflictError(destination, 'the destination is not a folder');
  return stats === null ? null : realpath(destination);
}

/** Creates the destination if missing and returns its real path. */
async function openDestination(destination: string): Promise<string> {
  const existing = await existingDestination(destination);
  if (existing !== null) return existing;
  await mkdir(destination, { recursive: true });
  return realpath(destination);
}

/** The process's umask, read without setting it (process.umask() with no argument sets it twice, and workers may not). */
function processUmask(): number {
  try {
    const line = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (line?.[1] !== undefined) return Number.parseInt(line[1], 8);
  } catch {
    // No /proc (not Linux): the common default.
  }
  return 0o022;
}

/**
 * The bytes the plan writes, after checking what it reads: every file's stored extents (a zisofs
 * file's compressed stream) counted once per file, so files sharing data count each time. Files of
 * a sane image never share, and their extents together fit in the image; more means hard links,
 * which need `allowSharedExtents`. (The written bytes are then bounded too: plain extents write what
 * they read, zisofs at most its guard's multiple, unrecorded UDF extents count against the free space.)
 */
function checkPlanSize(plan: readonly PlannedEntry[], imageSizeBytes: number, allowSharedExtents: boolean): number {
  let writeBytes = 0;
  let readBytes = 0;
  let sharingFiles = 0;
  const extentStarts = new Set<number>();
  for (const { entry } of plan) {
    if (entry.type !== 'file') continue;
    writeBytes += entry.sizeBytes;
    let shares = false;
    for (const extent of entry.extents) {
      if (extent.unrecorded || extent.sizeBytes === 0) continue;
      readBytes += extent.sizeBytes;
      if (extentStarts.has(extent.offsetBytes)) shares = true;
      else extentStarts.add(extent.offsetBytes);
    }
    if (shares) sharingFiles += 1;
  }
  if (!allowSharedExtents && readBytes > imageSizeBytes) throw new SharedExtentsError(readBytes, imageSizeBytes, sharingFiles);
  return writeBytes;
}

/** Refuses before writing anything when the folder's file system has less room than the plan writes. */
async function checkFreeSpace(root: string, writeBytes: number): Promise<void> {
  const space = await statfs(root);
  const availableBytes = space.bavail * space.bsize;
  if (writeBytes > availableBytes) throw new NoSpaceError(root, `the extraction writes ${writeBytes} bytes, ${availableBytes} are free`);
}

/** Resolves the requested paths to entries and lists every entry to write, parents first. */
export async function planExtraction(image: IsoImage, requested: readonly string[], signal: AbortSignal | undefined): Promise<PlannedEntry[]> {
  const plan: PlannedEntry[] = [];
  const roots = requested.length === 0 ? ['/'] : requested;
  for (const imagePath of roots) {
    const entry = await image.lookup(imagePath);
    if (!entry) throw new EntryNotFoundError(imagePath);
    // The whole image lands directly in the destination; a named entry lands under its own name.
    const base = entry.path === '/' ? [] : [entry.name];
    if (entry.path !== '/') plan.push({ entry, components: base });
    if (entry.type !== 'directory') continue;
    const prefix = splitImagePath(entry.path).length;
    for await (const child of image.walk(entry)) {
      throwIfCancelled(signal, `extracting ${entry.path}`);
      plan.push({ entry: child, components: [...base, ...splitImagePath(child.path).slice(prefix)] });
    }
  }
  return plan;
}

/**
 * Creates missing parent folders of `entryPath` (placed at `components`) one component at a time,
 * refusing any that is a link or a file.
 */
async function ensureParentDirectories(
  root: string,
  components: readonly string[],
  entryPath: string,
  created: { path: string; kind: 'file' | 'directory' | 'link' }[],
): Promise<void> {
  // `components` are the last of the entry's image path components (from the folder chosen to extract).
  const imageComponents = splitImagePath(entryPath);
  const unchosenDepth = imageComponents.length - components.length;
  for (let depth = 1; depth < components.length; depth += 1) {
    const path = resolveExtractionPath(root, components.slice(0, depth));
    if (path === null) throw new ExtractionConflictError(components.slice(0, depth).join('/'), 'unsafe folder name');
    const folderImagePath = `/${imageComponents.slice(0, unchosenDepth + depth).join('/')}`;
    if (await makeDirectory(path, folderImagePath)) created.push({ path, kind: 'directory' });
  }
}

/** mkdir that accepts an existing real folder (returns false) and refuses links and files there. */
async function makeDirectory(hostPath: string, imagePath: string): Promise<boolean> {
  try {
    await mkdir(hostPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stats = await lstat(hostPath);
    if (!stats.isDirectory()) throw new DestinationExistsError(hostPath, imagePath, 'something that is not a folder is there where a folder is needed');
    return false;
  }
}

async function writeFile(state: ExtractionState, entry: IsoEntry, hostPath: string, choice: ReturnType<ConflictPolicy>): Promise<void> {
  const placed = await openFileFor(hostPath, entry.path, choice);
  if (placed === null) {
    state.skipped.push({ path: entry.path, reason: `a file is already at ${hostPath} (skipped as chosen)` });
    return;
  }
  const { handle, writePath, finalPath } = placed;
  // Only now is the file ours: a refused open must never lead the cleanup to delete someone else's file.
  state.created.push({ path: writePath, kind: 'file' });
  const { options } = state;
  try {
    const readOptions = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxZisofsExpansion !== undefined ? { maxZisofsExpansion: options.maxZisofsExpansion } : {}),
    };
    for await (const chunk of readEntryContent(options.image.source, entry, readOptions)) {
      await handle.write(chunk, 0, chunk.byteLength);
      state.bytesWritten += chunk.byteLength;
      state.report(entry.path, false);
    }
    // On the descriptor (fchmod, futimes), never the path: whatever replaced the path meanwhile is not ours.
    if (entry.mode !== undefined) await handle.chmod(extractedMode(entry.mode, options.umask));
    if (entry.mtimeMs !== undefined) await handle.utimes(new Date(entry.mtimeMs), new Date(entry.mtimeMs)).catch(() => undefined);
  } finally {
    await handle.close();
  }
  // An overwrite: the complete new file replaces the old entry (a link there is replaced, not followed).
  if (writePath !== finalPath) await renameOver(writePath, finalPath);
  state.filesWritten += 1;
  state.report(entry.path, false);
}

/** An overwrite's last step, refused when the folder was swapped for a link since it was planned (both paths share it). */
async function renameOver(writePath: string, finalPath: string): Promise<void> {
  await ensurePlannedParent(finalPath);
  await rename(writePath, finalPath);
}

/**
 * The image's permission bits as the user's own: through the umask, as any new file; without setuid,
 * setgid and sticky, and never world-writable (whatever the umask); always readable and writable by
 * the owner, so the user can delete or re-extract what we wrote.
 */
export function extractedMode(imageMode: number, umask: number): number {
  return ((imageMode & 0o777 & ~umask & ~0o002) | 0o600) & 0o777;
}

async function removeCreated(created: readonly { path: string; kind: 'file' | 'directory' | 'link' }[]): Promise<void> {
  for (let index = created.length - 1; index >= 0; index -= 1) {
    const item = created[index];
    if (!item) continue;
    try {
      // A folder swapped for a link meanwhile: removing by this path would remove what the link leads to.
      await ensurePlannedParent(item.path);
      if (item.kind === 'directory') await rmdir(item.path).catch(() => rm(item.path, { recursive: true, force: true }));
      else await unlink(item.path);
    } catch {
      // Already gone, or not ours to remove: leave it.
    }
  }
}
