// The image engine's operations for the service and the CLI: list a folder (or subtree), preview
// the first KiB of a file (a whole picture), list extraction conflicts, and map entries to the
// plain-data shape of shared/image.ts.
import {
  extractConflictsMax,
  imageListPageMaxEntries,
  imageListPageMaxTextChars,
  type ExtractConflict,
  type ImageEntry,
  type ImageExtractRequest,
  type ImageEntryStat,
  type ImageListRequest,
  type ImageListing,
  type ImageNamespace,
  type ImagePreview,
  type ImagePreviewRequest,
  type ImageStatRequest,
} from '../../shared/image.ts';
import { EntryNotFoundError, existingDestination, planExtraction } from './extract-entries.ts';
import { existingKindAt } from './extract-conflicts.ts';
import { hostPathOf } from '../io/extraction-paths.ts';
import type { TreeEntry as IsoEntry } from '../format/file-tree.ts';
import { withImageFile } from './open-image-file.ts';
import { readEntryHead } from './read-entry.ts';
import { decodeText, hexDump, pictureMimeType, previewPictureMaxBytes } from './preview-kinds.ts';
import { CodedError } from '../jobs/errors.ts';

export const previewMaxBytes = 1024;

export class NotADirectoryInImageError extends CodedError {
  constructor(imagePath: string) {
    super('not-found', `${imagePath} is not a folder in the image`);
    this.name = 'NotADirectoryInImageError';
  }
}

/** The contract's view of an entry: no extents, no internal fields. */
export function toImageEntry(entry: IsoEntry): ImageEntry {
  // Assignments, not conditional spreads: a recursive listing converts every entry of the image.
  const plain: { -readonly [K in keyof ImageEntry]: ImageEntry[K] } = { path: entry.path, name: entry.name, type: entry.type, sizeBytes: entry.sizeBytes };
  if (entry.target !== undefined) plain.target = entry.target;
  if (entry.mode !== undefined) plain.mode = entry.mode;
  if (entry.mtimeMs !== undefined) plain.mtimeMs = entry.mtimeMs;
  if (entry.compressed) plain.compressed = true;
  if (entry.uid !== undefined) plain.uid = entry.uid;
  if (entry.gid !== undefined) plain.gid = entry.gid;
  if (entry.attributes !== undefined && entry.attributes.length > 0) plain.attributes = entry.attributes;
  if (entry.partition !== undefined) plain.partition = entry.partition;
  return plain;
}

/**
 * One page of a listing (shared/image.ts says why listings are paged): the entries from
 * `request.offset` on, up to the page's entry and text bounds, and where the next page starts.
 * Each page walks again from the start and stops as soon as it is full, so a page costs the
 * entries before it and no more, and an answer never grows with the image.
 */
export async function listImage(request: ImageListRequest): Promise<ImageListing> {
  const offset = request.offset ?? 0;
  const maxEntries = Math.min(request.maxEntries ?? imageListPageMaxEntries, imageListPageMaxEntries);
  const page: { entries: ImageEntry[]; textChars: number; nextOffset: number | null } = { entries: [], textChars: 0, nextOffset: null };
  let toSkip = offset;
  const namespace = await streamImageListing(request, (batch) => {
    const skippedHere = Math.min(toSkip, batch.length);
    toSkip -= skippedHere;
    for (let at = skippedHere; at < batch.length; at += 1) {
      const entry = batch[at] as IsoEntry;
      const entryChars = listedTextChars(entry);
      const isFull = page.entries.length === maxEntries || (page.entries.length > 0 && page.textChars + entryChars > imageListPageMaxTextChars);
      if (isFull) {
        page.nextOffset = offset + page.entries.length;
        return 'stop';
      }
      page.entries.push(toImageEntry(entry));
      page.textChars += entryChars;
    }
    return 'more';
  });
  return { namespace, entries: page.entries, nextOffset: page.nextOffset };
}

/** What an entry adds to a page's text: its strings, plus the field names and numbers around them. */
function listedTextChars(entry: IsoEntry): number {
  return entry.path.length + entry.name.length + (entry.target?.length ?? 0) + 128;
}

