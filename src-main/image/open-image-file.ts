// Opens an image file for browsing: a positioned-read file source behind a small block cache, and the
// ISO 9660 or UDF tree on top (src-main/image/open-image-trees.ts picks). The caller closes it.
import type { ImageNamespaceChoice } from '../../shared/image.ts';
import { createCachedSource, type CachedSource } from '../io/cached-source.ts';
import { openImageSource } from '../container/open-image-source.ts';
import type { FileSource } from '../io/file-source.ts';
import type { UdfTree } from '../udf/udf-tree.ts';
import type { FileTree } from '../format/file-tree.ts';
import type { IsoImage } from '../iso/iso-tree.ts';
import { openImageTrees } from './open-image-trees.ts';
import { NotAnImageError } from '../format/not-an-image-error.ts';

export interface OpenedImage {
  readonly file: FileSource;
  readonly source: CachedSource;
  /** The tree the namespace choice names (ISO 9660 view or UDF). */
  readonly image: FileTree;
  readonly iso: IsoImage | null;
  readonly udf: UdfTree | null;
  close(): Promise<void>;
}

/** Opens `path` as an ISO 9660 or UDF image; NotAnImageError when it is some other file. */
export async function openImageFile(path: string, options: { namespace?: ImageNamespaceChoice } = {}): Promise<OpenedImage> {
  const file = await openImageSource(path); // .iso, .cue/.bin or .nrg
  const source = createCachedSource(file);
  try {
    const trees = await openImageTrees(source, options.namespace ?? 'auto');
    if (!trees) throw new NotAnImageError(path, 'no ISO 9660 volume descriptor at sector 16 and no UDF anchor at sector 256');
    return { file, source, image: trees.image, iso: trees.iso, udf: trees.udf, close: () => source.close() };
  } catch (error) {
    await source.close();
    throw error;
  }
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
