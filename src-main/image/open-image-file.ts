// Opens an image file for browsing: a positioned-read file source behind a small block cache (the
// decoded bytes of a compressed image), and the ISO 9660, UDF or partitions tree on top
// (src-main/image/open-image-trees.ts picks). The caller closes it.
import type { ImageNamespaceChoice } from '../../shared/image.ts';
import { createCachedSource, type CachedSource } from '../io/cached-source.ts';
import { openImageSource } from '../container/open-image-source.ts';
import type { FileSource } from '../io/file-source.ts';
import type { UdfTree } from '../udf/udf-tree.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { openImageTrees, type ImageTrees } from './open-image-trees.ts';
import type { ByteSource } from '../io/byte-source.ts';
import type { DiskImage } from './disk-image.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';
import { detectFileCompression } from '../checksum/hash-compressed.ts';

export interface OpenedImage {
  readonly file: FileSource;
  readonly source: CachedSource;
  /** The tree the namespace choice names (ISO 9660 view, UDF or partitions). */
  readonly image: FileTree;
  readonly iso: IsoImage | null;
  readonly udf: UdfTree | null;
  /** The partitions view: when it was asked for, or the image has no ISO 9660 or UDF volume. */
  readonly disk: DiskImage | null;
  close(): Promise<void>;
}

/**
 * Opens `path` as an ISO 9660, UDF or disk image, compressed or not; NotAnImageError when it is some
 * other file, NeedsDecodingError when it is compressed and must be decoded first.
 */
export async function openImageFile(path: string, options: { namespace?: ImageNamespaceChoice } = {}): Promise<OpenedImage> {
  const file = await openImageSource(path); // .iso, .img, .cue/.bin, .nrg, or compressed
  const source = createCachedSource(file);
  try {
    const trees = await openTreesOrRefuse(path, source, options.namespace ?? 'auto');
    return { file, source, image: trees.image, iso: trees.iso, udf: trees.udf, disk: trees.disk, close: () => source.close() };
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** The image's trees, as openImageTrees picks them; NotAnImageError naming what was looked for when there is none. */
async function openTreesOrRefuse(path: string, source: ByteSource, namespace: ImageNamespaceChoice): Promise<ImageTrees> {
  const trees = await openImageTrees(source, namespace, { disk: 'fallback' });
  if (trees) return trees;
  throw new NotAnImageError(path, 'no ISO 9660 volume descriptor at sector 16, no UDF anchor at sector 256, no partition table and no file system at byte 0');
}

/** Runs `use` with the opened image and always closes it. */
export async function withImageFile<T>(path: string, options: { namespace?: ImageNamespaceChoice }, use: (opened: OpenedImage) => Promise<T>): Promise<T> {
  const opened = await openImageFile(path, options);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

/** What probeImageFile found: an image the opener opens, or none, or that it could not tell without decoding. */
export type ImageFileProbe = { readonly verdict: 'image' } | { readonly verdict: 'not-an-image' | 'unknown'; readonly reason: string };

/**
 * Whether `path` still holds an image Isotope opens (the Start screen's recent list, files:check-recent),
 * by the opener's own detection (openImageSource, then openImageTrees: the ISO 9660 descriptors from
 * sector 16, the UDF anchor at 256, a partition table or a file system at byte 0), read without the
 * browsing cache's 64 KiB blocks, so an ISO costs the few KiB of its descriptors and root folders;
 * a file that is no image costs the file-system signature probes (132 KiB from byte 0, ZFS's being
 * the farthest). A compressed file is not decoded to tell: its magic bytes are the opener's, but what
 * it holds shows only once decoded, so it is 'unknown'. Other failures (not found, permission,
 * damage) are thrown for the caller to name.
 */
export async function probeImageFile(path: string): Promise<ImageFileProbe> {
  const compression = await detectFileCompression(path);
  if (compression !== null) return { verdict: 'unknown', reason: `${path} is ${compression}-compressed: what it holds shows once it is decoded` };
  const source = await openImageSource(path);
  try {
    await openTreesOrRefuse(path, source, 'auto');
    return { verdict: 'image' };
  } catch (error) {
    if (error instanceof NotAnImageError) return { verdict: 'not-an-image', reason: error.message };
    throw error;
  } finally {
    await source.close();
  }
}
