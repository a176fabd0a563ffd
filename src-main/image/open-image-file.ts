// Opens an image file for browsing: a positioned-read file source behind a small block cache, and the
// ISO 9660 tree on top. The caller closes it.
import type { ImageNamespaceChoice } from '../../shared/image.ts';
import { createCachedSource, type CachedSource } from '../io/cached-source.ts';
import { openFileSource, type FileSource } from '../io/file-source.ts';
import { openIsoImage, type IsoImage } from './iso-image.ts';
import { NotAnImageError } from './not-an-image-error.ts';


export interface OpenedImage {
  readonly file: FileSource;
  readonly source: CachedSource;
  readonly image: IsoImage;
  close(): Promise<void>;
}

/** Opens `path` as an ISO 9660 image; NotAnImageError when it is some other file. */
export async function openImageFile(path: string, options: { namespace?: ImageNamespaceChoice } = {}): Promise<OpenedImage> {
  const file = await openFileSource(path);
  const source = createCachedSource(file);
  try {
    const image = await openIsoImage(source, options.namespace ? { namespace: options.namespace } : {});
    if (!image) throw new NotAnImageError(path, 'no ISO 9660 volume descriptor at sector 16');
    return { file, source, image, close: () => source.close() };
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
