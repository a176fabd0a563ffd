// Opens an image from memory and does everything a user could: every namespace, every entry, the
// start of every file. Returns what happened; anything but a typed image error escapes (a bug).
import { CorruptImageError } from '../../src-main/format/corrupt-image-error.ts';
import { openImageTrees } from '../../src-main/image/open-image-trees.ts';
import { readEntryContent } from '../../src-main/image/read-entry.ts';
import { ByteRangeError } from '../../src-main/io/byte-source.ts';
import { createCachedSource } from '../../src-main/io/cached-source.ts';
import { createMemorySource } from '../../src-main/io/memory-source.ts';

export type Outcome =
  { readonly kind: 'not-iso' } | { readonly kind: 'listed'; readonly paths: readonly string[] } | { readonly kind: 'corrupt'; readonly message: string };

export async function exploreImage(bytes: Uint8Array, options: { maxContentBytes?: number } = {}): Promise<Outcome> {
  const maxContentBytes = options.maxContentBytes ?? 256 * 1024;
  const source = createCachedSource(createMemorySource(bytes, 'hostile.iso'));
  try {
    // Every file system the image offers: the ISO 9660 views and, on bridges and UDF-only images, UDF.
    const first = await openImageTrees(source);
    if (!first) return { kind: 'not-iso' };
    const paths: string[] = [];
    for (const namespace of first.namespaces) {
      const trees = await openImageTrees(source, namespace);
      if (!trees) return { kind: 'not-iso' };
      const image = trees.image;
      for await (const entry of image.walk()) {
        paths.push(`${namespace}:${entry.path}`);
        let read = 0;
        for await (const chunk of readEntryContent(source, entry, { chunkBytes: 64 * 1024 })) {
          read += chunk.byteLength;
          if (read >= maxContentBytes) break;
        }
      }
    }
    return { kind: 'listed', paths };
  } catch (error) {
    if (error instanceof CorruptImageError || error instanceof ByteRangeError) return { kind: 'corrupt', message: error.message };
    throw error;
  }
}
