// Extracts files and folders of an image to a host folder: streaming, with progress and cancel.
// Nothing is ever written outside the folder: names are checked (extraction-paths.ts), files are
// created with O_EXCL | O_NOFOLLOW, folders component by component with lstat, symbolic links last and
// only when they point inside. Device nodes and FIFOs are skipped. A failed or cancelled extraction
// removes what it created.
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, realpath, rm, rmdir, symlink, unlink, utimes } from 'node:fs/promises';
import type { ImageExtractProgress } from '../../shared/image.ts';
import type { FileTree as IsoImage, TreeEntry as IsoEntry } from './file-tree.ts';
import { splitImagePath } from './iso-image.ts';
import { CancelledError, readEntryContent } from './read-entry.ts';
import { isLinkTargetInside, resolveExtractionPath, unsafeComponentReason } from './extraction-paths.ts';

export class EntryNotFoundError extends Error {
  readonly imagePath: string;
  constructor(imagePath: string) {
    super(`no entry ${imagePath} in the image`);
    this.name = 'EntryNotFoundError';
    this.imagePath = imagePath;
  }
}

export class ExtractionConflictError extends Error {
  readonly hostPath: string;
  constructor(hostPath: string, why: string) {
    super(`cannot write ${hostPath}: ${why}`);
    this.name = 'ExtractionConflictError';
    this.hostPath = hostPath;
  }
}

export interface ExtractOptions {
  readonly image: IsoImage;
  /** Image paths to extract; empty means the whole image. A folder brings its subtree. */
  readonly entries: readonly string[];
  /** Destination folder (created if missing). */
  readonly destination: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Omit<ImageExtractProgress, 'extractionId'>) => void;
  readonly maxZisofsExpansion?: number;
}

export interface ExtractSummary {
  readonly fileCount: number;
  readonly directoryCount: number;
  readonly bytesWritten: number;
  readonly skipped: { path: string; reason: string }[];
}

interface PlannedEntry {
  readonly entry: IsoEntry;
  /** Components below the destination. */
  readonly components: readonly string[];
}

const progressIntervalMs = 100;

export async function extractEntries(options: ExtractOptions): Promise<ExtractSummary> {
  const { image } = options;
  await mkdir(options.destination, { recursive: true });
  const root = await realpath(options.destination);
  const plan = await planExtraction(image, options.entries, options.signal);

  const created: { path: string; kind: 'file' | 'directory' | 'link' }[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const totalBytes = plan.reduce((sum, item) => sum + (item.entry.type === 'file' ? item.entry.sizeBytes : 0), 0);
  const totalFiles = plan.filter((item) => item.entry.type === 'file').length;
  let bytesWritten = 0;
  let filesWritten = 0;
  let directoryCount = 0;
  let lastProgressMs = 0;
  const report = (currentPath: string, force: boolean): void => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastProgressMs < progressIntervalMs)) return;
    lastProgressMs = now;
    options.onProgress({ bytesWritten, totalBytes, filesWritten, totalFiles, currentPath });
  };

  try {
    const links: { item: PlannedEntry; hostPath: string }[] = [];
    for (const item of plan) {
      if (options.signal?.aborted) throw new CancelledError();
      const unsafe = item.components.map(unsafeComponentReason).find((reason) => reason !== null);
      const hostPath = resolveExtractionPath(root, item.components);
      if (unsafe || hostPath === null) {
        skipped.push({ path: item.entry.path, reason: unsafe ?? 'the path leaves the destination folder' });
        continue;
      }
      await ensureParentDirectories(root, item.components, created);
      switch (item.entry.type) {
        case 'directory':
          if (await makeDirectory(hostPath)) created.push({ path: hostPath, kind: 'directory' });
          directoryCount += 1;
          break;
        case 'file': {
          await writeFile(image, item.entry, hostPath, options, () => created.push({ path: hostPath, kind: 'file' }), (delta) => {
            bytesWritten += delta;
            report(item.entry.path, false);
          });
          filesWritten += 1;
          report(item.entry.path, false);
          break;
        }
        case 'symlink':
          links.push({ item, hostPath });
          break;
        default:
          skipped.push({ path: item.entry.path, reason: 'device nodes, FIFOs and sockets are not extracted' });
      }
    }
    // Links last: no file or folder is ever written through a link the image supplied.
    for (const { item, hostPath } of links) {
      const target = item.entry.target ?? '';
      if (!isLinkTargetInside(root, hostPath, target)) {
        skipped.push({ path: item.entry.path, reason: `the link target ${JSON.stringify(target)} points outside the destination` });
        continue;
      }
      await symlink(target, hostPath);
      created.push({ path: hostPath, kind: 'link' });
    }
    report('', true);
    return { fileCount: filesWritten, directoryCount, bytesWritten, skipped };
  } catch (error) {
    await removeCreated(created);
    throw error;
  }
}

