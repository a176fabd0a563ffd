// A file inside an image as a ByteSource of its own: its extents, in order, laid end to end (ECMA-119
// 6.5.1 multi-extent files, UDF allocation descriptors). Lets a writer place an image's file in a new
// layout (copy-files mode, a split WIM) and read any range of it without holding it.
import { composeSource, type ComposedPiece } from '../io/composed-source.ts';
import type { ByteSource } from '../io/byte-source.ts';
import { corruptAt } from './fields.ts';
import type { TreeEntry } from './file-tree.ts';

/**
 * The content of `entry` (a plain file) as a ByteSource over `image`. UDF's unrecorded extents read
 * as zeros (ECMA-167 4/14.14.1.1). A zisofs file has no byte-for-byte extents: the caller decodes it
 * with readEntryContent instead, so asking for one here is a bug.
 */
export function entryContentSource(image: ByteSource, entry: TreeEntry): ByteSource {
  if (entry.type !== 'file') throw new Error(`${entry.path} is a ${entry.type}, not a file`);
  if (entry.zisofs) throw new Error(`${entry.path} is zisofs-compressed: its bytes are not its extents`);
  const pieces: ComposedPiece[] = [];
  let offsetBytes = 0;
  for (const extent of entry.extents) {
    // The extents may record more than the file holds (a padded last extent); the size rules.
    const lengthBytes = Math.min(extent.sizeBytes, entry.sizeBytes - offsetBytes);
    if (lengthBytes <= 0) break;
    if (!extent.unrecorded) {
      if (extent.offsetBytes + lengthBytes > image.sizeBytes) {
        throw corruptAt(
          { offsetBytes: entry.recordOffsetBytes },
          2,
          `${entry.path}: extent of ${lengthBytes} bytes at offset ${extent.offsetBytes} runs past the image end (${image.sizeBytes} bytes)`,
        );
      }
      pieces.push({ offsetBytes, lengthBytes, source: image, sourceOffsetBytes: extent.offsetBytes });
    }
    offsetBytes += lengthBytes;
  }
  if (offsetBytes !== entry.sizeBytes) {
    throw corruptAt({ offsetBytes: entry.recordOffsetBytes }, 2, `${entry.path}: its extents hold ${offsetBytes} bytes, its size is ${entry.sizeBytes}`);
  }
  return composeSource(`${image.name}:${entry.path}`, entry.sizeBytes, pieces);
}