/**
 * The same entries as `listImage`, handed over one directory at a time as they are read: a
 * terminal prints the first lines at once, and a listing of any size needs only the memory of its
 * largest directory. The entries are the engine's own (more fields than the contract's ImageEntry:
 * map them with toImageEntry before they cross it). `onBatch` answers 'stop' to end the walk early.
 * Resolves with the namespace the names come from.
 */
export async function streamImageListing(
  request: ImageListRequest,
  onBatch: (entries: readonly IsoEntry[]) => 'more' | 'stop' | void,
): Promise<ImageNamespace> {
  return withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, async ({ image }) => {
    const directory = await image.lookup(request.directory);
    if (!directory) throw new EntryNotFoundError(request.directory);
    if (directory.type !== 'directory') throw new NotADirectoryInImageError(request.directory);
    if (!request.recursive) {
      onBatch(await image.listDirectory(directory));
    } else {
      for await (const batch of image.walkBatches(directory)) if (onBatch(batch) === 'stop') break;
    }
    return image.namespace;
  });
}

export async function statImageEntry(request: ImageStatRequest): Promise<ImageEntryStat> {
  return withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, async ({ image }) => {
    const entry = await image.lookup(request.file);
    if (!entry) throw new EntryNotFoundError(request.file);
    return {
      entry: toImageEntry(entry),
      uid: entry.uid ?? null,
      gid: entry.gid ?? null,
      hidden: entry.hidden,
      extents: entry.extents.map((extent) => ({
        offsetBytes: extent.offsetBytes,
        sizeBytes: extent.sizeBytes,
        ...(extent.unrecorded ? { unrecorded: true as const } : {}),
      })),
    };
  });
}

/**
 * What an extraction would meet at its destination (`image:extract-conflicts`): each planned entry
 * whose place is taken, except a folder over a folder (they merge). The same plan and host paths as
 * the extraction; one lstat per entry, never following a link. At most extractConflictsMax.
 */
export async function listExtractConflicts(request: ImageExtractRequest, signal?: AbortSignal): Promise<{ conflicts: ExtractConflict[]; truncated: boolean }> {
  const root = await existingDestination(request.destination);
  if (root === null) return { conflicts: [], truncated: false };
  return withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, async ({ image }) => {
    const conflicts: ExtractConflict[] = [];
    for (const { entry, components } of await planExtraction(image, request.entries ?? [], signal)) {
      // Unsafe names and paths longer than PATH_MAX are skipped by the extraction, never written (nor looked at).
      const place = hostPathOf(root, components);
      if ('reason' in place) continue;
      const { hostPath } = place;
      const existingKind = await existingKindAt(hostPath);
      if (existingKind === null || (existingKind === 'directory' && entry.type === 'directory')) continue;
      if (conflicts.length === extractConflictsMax) return { conflicts, truncated: true };
      conflicts.push({ entryPath: entry.path, destinationPath: hostPath, existingKind });
    }
    return { conflicts, truncated: false };
  });
}

export async function previewImageFile(request: ImagePreviewRequest): Promise<ImagePreview> {
  return withImageFile(request.path, request.namespace ? { namespace: request.namespace } : {}, async ({ image, source }) => {
    const entry = await image.lookup(request.file);
    if (!entry) throw new EntryNotFoundError(request.file);
    const head = await readEntryHead(source, entry, previewMaxBytes);
    const mimeType = pictureMimeType(head);
    if (mimeType !== null && entry.sizeBytes <= previewPictureMaxBytes) {
      // The whole picture, read now from the image (never a cached copy), as the <img> shows it.
      const bytes = await readEntryHead(source, entry, previewPictureMaxBytes);
      const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
      return { file: entry.path, sizeBytes: entry.sizeBytes, kind: 'picture', content: '', previewBytes: bytes.byteLength, mimeType, base64 };
    }
    const text = decodeText(head);
    return {
      file: entry.path,
      sizeBytes: entry.sizeBytes,
      kind: text === null ? 'binary' : 'text',
      content: text?.text ?? hexDump(head),
      previewBytes: head.byteLength,
      ...(text === null ? {} : { encoding: text.encoding }),
    };
  });
}