/** Resolves the requested paths to entries and lists every entry to write, parents first. */
async function planExtraction(image: IsoImage, requested: readonly string[], signal: AbortSignal | undefined): Promise<PlannedEntry[]> {
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
      if (signal?.aborted) throw new CancelledError();
      plan.push({ entry: child, components: [...base, ...splitImagePath(child.path).slice(prefix)] });
    }
  }
  return plan;
}

/** Creates missing parent folders one component at a time, refusing any that is a link or a file. */
async function ensureParentDirectories(root: string, components: readonly string[], created: { path: string; kind: 'file' | 'directory' | 'link' }[]): Promise<void> {
  for (let depth = 1; depth < components.length; depth += 1) {
    const path = resolveExtractionPath(root, components.slice(0, depth));
    if (path === null) throw new ExtractionConflictError(components.slice(0, depth).join('/'), 'unsafe folder name');
    if (await makeDirectory(path)) created.push({ path, kind: 'directory' });
  }
}

/** mkdir that accepts an existing real folder (returns false) and refuses links and files there. */
async function makeDirectory(path: string): Promise<boolean> {
  try {
    await mkdir(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const stats = await lstat(path);
    if (!stats.isDirectory()) throw new ExtractionConflictError(path, 'something that is not a folder is already there');
    return false;
  }
}

async function writeFile(
  image: IsoImage,
  entry: IsoEntry,
  hostPath: string,
  options: ExtractOptions,
  onCreated: () => void,
  onBytes: (delta: number) => void,
): Promise<void> {
  // O_EXCL: never overwrite or follow anything already there; O_NOFOLLOW: never write through a link.
  const handle = await open(hostPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST' || error.code === 'ELOOP') throw new ExtractionConflictError(hostPath, 'a file or link is already there');
    throw error;
  });
  // Only now is the file ours: a refused open must never lead the cleanup to delete someone else's file.
  onCreated();
  try {
    const readOptions = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxZisofsExpansion !== undefined ? { maxZisofsExpansion: options.maxZisofsExpansion } : {}),
    };
    for await (const chunk of readEntryContent(image.source, entry, readOptions)) {
      await handle.write(chunk, 0, chunk.byteLength);
      onBytes(chunk.byteLength);
    }
  } finally {
    await handle.close();
  }
  // Rock Ridge permissions, without setuid/setgid/sticky, and always writable by the owner so the
  // user can delete or re-extract what we wrote.
  if (entry.mode !== undefined) await chmod(hostPath, (entry.mode & 0o777) | 0o600);
  if (entry.mtimeMs !== undefined) await utimes(hostPath, new Date(entry.mtimeMs), new Date(entry.mtimeMs)).catch(() => undefined);
}

async function removeCreated(created: readonly { path: string; kind: 'file' | 'directory' | 'link' }[]): Promise<void> {
  for (let index = created.length - 1; index >= 0; index -= 1) {
    const item = created[index];
    if (!item) continue;
    try {
      if (item.kind === 'directory') await rmdir(item.path).catch(() => rm(item.path, { recursive: true, force: true }));
      else await unlink(item.path);
    } catch {
      // Already gone, or not ours to remove: leave it.
    }
  }
}
